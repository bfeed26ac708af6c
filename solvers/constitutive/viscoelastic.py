"""Linear viscoelasticity: Prony series in reduced time, recursive hereditary-integral update.

    sigma(t) = integral_0^t [2 G(xi(t) - xi(t')) P_dev + 3 K(xi(t) - xi(t')) P_vol] : d eps(t'),
    G(xi) = G_inf + sum_i G_i exp(-xi / tau_i),   K(xi) = K_inf + sum_j K_j exp(-xi / tau_j),

with the reduced time xi(t) = integral dt' / a_T(T(t')) (thermorheologically simple material) and
the shift factor

    WLF:        log10 a_T = -C1 (T - T_ref) / (C2 + T - T_ref)   (Williams, Landel & Ferry 1955),
    Arrhenius:  ln a_T = (E_a / R) (1/T - 1/T_ref),
    wlf_arrhenius: WLF at and above T_ref, Arrhenius below (continuous, a_T(T_ref) = 1).

Recursive update over a step (Taylor, Pister & Goudreau, Int. J. Numer. Meth. Eng. 2 (1970) 45;
Simo & Hughes, Computational Inelasticity (1998) sec. 10.3), strain linear in reduced time within
the step, d_xi = dt / a_T((T_n + T_n+1) / 2):

    h_i,n+1 = exp(-d_xi/tau_i) h_i,n + G_i (1 - exp(-d_xi/tau_i)) / (d_xi/tau_i) 2 (e_n+1 - e_n),
    s_n+1 = 2 G_inf e_n+1 + sum_i h_i,n+1                      (and likewise for the pressure),

which is exact for that strain history; the stress is linear in eps_n+1, so the tangent
C = 3 (K_inf + sum K_j g_j) P_vol + 2 (G_inf + sum G_i g_i) P_dev, g = (1 - e^-x)/x, is exact.

State per point: strain at t_n (6), branch deviatoric stresses h_i (6 each), branch pressures
(1 each). Inelastic strain reported: eps - C_0^-1 : sigma (C_0 the instantaneous stiffness), the
viscous strain of the equivalent standard solid. Dissipation: sum over Maxwell branches of
branch stress : branch viscous-strain increment (midpoint rule).
The material's E(T), nu(T) are not used: the Prony series replaces them.
"""

from __future__ import annotations

import numpy as np

from fem_package.constitutive_data import PronyParameters
from fem_package.materials import Material
from solvers.constitutive.base import IDENTITY, PointUpdate, deviator, isotropic_stiffness

GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018


def shift_factor(params: PronyParameters, temperature: np.ndarray) -> np.ndarray:
    """a_T at the given temperatures (K); a_T < 1 above T_ref (faster relaxation)."""
    t = np.asarray(temperature, dtype=float)
    dtemp = t - params.reference_temperature
    log10_a = np.zeros_like(t)
    if params.shift in ("wlf", "wlf_arrhenius"):
        use = dtemp >= 0.0 if params.shift == "wlf_arrhenius" else np.ones(t.shape, dtype=bool)
        denominator = params.wlf_c2 + dtemp
        if np.any(use & (denominator <= 0.0)):
            bad = float(t[use & (denominator <= 0.0)].flat[0])
            raise ValueError(
                f"WLF shift undefined at T = {bad:g} K: needs T > T_ref - C2 = "
                f"{params.reference_temperature - params.wlf_c2:g} K (use shift = 'wlf_arrhenius')"
            )
        log10_a = np.where(use, -params.wlf_c1 * dtemp / np.where(use, denominator, 1.0), log10_a)
    if params.shift in ("arrhenius", "wlf_arrhenius"):
        use = dtemp < 0.0 if params.shift == "wlf_arrhenius" else np.ones(t.shape, dtype=bool)
        arrhenius = params.activation_energy / GAS_CONSTANT * (1.0 / t - 1.0 / params.reference_temperature)
        log10_a = np.where(use, arrhenius / np.log(10.0), log10_a)
    return 10.0**log10_a


