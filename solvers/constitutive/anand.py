"""Anand viscoplasticity for solders, implicit (backward Euler) radial return with consistent tangent.

Model (Anand, Int. J. Plast. 1 (1985) 213; Brown, Kim & Anand, Int. J. Plast. 5 (1989) 95; solder
use: Darveaux 2000, Wang et al., J. Electron. Packag. 123 (2001) 247), small strain, von Mises
equivalent stress q = sqrt(3/2 s:s), equivalent inelastic strain rate p' :

    p' = A exp(-Q/RT) [sinh(xi q / s)]^(1/m),        d eps_in = (3/2) p' s_dev / q dt,
    s' = h0 |B|^a sign(B) p',   B = 1 - s / s*,       s* = s_hat [p' exp(Q/RT) / A]^n.

(In uniaxial tension q = |sigma| and p' is the axial inelastic strain rate, the convention of the
published uniaxial fits.) Backward Euler over [t_n, t_n+1] at T_n+1 with Z = A exp(-Q/RT_n+1) dt and
the unknown increment dp = p'_n+1 dt:

    q_n+1 = q_tr - 3G dp = (s_n+1 / xi) asinh[(dp / Z)^m]                    (flow rule inverted)
    s_n+1 - s_n - h0 dp |B|^a sign(B) = 0,   s* = s_hat (dp / Z)^n             (evolution)

For a given dp the evolution equation has one root s(dp), bracketed by s_n and s*; the flow equation
F(dp) = q_tr - 3G dp - s(dp)/xi asinh[(dp/Z)^m] = 0 is then solved for x = ln(dp) by Newton's method
safeguarded by bisection on a bracket [ln(dp_max) - 120, ln(dp_max)], dp_max = q_tr / 3G (F > 0 at
the lower end, F < 0 at the upper), vectorized over points. The consistent tangent follows from
dF = 0: d dp / d q_tr = 1 / (3G + h'), h' = d[s/xi asinh((dp/Z)^m)]/d dp (total derivative through
s(dp)), see :mod:`solvers.constitutive.radial_return`.

At steady state (s = s*, constant p') the stress saturates at

    q* = (s_hat / xi) (p'/A e^{Q/RT})^n asinh[(p'/A e^{Q/RT})^m],

which the backward-Euler update reproduces exactly (used by the verification test).

State per point: inelastic strain (6, Mandel), deformation resistance s (Pa), accumulated equivalent
inelastic strain p. Dissipation: sigma_n+1 : d eps_in = q_n+1 dp.
"""

from __future__ import annotations

import numpy as np

from fem_package.constitutive_data import AnandParameters
from fem_package.materials import Material
from solvers.constitutive.base import IDENTITY, PointUpdate, bulk_shear, deviator
from solvers.constitutive.radial_return import SQRT32, radial_return_tangent, trial_direction

LOG_SPAN = 120.0
"""Bracket width in ln(dp) below dp_max; increments smaller than dp_max e^-120 count as zero."""
NEWTON_TOL = 1e-12
MAX_ITER = 80


def _asinh_exp(z: np.ndarray) -> np.ndarray:
    """asinh(exp(z)) without overflow."""
    zc = np.minimum(z, 0.0)
    big = np.maximum(z, 0.0)
    return np.where(z > 0.0, big + np.log1p(np.sqrt(1.0 + np.exp(-2.0 * big))), np.arcsinh(np.exp(zc)))


def _dasinh_exp(z: np.ndarray) -> np.ndarray:
    """d/dz asinh(exp(z)) = e^z / sqrt(1 + e^2z) = 1 / sqrt(1 + e^-2z), without overflow."""
    return np.where(z > 0.0, 1.0 / np.sqrt(1.0 + np.exp(-2.0 * np.maximum(z, 0.0))), 0.0) + np.where(
        z <= 0.0, np.exp(np.minimum(z, 0.0)) / np.sqrt(1.0 + np.exp(2.0 * np.minimum(z, 0.0))), 0.0
    )


