"""J2 plasticity with linear mixed hardening: analytic uniaxial load/unload/reverse curve, tangent, batches."""

from __future__ import annotations

import numpy as np
import pytest

from fem_package.constitutive_data import J2Parameters, law_for
from fem_package.materials import get
from solvers.constitutive.j2_plasticity import J2Plasticity
from tests.constitutive_helpers import tangent_error, uniaxial_stress_step

T_ROOM = np.array([298.15])


def analytic_uniaxial(eps: np.ndarray, e: float, sy: float, h: float, beta: float) -> np.ndarray:
    """Closed-form uniaxial stress for the path 0 -> eps_max -> eps_min (linear mixed hardening).

    Loading: sigma = E eps up to eps_y = sy/E, then sigma = sy + E_t (eps - eps_y), E_t = E H/(E+H).
    At eps_max: eps_p1 = eps_max - sigma1/E, back stress alpha1 = beta H eps_p1, radius
    R1 = sy + (1-beta) H eps_p1 (sigma1 = alpha1 + R1). Unloading is elastic until sigma = alpha1 - R1
    (reverse yield; isotropic hardening alone would give -sigma1, the Bauschinger shift is
    2 alpha1), i.e. at eps_r = eps_max - 2 R1 / E, then sigma = alpha1 - R1 + E_t (eps - eps_r).
    """
    et = e * h / (e + h)
    turn = int(np.argmax(eps))
    out = np.empty_like(eps)
    eps_y = sy / e
    up = eps[: turn + 1]
    out[: turn + 1] = np.where(up <= eps_y, e * up, sy + et * (up - eps_y))
    s1 = out[turn]
    ep1 = eps[turn] - s1 / e
    alpha1, r1 = beta * h * ep1, sy + (1.0 - beta) * h * ep1
    eps_r = eps[turn] - 2.0 * r1 / e
    down = eps[turn + 1 :]
    out[turn + 1 :] = np.where(down >= eps_r, s1 + e * (down - eps[turn]), alpha1 - r1 + et * (down - eps_r))
    return out


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_uniaxial_load_unload_reverse_matches_analytic_curve(beta: float) -> None:
    cu = get("copper")
    params = J2Parameters(source="test", yield_stress=150e6, hardening_modulus=2.0e9, kinematic_fraction=beta)
    model = J2Plasticity(cu, params)
    e = cu["youngs_modulus"](298.15)
    path = np.concatenate([np.linspace(0.0, 8e-3, 41), np.linspace(8e-3, -8e-3, 81)[1:]])
    state, strain = model.initial_state(1, T_ROOM), np.zeros((1, 6))
    stress = []
    for eps in path:
        out, strain = uniaxial_stress_step(model, np.array([eps]), state, strain, T_ROOM, T_ROOM, 1.0)
        state = out.state
        stress.append(out.stress[0, 0])
    expected = analytic_uniaxial(path, e, 150e6, 2.0e9, beta)
    np.testing.assert_allclose(stress, expected, rtol=1e-6, atol=1e-6 * 150e6)
    # reverse yield differs between isotropic and kinematic hardening by 2 alpha1 (Bauschinger)
    assert expected.min() < -150e6 if beta < 1.0 else expected.min() < 0.0


def test_tangent_equals_finite_difference_elastic_plastic_and_reversed() -> None:
    model = J2Plasticity(get("gold"), law_for("gold"))
    assert isinstance(model.params, J2Parameters)
    rng = np.random.default_rng(11)
    n = 5
    temps = np.full(n, 298.15)
    state = model.initial_state(n, temps)
    state[2:, 0:6] = 2e-3 * rng.normal(size=(3, 6))
    state[2:, 0:3] -= state[2:, 0:3].mean(axis=1, keepdims=True)
    state[2:, 6:12] = (2.0 / 3.0) * model.h_kin * state[2:, 0:6]
    state[2:, 12] = np.sqrt(2.0 / 3.0) * np.linalg.norm(state[2:, 0:6], axis=1)
    strain = state[:, 0:6] + np.array([1e-4, 2e-3, 1e-4, 5e-3, -5e-3])[:, None] * rng.normal(size=(n, 6))
    out = model.update(strain, state, temps, temps, 1.0)
    plastic = out.state[:, 12] > state[:, 12]
    assert plastic.any() and (~plastic).any()
    assert tangent_error(model, strain, state, temps, temps, 1.0, h=1e-9) < 1e-5


def test_vectorized_update_equals_point_by_point() -> None:
    model = J2Plasticity(get("copper"), law_for("copper"))
    rng = np.random.default_rng(5)
    n = 7
    temps = np.linspace(233.15, 398.15, n)
    state = model.initial_state(n, temps)
    strain = 4e-3 * rng.normal(size=(n, 6))
    whole = model.update(strain, state, temps, temps, 1.0)
    for i in range(n):
        one = model.update(strain[i : i + 1], state[i : i + 1], temps[i : i + 1], temps[i : i + 1], 1.0)
        np.testing.assert_allclose(one.stress[0], whole.stress[i], rtol=1e-13, atol=1e-3)
        np.testing.assert_allclose(one.tangent[0], whole.tangent[i], rtol=1e-13, atol=1.0)
