"""Rate-independent J2 (von Mises) plasticity with linear mixed isotropic/kinematic hardening.

Yield function f = sqrt(3/2) |s - alpha| - (sigma_y + H_iso eps_bar), associative flow
d eps_p = sqrt(3/2) d gamma n, Prager back stress d alpha = (2/3) H_kin d eps_p, d eps_bar = d gamma;
H_iso = (1 - beta) H, H_kin = beta H with H the uniaxial plastic modulus (tangent modulus
E_t = E H / (E + H)) and beta the kinematic fraction. Backward-Euler radial return (closed form for
linear hardening): d gamma = f_trial / (3G + H_iso + H_kin); consistent tangent as in
:mod:`solvers.constitutive.radial_return` with h' = H (Simo & Hughes, Computational Inelasticity,
1998, sec. 3.3). E(T), nu(T) of the material at t_n+1 (total form sigma = C(T) : (eps - eps_p)).

State per point: plastic strain (6, Mandel), back stress (6, Mandel deviator), accumulated
equivalent plastic strain (1). Dissipation reported: plastic work sigma_n+1 : d eps_p.
"""

from __future__ import annotations

import numpy as np

from fem_package.constitutive_data import J2Parameters
from fem_package.materials import Material
from solvers.constitutive.base import IDENTITY, PointUpdate, bulk_shear, deviator
from solvers.constitutive.radial_return import SQRT32, radial_return_tangent, trial_direction


class J2Plasticity:
    """Von Mises plasticity, linear mixed hardening, radial return with the consistent tangent."""

    name = "j2"
    state_size = 13

    def __init__(self, material: Material, params: J2Parameters):
        self.material = material
        self.params = params
        self.h_kin = params.kinematic_fraction * params.hardening_modulus
        self.h_iso = params.hardening_modulus - self.h_kin

    def initial_state(self, n: int, temperature: np.ndarray) -> np.ndarray:
        return np.zeros((n, self.state_size))

    def update(
        self,
        strain: np.ndarray,
        state: np.ndarray,
        temperature_old: np.ndarray,
        temperature: np.ndarray,
        dt: float,
    ) -> PointUpdate:
        k, g = bulk_shear(self.material, np.broadcast_to(temperature, strain.shape[:1]))
        eps_p, alpha, eps_bar = state[:, 0:6], state[:, 6:12], state[:, 12]
        s_trial = 2.0 * g[:, None] * deviator(strain - eps_p)
        direction, q_trial = trial_direction(s_trial - alpha)
        f_trial = q_trial - (self.params.yield_stress + self.h_iso * eps_bar)
        d_gamma = np.where(f_trial > 0.0, f_trial / (3.0 * g + self.params.hardening_modulus), 0.0)

        d_eps_p = (SQRT32 * d_gamma)[:, None] * direction
        new_eps_p = eps_p + d_eps_p
        new_alpha = alpha + (2.0 / 3.0) * self.h_kin * d_eps_p
        pressure = k * np.einsum("ni,i->n", strain, IDENTITY)
        stress = pressure[:, None] * IDENTITY + s_trial - 2.0 * g[:, None] * d_eps_p
        tangent = radial_return_tangent(
            k, g, direction, d_gamma, q_trial, np.full_like(g, self.params.hardening_modulus)
        )
        new_state = np.concatenate([new_eps_p, new_alpha, (eps_bar + d_gamma)[:, None]], axis=1)
        dissipation = np.einsum("ni,ni->n", stress, d_eps_p)
        return PointUpdate(stress, tangent, new_state, new_eps_p, dissipation)
