"""Load increments between two load steps: finer on ramps, geometric in dwells, dense through melting.

A load step (t_a, T_a) -> (t_b, T_b) is divided into increments:

- a ramp (T changes): ``substeps_per_ramp`` equal increments; the ramp is first split at every
  solidus and liquidus temperature of the model's materials it crosses, and a piece lying
  between a material's solidus and liquidus gets ``phase_change_substeps`` increments (latent
  and melt strains change fast there);
- a dwell (T constant, dt > 0): ``dwell_substeps`` increments growing by a factor 2,
  dt_k = dt 2^k / (2^n - 1), k = 0..n-1: creep and relaxation rates are largest at the start
  of a dwell and decay roughly exponentially (Maxwell time), so equal steps would waste most.

Temperatures are uniform (float) or per cell (array); arrays are interpolated linearly and
only uniform ramps are split at phase-change temperatures.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from fem_package.case.inelastic import InelasticSettings

Temperature = float | np.ndarray


def _uniform(t: Temperature) -> float | None:
    """The single value of a uniform temperature (float or constant array), else None."""
    if isinstance(t, np.ndarray):
        return float(t.flat[0]) if t.size and np.all(t == t.flat[0]) else None
    return float(t)


def interpolate(a: Temperature, b: Temperature, s: float) -> Temperature:
    """(1 - s) a + s b for floats or per-cell arrays."""
    return b if s == 1.0 else a + s * (b - a)


def _equal(a: Temperature, b: Temperature) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


def dwell_fractions(n: int) -> list[float]:
    """End fractions of n geometrically growing increments (ratio 2) of a dwell."""
    total = 2.0**n - 1.0
    return [(2.0 ** (k + 1) - 1.0) / total for k in range(n)]


def ramp_fractions(
    t_a: Temperature, t_b: Temperature, settings: InelasticSettings, phase_ranges: list[tuple[float, float]]
) -> list[float]:
    """End fractions of the increments of a ramp from temperature t_a to t_b."""
    ua, ub = _uniform(t_a), _uniform(t_b)
    n = settings.substeps_per_ramp
    if ua is None or ub is None or not phase_ranges or settings.phase_change_substeps == 0:
        return [(k + 1) / n for k in range(n)]
    lo, hi = min(ua, ub), max(ua, ub)
    cuts = sorted({x for pair in phase_ranges for x in pair if lo < x < hi})
    knots = [0.0, *[(x - ua) / (ub - ua) for x in (cuts if ub > ua else cuts[::-1])], 1.0]
    out: list[float] = []
    for f0, f1 in pairwise(knots):
        mid = ua + 0.5 * (f0 + f1) * (ub - ua)
        melting = any(s <= mid <= liq for s, liq in phase_ranges)
        # a piece gets its share of the ramp's increments, at least one; more inside a melting range
        share = max(1, round(n * (f1 - f0)))
        m = max(share, settings.phase_change_substeps) if melting else share
        out.extend(f0 + (k + 1) / m * (f1 - f0) for k in range(m))
    return out


def subdivide(
    time_a: float,
    temp_a: Temperature,
    time_b: float,
    temp_b: Temperature,
    settings: InelasticSettings,
    phase_ranges: list[tuple[float, float]],
) -> list[tuple[float, Temperature]]:
    """(time, temperature) at the end of every increment from (time_a, temp_a) to (time_b, temp_b)."""
    if _equal(temp_a, temp_b):
        if time_b <= time_a:
            return [(time_b, temp_b)]
        fractions = dwell_fractions(settings.dwell_substeps)
    else:
        fractions = ramp_fractions(temp_a, temp_b, settings, phase_ranges)
    return [(time_a + f * (time_b - time_a), interpolate(temp_a, temp_b, f)) for f in fractions]
