"""Fatigue drivers of a fusible joint counted over its solid phase only.

Rule. A fusible mass (a joint whose material has a ``phase_change`` law in an inelastic run) can
accumulate fatigue damage only while it is solid. Above the solidus the mass is (partly) liquid: a
liquid carries no shear, has no grain structure to crack, and re-solidifies stress-free in its
current shape, so the strain it goes through while molten is no fatigue cycle. This is the claim of
the concept text, WO 97/40958 (Tessera, 1997, "Microelectronic connections with liquid conductive
elements"): the masses are liquid in service, so the connection does not fatigue (seed digest
``NOTES.md``, concept 2). The strain-based correlations (Engelmaier, IPC-SM-785; Coffin-Manson,
Coffin 1954 / Manson 1953) are fitted to cyclic straining of solid metal and so apply to the solid
phase only.

Evaluation over the steps of the (last, stabilized) cycle, with the step temperature T_i of the
joint's interface layer and the alloy's solidus T_s:

* solid steps: T_i <= T_s (solid fraction 1 in :class:`solvers.constitutive.phase_change.PhaseChange`);
* solid stretches: maximal runs of consecutive solid steps. The cycle is periodic, so a stretch at its
  end continues into the one at its start (joined when both the first and the last step are solid);
  each stretch is one solid life of the mass between two melts (a mass that melts restarts
  stress-free);
* driver range: for each stretch the largest |x_a - x_b| over its step pairs (x: the shear-strain
  vector or the equivalent strain), the driver the largest over the stretches;
* fatigue only when some stretch has >= 2 steps; otherwise the joint is "no fatigue while liquid"
  (life = infinity, never a number made up from liquid-phase strain);
* liquid fraction of the cycle: the share of the cycle's time above the solidus, from the step
  temperatures interpolated linearly in time (exact for the piecewise-linear preset profiles, whose
  corners are steps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from postprocess.life.hysteresis import pairwise_range

NO_FATIGUE_WHILE_LIQUID = "no fatigue while liquid"
"""The reason reported for a fusible joint that is never solid over two steps of the cycle."""


@dataclass(frozen=True)
class SolidPhase:
    """The solid part of a fusible joint's cycle.

    Attributes:
        stretches: index arrays (into the cycle's steps) of the consecutive solid runs, in time order.
        solid_steps: number of solid steps.
        liquid_fraction: share of the cycle's time above the solidus (0..1).
    """

    stretches: tuple[np.ndarray, ...]
    solid_steps: int
    liquid_fraction: float

    @property
    def fatigues(self) -> bool:
        """True when some solid stretch has two or more steps (a strain range exists in the solid)."""
        return any(len(s) >= 2 for s in self.stretches)

    def largest_over_stretches(self, range_of_steps: Callable[[np.ndarray], np.ndarray]) -> np.ndarray | None:
        """The largest ``range_of_steps(stretch)`` (NaN-ignoring) over the stretches of two or more steps; None
        when there is no such stretch. ``stretch`` is an index array into the cycle's steps."""
        out: np.ndarray | None = None
        for s in self.stretches:
            if len(s) >= 2:
                r = np.asarray(range_of_steps(s), dtype=float)
                out = r if out is None else np.fmax(out, r)
        return out

    def range_of(self, values: np.ndarray) -> np.ndarray:
        """Largest |x_a - x_b| over step pairs within one stretch; ``values`` (steps, ..., components).

        Returns the (...) array of ranges, NaN when the joint does not fatigue.
        """
        v = np.asarray(values, dtype=float)
        out = self.largest_over_stretches(lambda s: pairwise_range(v[s]))
        return np.full(v.shape[1:-1], np.nan) if out is None else out


def solid_stretches(solid: np.ndarray) -> tuple[np.ndarray, ...]:
    """Maximal runs of consecutive True in ``solid``; the last run joins the first when both ends are solid."""
    solid = np.asarray(solid, dtype=bool)
    runs: list[list[int]] = []
    for i, s in enumerate(solid):
        if not s:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    if len(runs) > 1 and solid[0] and solid[-1]:
        runs[0] = runs.pop() + runs[0]
    return tuple(np.array(r, dtype=int) for r in runs)


def liquid_time_fraction(times: np.ndarray, temperatures: np.ndarray, solidus: float) -> float:
    """Share of [times[0], times[-1]] with T > solidus, T linear in time between the given points."""
    t = np.asarray(times, dtype=float)
    T = np.asarray(temperatures, dtype=float)
    total = float(t[-1] - t[0])
    if total <= 0.0:
        return float(T[0] > solidus)
    above = 0.0
    for i in range(len(t) - 1):
        dt, a, b = t[i + 1] - t[i], T[i], T[i + 1]
        if a > solidus and b > solidus:
            above += dt
        elif a > solidus or b > solidus:
            hot, cold = max(a, b), min(a, b)
            above += dt * (hot - solidus) / (hot - cold)
    return above / total


def solid_phase(
    times: np.ndarray, temperatures: np.ndarray, solidus: float, start: tuple[float, float] | None = None
) -> SolidPhase:
    """The solid stretches and liquid fraction of a cycle given by its step times [s] and temperatures [K].

    ``start`` (time, temperature) is the point the cycle starts from (the previous cycle's last step),
    when there is one: it counts for the liquid fraction, not as a step of the cycle.
    """
    t = np.asarray(times, dtype=float)
    T = np.asarray(temperatures, dtype=float)
    solid = np.less_equal(T, solidus)
    stretches = solid_stretches(solid)
    if start is not None:
        t, T = np.concatenate([[start[0]], t]), np.concatenate([[start[1]], T])
    return SolidPhase(stretches, int(solid.sum()), liquid_time_fraction(t, T, solidus))
