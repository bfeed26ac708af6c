"""Is a backward-Euler step of the heat conduction short enough for the die's temperature?

The die's temperature answers a change of its power (or of the ambient) roughly as a
first-order lag with the lumped time constant

    tau = C_die R_die,   C_die = integral_die rho c dV,   R_die = mean steady die rise per watt,

(the die as one heat capacity discharging through the package's thermal resistance to the
ambient and the fixed-temperature faces; both from the conduction model itself, see
:meth:`solvers.heat_conduction.HeatConduction.rise_per_watt`). Backward Euler with steps
r = dt / tau gives (1 + r)^-m of a unit change left after m steps where the exact lag leaves
exp(-m r). The mechanics sees the temperature at the load steps only; a load interval divided
into n backward-Euler steps (``max_time_step``) is first seen n steps after a change at its
start (a power switch), later ones 2n, 3n... steps after it. The error that can be seen is

    E(r, n) = max_{m >= n} |(1 + r)^-m - exp(-m r)|.

E(r, 1) is 1.8 % of the change at r = 0.1, 13 % at r = 1, 20 % near r = 3 and falls as
1 / (1 + r) for long steps (the die is then in quasi-steady state at the step end): one step
per interval errs by more than 2 % for 0.11 tau < dt < 49 tau. Sub-steps hide the worst
(early) error: ten sub-steps of r = 1 leave 1e-3 - 5e-5, seen at the load step. A load interval
is flagged when E(r, n) exceeds ``TOLERANCE`` (2 %). The remedy is ``[thermal] max_time_step``
= tau / 10 (E(0.1, n) <= 1.8 % for every n).

Why not the diffusion time across the die thickness, L^2 / (pi^2 alpha)? For silicon
(alpha = 9e-5 m^2/s) and L = 0.5 mm it is 0.3 ms: the die's internal gradient settles in a
fraction of any practical step, and backward Euler (L-stable) damps such fast modes correctly
(their error 1 / (1 + r) is below 1e-3 for steps over 0.3 s). What a long step gets wrong is
the die's heating and cooling through the package, whose time constant is tau above
(typically 0.1 - 10 s for a flip chip).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

TOLERANCE = 0.02
"""Largest acceptable error E(r), as a fraction of the temperature change."""
SUGGESTED_FRACTION = 0.1
"""Suggested max_time_step as a fraction of tau (E(0.1) = 1.8 %)."""


def lag_error(r: float, n: int = 1) -> float:
    """E(r, n) = max over m >= n of |(1 + r)^-m - exp(-m r)|, r = dt / tau (backward Euler on dT/dt = -T / tau)."""
    if r <= 0:
        return 0.0
    m = np.arange(n, n + max(10, math.ceil(20.0 / r)) + 1, dtype=float)
    return float(np.max(np.abs((1.0 + r) ** -m - np.exp(-m * r))))


@dataclass(frozen=True)
class StepCheck:
    """Outcome of the check: tau (s), the longest backward-Euler step (s), the flagged steps and the warning text."""

    tau: float
    longest_step: float
    flagged: list[tuple[float, float, float, int]]  # (interval start, end, step length) in s, steps
    suggested_max_time_step: float

    @property
    def warning(self) -> str | None:
        """One message naming the worst interval and the remedy; None when every step is fine."""
        if not self.flagged:
            return None
        t0, t1, dt, n = max(self.flagged, key=lambda f: lag_error(f[2] / self.tau, f[3]))
        error = 100 * lag_error(dt / self.tau, n)
        return (
            f"heat conduction: backward-Euler steps too long for the die's thermal time constant "
            f"tau = C_die R_die = {self.tau:.3g} s in {len(self.flagged)} load interval(s), e.g. {n} step(s) of "
            f"{dt:.3g} s from t = {t0:.6g} to {t1:.6g} s: up to {error:.0f} % error in the die's temperature "
            f"change; set [thermal] max_time_step = '{self.suggested_max_time_step:.2g} s' (tau / 10, error < 2 %)"
        )


def backward_euler_steps(times: list[float], max_time_step: float | None) -> list[tuple[float, float, float, int]]:
    """(start, end, step length, number of steps) of the backward Euler between consecutive load-step times.

    As :meth:`solvers.heat_conduction.HeatConduction.advance` takes them: ceil(span / max_time_step)
    equal steps per interval, one without ``max_time_step``.
    """
    out = []
    for t0, t1 in pairwise(times):
        span = t1 - t0
        if span <= 1e-12 * max(abs(t1), 1.0):
            continue
        n = 1 if max_time_step is None else max(1, math.ceil(span / max_time_step - 1e-9))
        out.append((t0, t1, span / n, n))
    return out


def check_time_steps(times: list[float], max_time_step: float | None, tau: float) -> StepCheck:
    """Flag the load intervals whose backward-Euler steps give E(dt / tau) > TOLERANCE."""
    steps = backward_euler_steps(times, max_time_step)
    flagged = [s for s in steps if lag_error(s[2] / tau, s[3]) > TOLERANCE]
    longest = max((s[2] for s in steps), default=0.0)
    return StepCheck(tau, longest, flagged, SUGGESTED_FRACTION * tau)
