"""Material library: every value sourced, interpolation and the exact thermal-strain integral."""

from __future__ import annotations

import numpy as np
import pytest

from fem_package import materials
from fem_package.materials import Property

BASELINE = [
    "silicon",
    "sac305",
    "copper",
    "fr4",
    "bt_laminate",
    "underfill_capillary",
    "polyimide",
    "silicone_gel",
    "borosilicate_glass",
]


def test_baseline_materials_exist_with_sources() -> None:
    lib = materials.library()
    for key in BASELINE:
        m = lib[key]
        for name, prop in m.properties.items():
            assert len(prop.source) > 20, (key, name)


def test_room_temperature_values_are_physical() -> None:
    # Handbook ranges at 25 C: a wrong unit (GPa vs Pa, ppm vs 1/K) falls far outside.
    at = 298.15
    assert 120e9 < materials.get("silicon")["youngs_modulus"](at) < 190e9
    assert 2.0e-6 < materials.get("silicon")["cte"](at) < 3.0e-6
    assert 15e-6 < materials.get("copper")["cte"](at) < 18e-6
    assert 35e9 < materials.get("sac305")["youngs_modulus"](at) < 60e9
    assert materials.get("fr4")["cte_out_of_plane"](at) > 3 * materials.get("fr4")["cte_in_plane"](at)


def test_thermal_strain_is_the_exact_integral_of_a_piecewise_linear_cte() -> None:
    alpha = Property(np.array([200.0, 300.0, 400.0]), np.array([10e-6, 20e-6, 20e-6]), "test")
    # from 250 K to 350 K: trapezoid 250-300 (15e-6 + 20e-6)/2*50 + 20e-6*50
    expected = 0.5 * (15e-6 + 20e-6) * 50 + 20e-6 * 50
    assert alpha.integral(250.0, 350.0) == pytest.approx(expected, rel=1e-14)
    assert alpha.integral(350.0, 250.0) == pytest.approx(-expected, rel=1e-14)
    # clamped outside the table: constant 20e-6 above 400 K
    assert alpha.integral(400.0, 500.0) == pytest.approx(20e-6 * 100, rel=1e-14)


def test_orthotropic_expansion_and_override() -> None:
    fr4 = materials.get("fr4")
    ex, ey, ez = fr4.thermal_strain(348.15, 298.15)
    assert ex == ey and ez > ex
    iso = fr4.with_overrides({"cte": 20e-6})
    assert iso.thermal_strain(348.15, 298.15) == pytest.approx((1e-3, 1e-3, 1e-3))
    assert iso["cte"].source == "case file override"


def test_unknown_material_lists_known_ids() -> None:
    with pytest.raises(KeyError, match="known: "):
        materials.get("unobtainium")


def test_vectorized_thermal_strains_equal_the_scalar_integrals_inside_and_outside_the_table() -> None:
    from fem_package.materials import library

    for key in ("silicon", "fr4", "sac305"):
        m = library()[key]
        temps = np.array([150.0, 213.15, 233.15, 298.15, 371.3, 398.15, 650.0])
        got = m.thermal_strains(temps, 298.15)
        want = np.array([m.thermal_strain(t, 298.15) for t in temps])
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-18)
