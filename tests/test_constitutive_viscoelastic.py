"""Prony-series viscoelasticity: relaxation follows G(t), WLF/Arrhenius-shifted, exact tangent."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from fem_package.constitutive_data import PronyParameters, law_for
from fem_package.materials import get
from solvers.constitutive.viscoelastic import PronyViscoelastic, shift_factor
from tests.constitutive_helpers import tangent_error


@pytest.fixture(scope="module")
def underfill() -> PronyViscoelastic:
    params = law_for("underfill_capillary")
    assert isinstance(params, PronyParameters)
    # a bulk Prony term too, so both series are exercised
    return PronyViscoelastic(
        get("underfill_capillary"), replace(params, bulk_moduli=(2.0e9,), bulk_relaxation_times=(30.0,))
    )


def relax(
    model: PronyViscoelastic, temperature: float, strain0: np.ndarray, times: np.ndarray, ramp: float = 1e-9
) -> np.ndarray:
    """Stress history after a strain step strain0 applied in ``ramp`` s (then held), at constant T."""
    t = np.array([temperature])
    state = model.initial_state(1, t)
    out = model.update(strain0[None, :], state, t, t, ramp)
    state, now, stresses = out.state, ramp, []
    for target in times:
        # one step per output time: the recursive update is exact for any step while the strain is held
        out = model.update(strain0[None, :], state, t, t, target - now)
        state, now = out.state, target
        stresses.append(out.stress[0])
    return np.array(stresses)


def test_relaxation_under_constant_strain_follows_the_prony_series(underfill: PronyViscoelastic) -> None:
    t_ref = underfill.params.reference_temperature
    gamma = 1e-3
    strain0 = np.array([0.0, 0.0, 0.0, 0.0, 0.0, np.sqrt(2.0) * gamma / 2.0])  # shear eps_xy = gamma/2
    vol0 = np.array([1e-3, 1e-3, 1e-3, 0.0, 0.0, 0.0])
    times = np.logspace(-4, 6, 21)
    shear_stress = relax(underfill, t_ref, strain0, times)[:, 5] / np.sqrt(2.0)  # tau_xy
    g, k = underfill.relaxation_moduli(times)
    np.testing.assert_allclose(shear_stress, g * gamma, rtol=1e-3)
    mean_stress = relax(underfill, t_ref, vol0, times)[:, 0]
    np.testing.assert_allclose(mean_stress, 3e-3 * k, rtol=1e-3)
    assert shear_stress[0] > 10.0 * shear_stress[-1]  # really relaxes


@pytest.mark.parametrize("delta", [25.0, -40.0])
def test_shifted_relaxation_at_another_temperature(underfill: PronyViscoelastic, delta: float) -> None:
    """At T = T_ref + delta the curve is G(t / a_T); WLF above T_ref, Arrhenius below (universal C1, C2)."""
    p = underfill.params
    temp = p.reference_temperature + delta
    if delta > 0:
        log10_a = -p.wlf_c1 * delta / (p.wlf_c2 + delta)
    else:
        log10_a = p.activation_energy / 8.314462618 * (1.0 / temp - 1.0 / p.reference_temperature) / np.log(10.0)
    a_t = 10.0**log10_a
    assert float(shift_factor(p, np.array([temp]))[0]) == pytest.approx(a_t, rel=1e-12)
    gamma = 1e-3
    strain0 = np.array([0.0, 0.0, 0.0, 0.0, 0.0, np.sqrt(2.0) * gamma / 2.0])
    times = a_t * np.logspace(-3, 5, 17)
    shear_stress = relax(underfill, temp, strain0, times, ramp=1e-9 * a_t)[:, 5] / np.sqrt(2.0)
    np.testing.assert_allclose(shear_stress, underfill.relaxation_moduli(times / a_t)[0] * gamma, rtol=1e-3)


def test_wlf_outside_its_range_is_refused() -> None:
    p = law_for("underfill_capillary")
    assert isinstance(p, PronyParameters)
    with pytest.raises(ValueError, match="WLF shift undefined"):
        shift_factor(replace(p, shift="wlf"), np.array([p.reference_temperature - 60.0]))


def test_tangent_exact_and_vectorized_with_temperature_change(underfill: PronyViscoelastic) -> None:
    rng = np.random.default_rng(2)
    n = 6
    t_old = np.linspace(300.0, 460.0, n)
    t_new = t_old + 5.0
    state = underfill.initial_state(n, t_old)
    state[:, :6] = 1e-3 * rng.normal(size=(n, 6))
    state[:, 6:] = 1e6 * rng.normal(size=(n, underfill.state_size - 6))
    strain = state[:, :6] + 1e-3 * rng.normal(size=(n, 6))
    for dt in (1e-3, 10.0, 1e5):
        assert tangent_error(underfill, strain, state, t_old, t_new, dt, h=1e-7) < 1e-5
    whole = underfill.update(strain, state, t_old, t_new, 10.0)
    for i in range(n):
        sl = slice(i, i + 1)
        one = underfill.update(strain[sl], state[sl], t_old[sl], t_new[sl], 10.0)
        np.testing.assert_allclose(one.stress[0], whole.stress[i], rtol=1e-13, atol=1e-6)
        np.testing.assert_allclose(one.state[0], whole.state[i], rtol=1e-13, atol=1e-6)
