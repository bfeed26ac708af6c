"""Strain-life (Coffin-Manson-Basquin) inverse."""

from __future__ import annotations

import math

import numpy as np
import pytest

from postprocess.life import solder
from postprocess.life.strain_life import StrainLifeConstants, cycles_from_strain_amplitude, strain_amplitude

# Test constants of copper-like magnitude (not a material datum): sigma_f' = 500 MPa, b = -0.1,
# eps_f' = 0.3, c = -0.5, E = 120 GPa; elastic/plastic transition near 2N = 6.6e3.
K = StrainLifeConstants(500e6, -0.1, 0.3, -0.5, 120e9, "test constants")


@pytest.mark.parametrize(
    "k", [K, StrainLifeConstants(900e6, -0.12, 0.6, -0.65, 78e9), StrainLifeConstants(300e6, -0.05, 0.1, -0.7, 120e9)]
)
def test_root_reproduces_the_strain(k: StrainLifeConstants) -> None:
    """N from eps_a gives eps_a back to 1e-9, from plastic- to elastic-dominated amplitudes."""
    top = k.elastic_coefficient + k.fatigue_ductility_coefficient
    eps = np.geomspace(top * 0.999, top * 1e-5, 60)
    n = cycles_from_strain_amplitude(eps, k)
    assert np.all(np.diff(n) > 0)
    back = strain_amplitude(n, k)
    assert np.max(np.abs(back / eps - 1)) < 1e-9
    for e in (eps[0], eps[30], eps[-1]):  # scalar path too
        assert strain_amplitude(cycles_from_strain_amplitude(float(e), k), k) == pytest.approx(e, rel=1e-9)


def test_plastic_limit_is_coffin_manson() -> None:
    """With a negligible elastic term the inverse is Coffin-Manson's closed form."""
    k = StrainLifeConstants(1e-6, -0.1, 0.3, -0.5, 120e9)
    eps_a = 0.004
    assert cycles_from_strain_amplitude(eps_a, k) == pytest.approx(
        solder.coffin_manson_cycles(2 * eps_a, 0.3, -0.5), rel=1e-9
    )


def test_elastic_limit_is_basquin() -> None:
    """With a negligible plastic term: 2N = (eps_a E / sigma_f')^(1/b)."""
    k = StrainLifeConstants(500e6, -0.1, 1e-12, -0.5, 120e9)
    eps_a = 2e-3
    assert cycles_from_strain_amplitude(eps_a, k) == pytest.approx(
        0.5 * (eps_a * 120e9 / 500e6) ** (1 / -0.1), rel=1e-9
    )


def test_limits() -> None:
    assert cycles_from_strain_amplitude(0.0, K) == math.inf
    with pytest.raises(ValueError):
        cycles_from_strain_amplitude(0.31, K)
    with pytest.raises(ValueError):
        StrainLifeConstants(500e6, 0.1, 0.3, -0.5, 120e9)
