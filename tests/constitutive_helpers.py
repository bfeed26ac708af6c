"""Point-level drivers for the constitutive-model tests: uniaxial stress paths and FD tangents."""

from __future__ import annotations

import numpy as np

from solvers.constitutive.base import ConstitutiveModel, PointUpdate


def uniaxial_stress_step(
    model: ConstitutiveModel,
    axial: np.ndarray,
    state: np.ndarray,
    guess: np.ndarray,
    t_old: np.ndarray,
    t_new: np.ndarray,
    dt: float,
) -> tuple[PointUpdate, np.ndarray]:
    """One step with eps_xx = ``axial`` prescribed and sigma_yy = sigma_zz = 0 (shears 0), solved for
    the lateral strains by Newton's method with the model's tangent; returns the update and strain."""
    strain = guess.copy()
    strain[:, 0] = axial
    lateral = [1, 2]
    for _ in range(50):
        out = model.update(strain, state, t_old, t_new, dt)
        r = out.stress[:, lateral]
        scale = np.maximum(np.abs(out.stress[:, 0]), 1.0)
        if np.all(np.abs(r) <= 1e-11 * scale):
            return out, strain
        jac = out.tangent[:, lateral][:, :, lateral]
        strain[:, lateral] -= np.linalg.solve(jac, r[:, :, None])[:, :, 0]
    raise AssertionError("uniaxial-stress iteration did not converge")


def fd_tangent(
    model: ConstitutiveModel,
    strain: np.ndarray,
    state: np.ndarray,
    t_old: np.ndarray,
    t_new: np.ndarray,
    dt: float,
    h: float = 1e-8,
) -> np.ndarray:
    """(n, 6, 6) central finite-difference derivative d stress / d strain."""
    n = strain.shape[0]
    out = np.empty((n, 6, 6))
    for j in range(6):
        e = np.zeros(6)
        e[j] = h
        plus = model.update(strain + e, state, t_old, t_new, dt).stress
        minus = model.update(strain - e, state, t_old, t_new, dt).stress
        out[:, :, j] = (plus - minus) / (2.0 * h)
    return out


def tangent_error(model: ConstitutiveModel, strain, state, t_old, t_new, dt, h: float = 1e-8) -> float:
    """Largest relative difference between the model's tangent and the FD tangent over points."""
    c = model.update(strain, state, t_old, t_new, dt).tangent
    fd = fd_tangent(model, strain, state, t_old, t_new, dt, h)
    scale = np.max(np.abs(c), axis=(1, 2))
    return float(np.max(np.max(np.abs(c - fd), axis=(1, 2)) / scale))
