"""Chamber temperature profiles for thermal cycling, and their division into load steps.

Presets follow JEDEC JESD22-A104 (Temperature Cycling), Table 1 test conditions:
the nominal low and high chamber temperatures of each lettered condition. The standard
fixes the extremes and dwell ("soak") rules; ramp and dwell times are case parameters
(default 15 min ramp, 15 min dwell: one cycle per hour, the common practice).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from fem_package.units import ZERO_CELSIUS

JESD22_A104_CONDITIONS: dict[str, tuple[float, float]] = {
    "A": (-55.0, 85.0),
    "B": (-55.0, 125.0),
    "C": (-65.0, 150.0),
    "G": (-40.0, 125.0),
    "H": (-55.0, 150.0),
    "I": (-40.0, 115.0),
    "J": (0.0, 100.0),
    "K": (0.0, 125.0),
    "L": (-55.0, 110.0),
    "M": (-40.0, 150.0),
    "N": (-40.0, 85.0),
}
"""Condition letter -> (T_min, T_max) in degrees C, JESD22-A104 Table 1."""


def preset_name(letter: str) -> str:
    """Case-file name of a JESD22-A104 condition, e.g. 'JESD22-A104-G'."""
    return f"JESD22-A104-{letter}"


PRESETS = {preset_name(k): v for k, v in JESD22_A104_CONDITIONS.items()}


def cycle_points(
    t_min: float, t_max: float, t_start: float, ramp_time: float, dwell_time: float, cycles: int
) -> list[tuple[float, float]]:
    """Corner points (time s, temperature K) of a trapezoidal cycle.

    The chamber starts at ``t_start``, ramps to ``t_max`` at the cycle's ramp rate,
    then repeats ``cycles`` times: hot dwell, ramp down, cold dwell, ramp up.
    """
    rate = (t_max - t_min) / ramp_time
    points = [(0.0, t_start)]
    t = abs(t_max - t_start) / rate
    if t > 0:
        points.append((t, t_max))
    for _ in range(cycles):
        for target, dwell in ((t_min, dwell_time), (t_max, dwell_time)):
            t += dwell
            points.append((t, points[-1][1]))
            t += ramp_time
            points.append((t, target))
    return points


@dataclass(frozen=True)
class LoadStep:
    """One quasi-static step: time, uniform chamber temperature, and where it lies in the profile."""

    index: int
    time: float
    temperature: float
    cycle: int
    segment: str  # "ramp_up", "ramp_down", "dwell_hot", "dwell_cold", "start"


def divide(
    points: list[tuple[float, float]],
    steps_per_ramp: int,
    steps_per_dwell: int,
    period: float | None = None,
    offset: float = 0.0,
) -> list[LoadStep]:
    """Divide a piecewise-linear profile into load steps.

    Each segment whose temperature changes gets ``steps_per_ramp`` equal steps, each
    segment at constant temperature ``steps_per_dwell`` steps. With ``period`` (s), a
    step at time t > ``offset`` belongs to cycle ceil((t - offset) / period); steps up
    to ``offset`` (the initial ramp) and all steps of a profile without period are cycle 0.
    """
    t0, temp0 = points[0]
    steps = [LoadStep(0, t0, temp0, 0, "start")]
    hot = max(p[1] for p in points)
    for (ta, ya), (tb, yb) in pairwise(points):
        n = steps_per_dwell if yb == ya else steps_per_ramp
        if yb > ya:
            segment = "ramp_up"
        elif yb < ya:
            segment = "ramp_down"
        else:
            segment = "dwell_hot" if ya == hot else "dwell_cold"
        for k in range(1, n + 1):
            t = ta + k / n * (tb - ta)
            cycle = 0
            if period is not None and t > offset:
                cycle = int(np.ceil((t - offset) / period - 1e-9))
            steps.append(LoadStep(len(steps), t, ya + k / n * (yb - ya), cycle, segment))
    return steps


def celsius_pair(name: str) -> tuple[float, float]:
    """(T_min, T_max) in K of a preset name."""
    lo, hi = PRESETS[name]
    return lo + ZERO_CELSIUS, hi + ZERO_CELSIUS
