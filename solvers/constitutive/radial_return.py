"""Radial return in the deviatoric space shared by the von Mises models (J2 plasticity, Anand).

With the elastic trial deviator xi_tr (relative to the back stress), its direction
n = xi_tr / |xi_tr| and the equivalent trial stress q_tr = sqrt(3/2) |xi_tr|, an equivalent inelastic
strain increment d_gamma gives the inelastic strain increment sqrt(3/2) d_gamma n and the stress

    sigma = K tr(eps) I + s_tr - 2 G sqrt(3/2) d_gamma n,       q = q_tr - 3 G d_gamma.

If d_gamma solves a scalar equation q_tr - 3 G d_gamma - h(d_gamma) = 0 (h the flow resistance,
including kinematic hardening as 3G -> 3G + H_kin), the consistent tangent is (Simo & Hughes,
Computational Inelasticity (1998), box 3.2, generalised to any h):

    C = 3K P_vol + 2G theta P_dev - 2G (3G / (3G + h') - (1 - theta)) n (x) n,
    theta = 1 - 3G d_gamma / q_tr,  h' = d h / d d_gamma (plus H_kin for mixed hardening).
"""

from __future__ import annotations

import numpy as np

from solvers.constitutive.base import DEVIATORIC, VOLUMETRIC

SQRT32 = float(np.sqrt(1.5))


def radial_return_tangent(
    bulk: np.ndarray,
    shear: np.ndarray,
    direction: np.ndarray,
    d_gamma: np.ndarray,
    q_trial: np.ndarray,
    slope: np.ndarray,
) -> np.ndarray:
    """(n, 6, 6) consistent tangent of the radial return; ``slope`` = h' (Pa), 0 < d_gamma where inelastic."""
    g = shear
    active = d_gamma > 0.0
    safe_q = np.where(active, q_trial, 1.0)
    theta = np.where(active, 1.0 - 3.0 * g * d_gamma / safe_q, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.where(active, 3.0 * g / (3.0 * g + slope) - (1.0 - theta), 0.0)
    c = 3.0 * bulk[:, None, None] * VOLUMETRIC + (2.0 * g * theta)[:, None, None] * DEVIATORIC
    return c - (2.0 * g * beta)[:, None, None] * np.einsum("ni,nj->nij", direction, direction)


def trial_direction(xi_trial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direction n (zero where the trial deviator vanishes) and q_tr = sqrt(3/2) |xi_tr|."""
    norm = np.sqrt(np.einsum("ni,ni->n", xi_trial, xi_trial))
    direction = np.where(norm[:, None] > 0.0, xi_trial / np.where(norm > 0.0, norm, 1.0)[:, None], 0.0)
    return direction, SQRT32 * norm
