"""Phase change of fusible metals: shear released on melting, stress-free refreezing, melt volume change."""

from __future__ import annotations

import numpy as np
import pytest

from fem_package.constitutive_data import MIN_MELTING_RANGE, PhaseChangeParameters, law_for, melting_interval
from fem_package.materials import get
from solvers.constitutive.phase_change import PhaseChange
from solvers.constitutive.select import model_from
from tests.constitutive_helpers import tangent_error

SHEAR = np.array([[0.0, 0.0, 0.0, 0.0, 0.0, np.sqrt(2.0) * 1e-3]])  # eps_xy = 1e-3, no volume change


@pytest.fixture(scope="module")
def mushy() -> PhaseChange:
    """Gallium data with a 6 K freezing range (300-306 K) so the mushy zone is exercised."""
    params = law_for("gallium")
    assert isinstance(params, PhaseChangeParameters)
    return PhaseChange(get("gallium").with_overrides({"solidus": 300.0, "liquidus": 306.0}), params)


def run(model: PhaseChange, temperatures: list[float], strain: np.ndarray) -> list[np.ndarray]:
    """Stresses along a temperature history at fixed mechanical strain (strain applied in step 1)."""
    t0 = np.array([temperatures[0]])
    state = model.initial_state(1, t0)
    stresses, t_old = [], t0
    for temp in temperatures:
        t = np.array([temp])
        out = model.update(strain, state, t_old, t, 1.0)
        state, t_old = out.state, t
        stresses.append(out.stress[0])
    return stresses


def test_sheared_solid_heated_above_liquidus_loses_its_shear_stress(mushy: PhaseChange) -> None:
    temps = [290.0, 295.0, 301.0, 303.0, 305.0, 307.0, 310.0]
    stresses = run(mushy, temps, SHEAR)
    solid, liquid = stresses[0][5], stresses[-1][5]
    assert solid > 0.0
    assert abs(liquid) < 0.01 * solid
    # partly molten: the shear stress falls with the solid fraction
    assert 0.0 < stresses[3][5] < stresses[2][5] < solid


@pytest.mark.parametrize("material", ["gallium", "mushy"])
def test_melting_and_freezing_twice_at_constant_shape_leaves_no_stress(material: str, mushy: PhaseChange) -> None:
    params = law_for("gallium")
    assert isinstance(params, PhaseChangeParameters)
    model = mushy if material == "mushy" else PhaseChange(get("gallium"), params)
    cycle = [295.0, 299.0, 302.0, 304.0, 308.0, 304.0, 302.0, 299.0, 295.0]
    stresses = run(model, [290.0, *cycle, *cycle], SHEAR)
    solid_shear = stresses[0][5]
    assert np.max(np.abs(stresses[-1])) < 1e-6 * solid_shear
    assert np.max(np.abs(stresses[9])) < 1e-6 * solid_shear  # after the first freeze already


def test_free_volume_change_on_melting_equals_beta(mushy: PhaseChange) -> None:
    """Liquid at zero stress: tr(eps) = beta (gallium contracts, beta < 0)."""
    t_solid, t_liquid = np.array([290.0]), np.array([310.0])
    state = mushy.initial_state(1, t_solid)
    zero = np.zeros((1, 6))
    state = mushy.update(zero, state, t_solid, t_liquid, 1.0).state
    out = mushy.update(zero, state, t_liquid, t_liquid, 1.0)
    free = -np.linalg.solve(out.tangent[0], out.stress[0])  # stress is linear in the strain
    assert np.allclose(mushy.update(free[None, :], state, t_liquid, t_liquid, 1.0).stress, 0.0, atol=1e-3)
    assert free[:3].sum() == pytest.approx(mushy.params.beta, rel=1e-10)
    assert mushy.params.beta < 0.0


def test_tangent_and_vectorization_through_melting_and_freezing(mushy: PhaseChange) -> None:
    rng = np.random.default_rng(4)
    n = 6
    t_old = np.array([290.0, 301.0, 304.0, 303.0, 310.0, 307.0])
    t_new = np.array([292.0, 303.0, 302.0, 308.0, 304.0, 309.0])  # solid, melting, freezing, melt, freeze, liquid
    state = mushy.initial_state(n, np.full(n, 290.0))
    state[:, 0:6] = 1e-3 * rng.normal(size=(n, 6))
    state[:, 6] = mushy.solid_fraction(t_old)
    state[:, 8:14] = 1e-3 * rng.normal(size=(n, 6))
    strain = 1e-3 * rng.normal(size=(n, 6))
    assert tangent_error(mushy, strain, state, t_old, t_new, 1.0, h=1e-7) < 1e-5
    whole = mushy.update(strain, state, t_old, t_new, 1.0)
    for i in range(n):
        sl = slice(i, i + 1)
        one = mushy.update(strain[sl], state[sl], t_old[sl], t_new[sl], 1.0)
        np.testing.assert_allclose(one.stress[0], whole.stress[i], rtol=1e-13, atol=1e-6)
        np.testing.assert_allclose(one.state[0], whole.state[i], rtol=1e-13, atol=1e-18)


def test_a_eutectic_melts_over_one_kelvin_below_its_melting_point() -> None:
    """Indalloy 117 (solidus = liquidus = 47 C): f_s falls linearly over 46..47 C, not in a step.

    A step put the whole shear release into one increment however small, and re-melting masses bonded
    to plastic copper contacts then stagnated down to min_step; the 1 K zone lets the steps spread it.
    """
    model = model_from(get("indalloy_117"), law_for("indalloy_117"))
    assert isinstance(model, PhaseChange)
    melt = 273.15 + 47.0
    assert get("indalloy_117").melting_range() == pytest.approx((melt, melt))
    assert (model.solidus, model.liquidus) == pytest.approx((melt - MIN_MELTING_RANGE, melt))
    t = np.array([melt - 2.0, melt - 1.0, melt - 0.75, melt - 0.5, melt, melt + 1.0])
    np.testing.assert_allclose(model.solid_fraction(t), [1.0, 1.0, 0.75, 0.5, 0.0, 0.0], atol=1e-12)
    assert melting_interval(300.0, 306.0) == (300.0, 306.0)  # a real freezing range is kept
    with pytest.raises(ValueError, match="below solidus"):
        melting_interval(306.0, 300.0)
