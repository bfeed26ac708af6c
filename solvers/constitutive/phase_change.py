"""Fusible metal that melts in service: shear released on melting, volume change as eigenstrain.

Solid fraction f_s(T) = 1 below the solidus, 0 above the liquidus, linear between. A pure metal or
eutectic (solidus = liquidus, or a range narrower than 1 K) melts over the 1 K below its melting
point instead of in a step (:func:`fem_package.constitutive_data.melting_interval`): a numerical
mushy zone, as enthalpy methods use. With a step, the shear release of the whole mass falls into one increment
however small, and the load it sheds onto plastic copper contacts cannot be taken in smaller
pieces by step cutting (measured: re-melting Indalloy 117 masses in a gel stagnated down to
``min_step``); over 1 K the ramp refinement (``phase_change_substeps``) and step cutting spread it.
With G(T), K(T) of the solid (``bulk_shear``), the mixture keeps the bulk modulus and has the shear modulus

    G_eff = f_s G + (1 - f_s) G_liq,     G_liq = liquid_shear_fraction * G  (a numerical floor),

    sigma = K (tr eps - beta (f_s,0 - f_s)) I + 2 G_eff (e - e_ref),

where beta = (V_liquid - V_solid) / V_solid is the volume change on melting (the melt eigenstrain
(beta/3)(1 - f_s) I taken relative to the phase at the stress-free state, f_s,0) and e_ref is the
reference (stress-free) deviatoric shape, updated at the start of each step from the phase change:

* fully liquid at t_n+1 (f_s = 0): e_ref = e_n, the liquid keeps no memory of its shape; it only
  resists the deviatoric strain increment of the current step with the tiny G_liq;
* melting or constant fraction: e_ref unchanged, the stress scales with G_eff (the melted share of
  the solid releases its stress);
* freezing (f_s rises): the new solid is stress-free at the shape e_n in which it freezes:
  e_ref = e_n - G_eff(f_s,n) / G_eff(f_s,n+1) (e_n - e_ref,n), so the stress carried by the old
  solid at e_n is kept and the new solid adds stiffness but no stress.

The update is linear in eps_n+1 with C = 3K P_vol + 2 G_eff P_dev (exact tangent). The solid is
linear elastic. State per point: e_ref (6), f_s at t_n (1), f_s at the stress-free state (1),
deviatoric strain e_n (6).
Inelastic strain reported: e_ref + (beta/3)(f_s,0 - f_s) I; dissipation: sigma_n+1 : its increment.
"""

from __future__ import annotations

import numpy as np

from fem_package.constitutive_data import PhaseChangeParameters, melting_interval
from fem_package.materials import Material
from solvers.constitutive.base import IDENTITY, PointUpdate, bulk_shear, deviator, isotropic_stiffness


class PhaseChange:
    """Melting/freezing fusible metal with an elastic solid phase."""

    name = "phase_change"
    state_size = 14

    def __init__(self, material: Material, params: PhaseChangeParameters):
        melting = material.melting_range()  # one given: a pure metal or eutectic
        if melting is None:
            raise ValueError(f"material {material.key}: the phase_change law needs a liquidus (and solidus)")
        try:
            self.solidus, self.liquidus = melting_interval(*melting)
        except ValueError as exc:
            raise ValueError(f"material {material.key}: {exc}") from None
        self.material = material
        self.params = params

    def solid_fraction(self, temperature: np.ndarray) -> np.ndarray:
        """f_s(T): 1 below the (model's) solidus, 0 above the liquidus, linear between."""
        t = np.asarray(temperature, dtype=float)
        return np.clip((self.liquidus - t) / (self.liquidus - self.solidus), 0.0, 1.0)

    def initial_state(self, n: int, temperature: np.ndarray) -> np.ndarray:
        state = np.zeros((n, self.state_size))
        fs = self.solid_fraction(np.broadcast_to(temperature, (n,)))
        state[:, 6] = fs
        state[:, 7] = fs
        return state

    def _shear(self, g: np.ndarray, fs: np.ndarray) -> np.ndarray:
        return g * (fs + (1.0 - fs) * self.params.liquid_shear_fraction)

    def update(
        self,
        strain: np.ndarray,
        state: np.ndarray,
        temperature_old: np.ndarray,
        temperature: np.ndarray,
        dt: float,
    ) -> PointUpdate:
        n = strain.shape[0]
        t = np.broadcast_to(np.asarray(temperature, dtype=float), (n,))
        k, g = bulk_shear(self.material, t)
        e_ref_old, fs_old, fs0 = state[:, 0:6], state[:, 6], state[:, 7]
        fs = self.solid_fraction(t)
        e_old = state[:, 8:14]  # deviatoric strain e_n of the converged state
        g_old, g_new = self._shear(g, fs_old), self._shear(g, fs)
        liquid = fs <= 0.0
        freezing = (fs > fs_old) & ~liquid
        e_ref = np.where(
            liquid[:, None],
            e_old,
            np.where(freezing[:, None], e_old - (g_old / g_new)[:, None] * (e_old - e_ref_old), e_ref_old),
        )
        melt_strain = self.params.beta * (fs0 - fs)
        vol = np.einsum("ni,i->n", strain, IDENTITY) - melt_strain
        stress = (k * vol)[:, None] * IDENTITY + 2.0 * g_new[:, None] * (deviator(strain) - e_ref)
        tangent = isotropic_stiffness(k, g_new)
        inelastic = e_ref + (melt_strain / 3.0)[:, None] * IDENTITY
        inelastic_old = e_ref_old + (self.params.beta * (fs0 - fs_old) / 3.0)[:, None] * IDENTITY
        dissipation = np.einsum("ni,ni->n", stress, inelastic - inelastic_old)
        new_state = np.concatenate([e_ref, fs[:, None], fs0[:, None], deviator(strain)], axis=1)
        return PointUpdate(stress, tangent, new_state, inelastic, dissipation)