class Anand:
    """Anand viscoplastic model at quadrature points (vectorized)."""

    name = "anand"
    state_size = 8

    def __init__(self, material: Material, params: AnandParameters):
        self.material = material
        self.p = params

    def initial_state(self, n: int, temperature: np.ndarray) -> np.ndarray:
        state = np.zeros((n, self.state_size))
        state[:, 6] = self.p.s0
        return state

    def saturation_stress(self, rate: np.ndarray, temperature: np.ndarray) -> np.ndarray:
        """Closed-form steady-state equivalent stress q*(p', T) (Pa) of the model."""
        z = np.asarray(rate) * np.exp(self.p.q_over_r / np.asarray(temperature)) / self.p.a_factor
        return self.p.s_hat / self.p.xi * z**self.p.n * np.arcsinh(z**self.p.m)

    # -- the two scalar equations -------------------------------------------------------------
    def _resistance(self, dp: np.ndarray, x_rel: np.ndarray, s_old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """s(dp) solving the backward-Euler evolution equation, and ds/dx (x = ln dp).

        ``x_rel`` = ln(dp / Z). g(s) = s - s_n - h0 dp |B|^a sign(B) is increasing in s with its
        root between s_n and s*; Newton from s_n with bisection fallback.
        """
        p = self.p
        s_star = p.s_hat * np.exp(p.n * x_rel)
        lo, hi = np.minimum(s_old, s_star), np.maximum(s_old, s_star)
        s = s_old.copy()
        act = np.arange(s.size)  # points still iterating (each point's iterates do not depend on the batch)
        for _ in range(MAX_ITER):
            sa, ss, da = s[act], s_star[act], dp[act]
            b = 1.0 - sa / ss
            ab = np.abs(b)
            g = sa - s_old[act] - p.h0 * da * ab**p.a * np.sign(b)
            dg = 1.0 + p.h0 * da * p.a * ab ** (p.a - 1.0) / ss
            lo_a = np.where(g < 0.0, sa, lo[act])
            hi_a = np.where(g > 0.0, sa, hi[act])
            s_new = sa - g / dg
            s_new = np.where((s_new <= lo_a) | (s_new >= hi_a), 0.5 * (lo_a + hi_a), s_new)
            done = np.abs(s_new - sa) <= NEWTON_TOL * np.abs(ss)
            lo[act], hi[act] = lo_a, hi_a
            keep = act[~done]
            s[keep] = s_new[~done]
            act = keep
            if act.size == 0:
                break
        b = 1.0 - s / s_star
        ab = np.abs(b)
        dg_ds = 1.0 + p.h0 * dp * p.a * ab ** (p.a - 1.0) / s_star
        dg_dx = -p.h0 * dp * (ab**p.a * np.sign(b) + p.a * ab ** (p.a - 1.0) * p.n * s / s_star)
        return s, -dg_dx / dg_ds

    def _flow(
        self, x: np.ndarray, log_z: np.ndarray, s_old: np.ndarray, q_trial: np.ndarray, g: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """F(x), dF/dx, s(x) and the flow resistance slope h' = dh/d dp at x = ln dp."""
        dp = np.exp(x)
        x_rel = x - log_z
        s, ds_dx = self._resistance(dp, x_rel, s_old)
        zeta = self.p.m * x_rel
        ash = _asinh_exp(zeta)
        dh_dx = ds_dx * ash / self.p.xi + s / self.p.xi * self.p.m * _dasinh_exp(zeta)
        f = q_trial - 3.0 * g * dp - s / self.p.xi * ash
        return f, -3.0 * g * dp - dh_dx, s, dh_dx / dp

    def update(
        self,
        strain: np.ndarray,
        state: np.ndarray,
        temperature_old: np.ndarray,
        temperature: np.ndarray,
        dt: float,
    ) -> PointUpdate:
        npts = strain.shape[0]
        t = np.broadcast_to(np.asarray(temperature, dtype=float), (npts,))
        k, g = bulk_shear(self.material, t)
        eps_in, s_old, p_acc = state[:, 0:6], state[:, 6], state[:, 7]
        s_trial = 2.0 * g[:, None] * deviator(strain - eps_in)
        direction, q_trial = trial_direction(s_trial)

        active = (q_trial > 1e-14 * g) & (dt > 0.0)
        d_gamma = np.zeros(npts)
        s_new = s_old.copy()
        slope = np.zeros(npts)
        if np.any(active):
            idx = np.nonzero(active)[0]
            ga, qa, sa = g[idx], q_trial[idx], s_old[idx]
            log_z = np.log(self.p.a_factor * dt) - self.p.q_over_r / t[idx]
            hi = np.log(qa / (3.0 * ga))
            lo = hi - LOG_SPAN
            # Start from the explicit (forward) estimate, clipped into the bracket.
            x = np.clip(log_z + np.log(np.sinh(np.minimum(self.p.xi * qa / sa, 700.0))) / self.p.m, lo + 1.0, hi - 1e-9)
            x_done, s_done, h_done = np.empty_like(x), np.empty_like(x), np.empty_like(x)
            act = np.arange(x.size)  # points still iterating; converged ones are set aside
            for _ in range(MAX_ITER):
                xa, lo_a, hi_a = x[act], lo[act], hi[act]
                f, df, s_cur, h_slope = self._flow(xa, log_z[act], sa[act], qa[act], ga[act])
                lo_a = np.where(f > 0.0, xa, lo_a)
                hi_a = np.where(f < 0.0, xa, hi_a)
                converged = (np.abs(f) <= NEWTON_TOL * qa[act]) | (hi_a - lo_a <= 1e-13 * np.maximum(1.0, np.abs(xa)))
                fin = act[converged]
                x_done[fin], s_done[fin], h_done[fin] = xa[converged], s_cur[converged], h_slope[converged]
                x_new = xa - f / df
                bad = ~np.isfinite(x_new) | (x_new <= lo_a) | (x_new >= hi_a)
                x_new = np.where(bad, 0.5 * (lo_a + hi_a), x_new)
                lo[act], hi[act], x[act] = lo_a, hi_a, x_new
                act = act[~converged]
                if act.size == 0:
                    break
            else:
                raise RuntimeError(f"Anand return mapping did not converge at {act.size} points")
            d_gamma[idx], s_new[idx], slope[idx] = np.exp(x_done), s_done, h_done

        d_eps_in = (SQRT32 * d_gamma)[:, None] * direction
        new_eps_in = eps_in + d_eps_in
        pressure = k * np.einsum("ni,i->n", strain, IDENTITY)
        stress = pressure[:, None] * IDENTITY + s_trial - 2.0 * g[:, None] * d_eps_in
        tangent = radial_return_tangent(k, g, direction, d_gamma, q_trial, slope)
        new_state = np.concatenate([new_eps_in, s_new[:, None], (p_acc + d_gamma)[:, None]], axis=1)
        dissipation = np.einsum("ni,ni->n", stress, d_eps_in)
        return PointUpdate(stress, tangent, new_state, new_eps_in, dissipation)
