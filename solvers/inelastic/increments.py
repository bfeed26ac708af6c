"""Load increments between two load steps: finer on ramps, geometric in dwells, dense through melting.

A load step (t_a, T_a) -> (t_b, T_b) is divided into increments:

- a ramp (T changes): ``substeps_per_ramp`` equal increments; the ramp is first split at every
  solidus and liquidus temperature of the model's materials it crosses, and a piece lying
  between a material's solidus and liquidus gets ``phase_change_substeps`` increments (latent
  and melt strains change fast there);
- the start of a ramp that follows a dwell or reverses the previous ramp (the stress reversal of
  a thermal cycle): its first increment is split into ``ramp_start_substeps`` increments growing
  by a factor 2 towards the ramp's steady part (end fractions f_1 2^(k-m), k = 1..m). Solder that
  relaxed in the dwell reloads in the opposite sense there; with the whole first increment at
  once, the Anand flow rate (an exponential of the stress) makes Newton crawl (measured on the
  default case: 10-12 iterations in the first heat-up increment after the cold dwell, 9 with its
  first 41 K split in 2, 3 with it split in 3; at most 6 in any increment then);
- a dwell (T constant, dt > 0): ``dwell_substeps`` increments growing by a factor 2,
  dt_k = dt 2^k / (2^n - 1), k = 0..n-1: creep and relaxation rates are largest at the start
  of a dwell and decay roughly exponentially (Maxwell time), so equal steps would waste most.

Temperatures are uniform (float) or per cell (array); arrays are interpolated linearly and
only uniform ramps are split at phase-change temperatures.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from fem_package.case.inelastic import InelasticSettings
from fem_package.fenics import MPI

Temperature = float | np.ndarray


def _uniform(t: Temperature, comm: Any = None) -> float | None:
    """The single value of a uniform temperature (float or constant array), else None.

    With ``comm`` the answer is the same on every rank: the value all cells on all ranks share
    (a rank without cells has no say). Increment plans built from rank-local answers would differ
    between ranks, and the ranks would then disagree on the number of (collective) Newton solves.
    """
    if not isinstance(t, np.ndarray):
        return float(t)
    if comm is None:
        return float(t.flat[0]) if t.size and np.all(t == t.flat[0]) else None
    local = {float(t.flat[0]) if np.all(t == t.flat[0]) else None} if t.size else set()
    values = set().union(*comm.allgather(local))
    return values.pop() if len(values) == 1 and None not in values else None


def interpolate(a: Temperature, b: Temperature, s: float) -> Temperature:
    """(1 - s) a + s b for floats or per-cell arrays."""
    return b if s == 1.0 else a + s * (b - a)


def equal_temperatures(a: Temperature, b: Temperature, comm: Any = None) -> bool:
    """a == b at every cell (of every rank, with ``comm``: a decision all ranks share)."""
    local = bool(np.array_equal(np.asarray(a), np.asarray(b)))
    return local if comm is None else bool(comm.allreduce(local, op=MPI.LAND))


def dwell_fractions(n: int) -> list[float]:
    """End fractions of n geometrically growing increments (ratio 2) of a dwell."""
    total = 2.0**n - 1.0
    return [(2.0 ** (k + 1) - 1.0) / total for k in range(n)]


def ramp_fractions(
    t_a: Temperature,
    t_b: Temperature,
    settings: InelasticSettings,
    phase_ranges: list[tuple[float, float]],
    comm: Any = None,
) -> list[float]:
    """End fractions of the increments of a ramp from temperature t_a to t_b (the same on all ranks of ``comm``)."""
    ua, ub = _uniform(t_a, comm), _uniform(t_b, comm)
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


def graded_start(fractions: list[float], pieces: int) -> list[float]:
    """``fractions`` with its first increment (0, f_1) split into ``pieces`` growing by 2: f_1 2^(k-m), k = 1..m."""
    first = fractions[0]
    return [first * 2.0 ** (k - pieces) for k in range(1, pieces)] + fractions


def ramp_direction(temp_a: Temperature, temp_b: Temperature, comm: Any = None) -> int:
    """Sign of the mean temperature change from a to b (over all cells of all ranks with ``comm``): +1, -1 or 0."""
    change = np.asarray(temp_b, dtype=float) - np.asarray(temp_a, dtype=float)
    total, count = float(np.sum(change)), change.size
    if comm is not None:
        total, count = comm.allreduce(total, op=MPI.SUM), comm.allreduce(count, op=MPI.SUM)
    mean = total / max(count, 1)
    return 0 if mean == 0.0 else (1 if mean > 0.0 else -1)


def subdivide(
    time_a: float,
    temp_a: Temperature,
    time_b: float,
    temp_b: Temperature,
    settings: InelasticSettings,
    phase_ranges: list[tuple[float, float]],
    comm: Any = None,
    previous_direction: int | None = None,
) -> list[tuple[float, Temperature]]:
    """(time, temperature) at the end of every increment from (time_a, temp_a) to (time_b, temp_b).

    ``previous_direction`` is the :func:`ramp_direction` of the load step before (0 after a dwell,
    None at the start of the run): a ramp that does not continue it gets a graded start. Per-cell
    temperatures are rank-local: pass the mesh's ``comm`` so every rank plans the same increments.
    """
    if equal_temperatures(temp_a, temp_b, comm):
        if time_b <= time_a:
            return [(time_b, temp_b)]
        fractions = dwell_fractions(settings.dwell_substeps)
    else:
        fractions = ramp_fractions(temp_a, temp_b, settings, phase_ranges, comm)
        if ramp_direction(temp_a, temp_b, comm) != previous_direction:
            fractions = graded_start(fractions, settings.ramp_start_substeps)
    return [(time_a + f * (time_b - time_a), interpolate(temp_a, temp_b, f)) for f in fractions]
