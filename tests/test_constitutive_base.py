"""Mandel notation and the linear elastic point model."""

from __future__ import annotations

import numpy as np
import pytest

from fem_package.materials import library
from solvers.constitutive.base import LinearElastic, from_mandel, to_mandel, von_mises


def test_mandel_round_trip_keeps_double_contraction_and_von_mises() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5, 3, 3))
    a = a + a.transpose(0, 2, 1)
    b = rng.normal(size=(5, 3, 3))
    b = b + b.transpose(0, 2, 1)
    va, vb = to_mandel(a), to_mandel(b)
    np.testing.assert_allclose(from_mandel(va), a)
    np.testing.assert_allclose(np.einsum("ni,ni->n", va, vb), np.einsum("nij,nij->n", a, b))
    s = a - np.trace(a, axis1=1, axis2=2)[:, None, None] / 3 * np.eye(3)
    np.testing.assert_allclose(von_mises(va), np.sqrt(1.5 * np.einsum("nij,nij->n", s, s)))


def test_linear_elastic_uniaxial_stress_gives_youngs_modulus() -> None:
    cu = library()["copper"]
    model = LinearElastic(cu)
    t = np.array([298.15])
    e, nu = cu["youngs_modulus"](298.15), cu["poisson_ratio"](298.15)
    strain = np.array([[1e-3, -nu * 1e-3, -nu * 1e-3, 0.0, 0.0, 0.0]])
    out = model.update(strain, model.initial_state(1, t), t, t, 1.0)
    assert out.stress[0, 0] == pytest.approx(e * 1e-3, rel=1e-12)
    np.testing.assert_allclose(out.stress[0, 1:], 0.0, atol=1e-6 * e * 1e-3)
    np.testing.assert_allclose(out.tangent[0], out.tangent[0].T)
