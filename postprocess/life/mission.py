"""Mission profiles: rainflow counting (ASTM E1049), Miner's rule, Norris-Landzberg.

A field temperature history (CSV: time, temperature) is reduced to reversals and counted with
the ``rainflow`` package (ASTM E1049-85 (2017) rainflow counting, half cycles kept as 0.5).
Each cycle class (range, mean, count, frequency) is mapped to cycles to failure by a user
life function ``life(delta_T, mean_T, frequency) -> N`` (arrays in K, K, Hz), and the damage
sum D = sum(n_i / N_i) (Palmgren-Miner) of one pass of the history gives the life
duration / D. Temperatures are kelvin, times seconds inside.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rainflow
from numpy.typing import ArrayLike

from fem_package.units import ZERO_CELSIUS, to_si
from postprocess.life._arrays import FloatArray, as_float_array, positive, scalar_or_array
from postprocess.life.constants import NorrisLandzbergConstants

SECONDS_PER_YEAR = 365.25 * 86400.0
LifeFunction = Callable[[FloatArray, FloatArray, FloatArray], ArrayLike]

_HEADER = re.compile(r"^\s*(\w+)\s*[\[(]\s*([^\])]+?)\s*[\])]\s*$")


@dataclass(frozen=True)
class TemperatureHistory:
    """A temperature history: ``time`` in s (increasing), ``temperature`` in K."""

    time: FloatArray
    temperature: FloatArray

    def __post_init__(self) -> None:
        if self.time.shape != self.temperature.shape or self.time.ndim != 1 or self.time.size < 2:
            raise ValueError("time and temperature must be 1-D arrays of the same length >= 2")
        if np.any(np.diff(self.time) <= 0):
            raise ValueError("time must increase strictly")
        if np.any(self.temperature <= 0):
            raise ValueError("temperatures must be above absolute zero (kelvin inside)")

    @property
    def duration(self) -> float:
        """Length of the history in s."""
        return float(self.time[-1] - self.time[0])


def _temperature_scale(unit: str) -> tuple[float, float]:
    """(scale, offset) such that T[K] = scale * value + offset."""
    u = unit.replace("°", "").replace("deg", "").strip()
    if u == "C":
        return 1.0, ZERO_CELSIUS
    if u == "K":
        return 1.0, 0.0
    if u == "F":
        return 5.0 / 9.0, ZERO_CELSIUS - 32.0 * 5.0 / 9.0
    raise ValueError(f"temperature unit {unit!r} is not C, K or F")


def read_temperature_history(path: str | Path) -> TemperatureHistory:
    """Read a CSV with a header ``time [unit], temperature [unit]`` (e.g. ``time [h],temperature [C]``).

    Units are required in the header so that hours and Celsius cannot be mistaken for seconds
    and kelvin; any pint time unit and C, K or F are accepted.
    """
    p = Path(path)
    with p.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].lstrip().startswith("#")]
    if len(rows) < 3:
        raise ValueError(f"{p}: needs a header and at least two rows")
    header = rows[0]
    if len(header) < 2:
        raise ValueError(f"{p}: header must have two columns 'time [unit], temperature [unit]'")
    parsed = [_HEADER.match(h) for h in header[:2]]
    if not all(parsed) or [m.group(1).lower() for m in parsed if m] != ["time", "temperature"]:
        raise ValueError(
            f"{p}: header {header[:2]} must read 'time [unit], temperature [unit]', e.g. 'time [h],temperature [C]'"
        )
    time_unit, temp_unit = (m.group(2) for m in parsed if m)
    seconds = to_si(f"1 {time_unit}", "[time]")
    scale, offset = _temperature_scale(temp_unit)
    try:
        data = np.array([[float(r[0]), float(r[1])] for r in rows[1:]], dtype=np.float64)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{p}: every data row needs two numbers ({exc})") from None
    return TemperatureHistory(data[:, 0] * seconds, data[:, 1] * scale + offset)


@dataclass(frozen=True)
class CycleTable:
    """Rainflow cycles, one entry per extracted cycle (count 1.0) or half cycle (0.5).

    ``range`` and ``mean`` in K; ``frequency`` in Hz estimated as 1 / (2 t_half), t_half the time
    between the cycle's two reversals (exact for a symmetric cycle, a dwell-inclusive estimate
    otherwise).
    """

    range: FloatArray
    mean: FloatArray
    count: FloatArray
    frequency: FloatArray

    @property
    def maximum(self) -> FloatArray:
        """Peak temperature of each cycle, mean + range / 2."""
        return self.mean + 0.5 * self.range

    @property
    def total_count(self) -> float:
        """Number of cycles, half cycles counting 0.5."""
        return float(np.sum(self.count))

    def histogram(self, ndigits: int = 9) -> dict[float, float]:
        """Counts summed by range (rounded to ``ndigits``), as in ASTM E1049 count tables."""
        out: dict[float, float] = {}
        for r, c in zip(self.range, self.count, strict=True):
            key = round(float(r), ndigits)
            out[key] = out.get(key, 0.0) + float(c)
        return dict(sorted(out.items()))


def rainflow_cycles(values: ArrayLike, time: ArrayLike | None = None) -> CycleTable:
    """ASTM E1049 rainflow cycles of a load (temperature) sequence, with residual half cycles.

    Args:
        values: the sequence (e.g. temperatures in K); reversals are extracted by ``rainflow``.
        time: sample times in s; without them every frequency is NaN.
    """
    v = as_float_array(values, "values")
    t = None if time is None else as_float_array(time, "time")
    if t is not None and t.shape != v.shape:
        raise ValueError("time and values differ in length")
    rows = list(rainflow.extract_cycles(v))
    if not rows:
        empty = np.zeros(0)
        return CycleTable(empty, empty.copy(), empty.copy(), empty.copy())
    arr = np.array(rows, dtype=np.float64)
    if t is None:
        freq = np.full(len(rows), np.nan)
    else:
        i0, i1 = arr[:, 3].astype(np.int64), arr[:, 4].astype(np.int64)
        half = np.abs(t[i1] - t[i0])
        with np.errstate(divide="ignore"):
            freq = np.where(half > 0, 0.5 / np.where(half > 0, half, 1.0), np.inf)
    return CycleTable(arr[:, 0], arr[:, 1], arr[:, 2], freq)


def history_cycles(history: TemperatureHistory) -> CycleTable:
    """Rainflow cycles of a temperature history (ranges in K, frequencies in Hz)."""
    return rainflow_cycles(history.temperature, history.time)


def miner_damage(cycles: CycleTable, life: LifeFunction) -> float:
    """Palmgren-Miner damage D = sum_i n_i / N_i, N_i = life(range_i, mean_i, frequency_i).

    Cycles of zero range do no damage. A life function returning inf means no damage.
    """
    keep = cycles.range > 0
    if not np.any(keep):
        return 0.0
    n = np.asarray(life(cycles.range[keep], cycles.mean[keep], cycles.frequency[keep]), dtype=np.float64)
    n = np.broadcast_to(n, cycles.range[keep].shape)
    if np.any(np.isnan(n)) or np.any(n <= 0):
        raise ValueError("the life function returned NaN or non-positive cycles to failure")
    return float(np.sum(cycles.count[keep] / n))


@dataclass(frozen=True)
class MissionLife:
    """Miner result for a history that repeats: damage per pass and the life it implies."""

    damage_per_pass: float
    pass_duration: float  # s

    @property
    def passes_to_failure(self) -> float:
        """1 / D (inf for no damage)."""
        return math.inf if self.damage_per_pass == 0 else 1.0 / self.damage_per_pass

    @property
    def seconds(self) -> float:
        """Life in s."""
        return self.passes_to_failure * self.pass_duration

    @property
    def years(self) -> float:
        """Life in years of 365.25 days."""
        return self.seconds / SECONDS_PER_YEAR


def mission_life(history: TemperatureHistory, life: LifeFunction) -> MissionLife:
    """Rainflow-count ``history`` and sum its Miner damage; the history is taken to repeat."""
    return MissionLife(miner_damage(history_cycles(history), life), history.duration)


def norris_landzberg_factor(
    range_test: ArrayLike,
    range_field: ArrayLike,
    rate_test: ArrayLike,
    rate_field: ArrayLike,
    max_temperature_test: ArrayLike,
    max_temperature_field: ArrayLike,
    constants: NorrisLandzbergConstants,
) -> Any:
    """Norris-Landzberg acceleration factor AF = N_field / N_test.

    AF = (dT_t/dT_f)^n (f_f/f_t)^m exp(Ea/k (1/T_max,f - 1/T_max,t)).

    Args:
        range_test, range_field: temperature ranges in K.
        rate_test, rate_field: cycle frequencies (any one unit, e.g. Hz). For Pan et al.'s SAC fit
            the rate term is built from the dwell time at T_max: pass 1/dwell for both.
        max_temperature_test, max_temperature_field: peak temperatures in K.
        constants: e.g. ``NorrisLandzbergConstants.from_library("norris_landzberg_snpb")``.
    """
    k = constants
    af = (
        (positive(range_test, "range_test") / positive(range_field, "range_field")) ** k.n
        * (positive(rate_field, "rate_field") / positive(rate_test, "rate_test")) ** k.m
        * np.exp(
            k.activation_temperature
            * (
                1.0 / positive(max_temperature_field, "max_temperature_field")
                - 1.0 / positive(max_temperature_test, "max_temperature_test")
            )
        )
    )
    return scalar_or_array(af)


def norris_landzberg_life(
    test_cycles: float,
    range_test: float,
    frequency_test: float,
    max_temperature_test: float,
    constants: NorrisLandzbergConstants,
) -> LifeFunction:
    """A life function for :func:`miner_damage` from one test result scaled by Norris-Landzberg.

    N(dT, T_mean, f) = N_test * AF(dT, f, T_max = T_mean + dT/2). Frequencies in Hz.
    """
    if test_cycles <= 0:
        raise ValueError(f"test_cycles must be > 0, got {test_cycles}")

    def life(delta_t: FloatArray, mean_t: FloatArray, frequency: FloatArray) -> FloatArray:
        t_max = mean_t + 0.5 * delta_t
        af = norris_landzberg_factor(
            range_test, delta_t, frequency_test, frequency, max_temperature_test, t_max, constants
        )
        return np.asarray(test_cycles * np.asarray(af), dtype=np.float64)

    return life