class PronyViscoelastic:
    """Isotropic linear viscoelasticity with Prony series on G (and optionally K) and a TTS shift."""

    name = "prony"

    def __init__(self, material: Material, params: PronyParameters):
        self.material = material
        self.params = params
        self.g = np.asarray(params.shear_moduli)
        self.tau_g = np.asarray(params.relaxation_times)
        self.k = np.asarray(params.bulk_moduli)
        self.tau_k = np.asarray(params.bulk_relaxation_times)
        self.state_size = 6 + 6 * self.g.size + self.k.size

    def relaxation_moduli(self, reduced_time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """G(xi) and K(xi) of the Prony series at reduced times xi (s)."""
        xi = np.asarray(reduced_time, dtype=float)[..., None]
        shear = self.params.shear_modulus_long_term + np.sum(self.g * np.exp(-xi / self.tau_g), axis=-1)
        bulk = self.params.bulk_modulus + np.sum(self.k * np.exp(-xi / self.tau_k), axis=-1)
        return shear, bulk

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
        n, ng, nk = strain.shape[0], self.g.size, self.k.size
        t_mid = 0.5 * (np.broadcast_to(temperature_old, (n,)) + np.broadcast_to(temperature, (n,)))
        d_xi = dt / shift_factor(self.params, t_mid)  # (n,)
        strain_old = state[:, 0:6]
        h_old = state[:, 6 : 6 + 6 * ng].reshape(n, ng, 6)
        p_old = state[:, 6 + 6 * ng :]

        def weights(tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x = d_xi[:, None] / tau
            decay = np.exp(-x)
            gamma = np.where(x > 1e-8, -np.expm1(-x) / np.where(x > 1e-8, x, 1.0), 1.0 - 0.5 * x)
            return decay, gamma

        decay_g, gamma_g = weights(self.tau_g)
        decay_k, gamma_k = weights(self.tau_k)
        de = deviator(strain - strain_old)
        dvol = np.einsum("ni,i->n", strain - strain_old, IDENTITY)
        h_new = decay_g[:, :, None] * h_old + 2.0 * (self.g * gamma_g)[:, :, None] * de[:, None, :]
        p_new = decay_k * p_old + (self.k * gamma_k) * dvol[:, None]

        g_inf, k_inf = self.params.shear_modulus_long_term, self.params.bulk_modulus
        vol = np.einsum("ni,i->n", strain, IDENTITY)
        stress = (
            2.0 * g_inf * deviator(strain) + h_new.sum(axis=1) + (k_inf * vol + p_new.sum(axis=1))[:, None] * IDENTITY
        )
        g_alg = g_inf + np.sum(self.g * gamma_g, axis=1)
        k_alg = k_inf + np.sum(self.k * gamma_k, axis=1)
        tangent = isotropic_stiffness(k_alg, g_alg)

        g0, k0 = g_inf + self.g.sum(), k_inf + self.k.sum()
        s_dev, pressure = deviator(stress), np.einsum("ni,i->n", stress, IDENTITY) / 3.0
        inelastic = strain - s_dev / (2.0 * g0) - (pressure / (3.0 * k0))[:, None] * IDENTITY
        # branch viscous strain eps_v,i = e - h_i / (2 G_i): increment de - dh_i / (2 G_i)
        dv_g = de[:, None, :] - (h_new - h_old) / (2.0 * self.g)[None, :, None]
        dissipation = np.einsum("nbi,nbi->n", 0.5 * (h_new + h_old), dv_g)
        if nk:
            dv_k = dvol[:, None] - (p_new - p_old) / self.k
            dissipation = dissipation + np.sum(0.5 * (p_new + p_old) * dv_k, axis=1)
        new_state = np.concatenate([strain, h_new.reshape(n, 6 * ng), p_new], axis=1)
        return PointUpdate(stress, tangent, new_state, inelastic, dissipation)
