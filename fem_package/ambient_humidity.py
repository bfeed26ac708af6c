"""Ambient temperature and humidity histories for moisture ingress: test presets and field climates.

Presets (steady chamber conditions):
  * ``85C/85RH``: JESD22-A101 steady-state temperature-humidity (bias) life test, 85 C / 85 % RH;
  * ``HAST-130C/85RH``: JESD22-A110 (biased) / JESD22-A118 (unbiased) highly accelerated stress
    test, 130 C / 85 % RH (the chamber is pressurized so the vapour stays unsaturated);
  * ``HAST-110C/85RH``: the same standards' 110 C / 85 % RH condition.
A field climate is a CSV time series (``time``, ``temperature``, ``RH``), interpolated linearly and
optionally repeated (a measured year, a daily cycle).

CSV format: one header row naming the columns with their unit, then numbers, e.g.::

    time_h,temperature_C,rh_percent
    0,12.5,81
    1,12.1,84

time: ``time_s``, ``time_min``, ``time_h`` or ``time_d``; temperature: ``temperature_C`` or
``temperature_K``; humidity: ``rh_percent`` or ``rh`` (fraction 0 - 1).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fem_package.units import ZERO_CELSIUS

PRESETS: dict[str, tuple[float, float, str]] = {
    "85C/85RH": (85.0 + ZERO_CELSIUS, 0.85, "JESD22-A101 temperature-humidity life test"),
    "HAST-130C/85RH": (130.0 + ZERO_CELSIUS, 0.85, "JESD22-A110 / A118 HAST"),
    "HAST-110C/85RH": (110.0 + ZERO_CELSIUS, 0.85, "JESD22-A110 / A118 HAST"),
}
"""Preset name -> (temperature K, relative humidity fraction, standard)."""

_TIME = {"time_s": 1.0, "time_min": 60.0, "time_h": 3600.0, "time_d": 86400.0}
_TEMPERATURE = {"temperature_c": ZERO_CELSIUS, "temperature_k": 0.0}
_HUMIDITY = {"rh_percent": 0.01, "rh": 1.0}


@dataclass(frozen=True)
class AmbientClimate:
    """Ambient temperature (K) and relative humidity (fraction) as functions of time (s)."""

    name: str
    times: np.ndarray
    temperatures: np.ndarray
    humidities: np.ndarray
    repeat: bool = False

    @classmethod
    def constant(cls, name: str, temperature: float, humidity: float) -> AmbientClimate:
        """Steady conditions."""
        return cls(name, np.array([0.0]), np.array([temperature]), np.array([humidity]))

    @property
    def span(self) -> float:
        """Duration covered by the series (s); 0 for steady conditions."""
        return float(self.times[-1] - self.times[0])

    def at(self, t: float) -> tuple[float, float]:
        """(temperature K, RH fraction) at time ``t`` (s)."""
        if self.times.size == 1:
            return float(self.temperatures[0]), float(self.humidities[0])
        x = t
        if self.repeat:
            x = self.times[0] + (t - self.times[0]) % self.span
        return float(np.interp(x, self.times, self.temperatures)), float(np.interp(x, self.times, self.humidities))

    def describe(self) -> str:
        """One line for the console."""
        if self.times.size == 1:
            return f"{self.name}: {self.temperatures[0] - ZERO_CELSIUS:.0f} C / {100 * self.humidities[0]:.0f} % RH"
        t, h = self.temperatures - ZERO_CELSIUS, 100 * self.humidities
        return (
            f"{self.name}: {t.min():.1f}..{t.max():.1f} C, {h.min():.0f}..{h.max():.0f} % RH over "
            f"{self.span / 3600:.4g} h{' (repeated)' if self.repeat else ''}"
        )


def read_climate_csv(path: Path, repeat: bool = False) -> AmbientClimate:
    """Read a field-climate CSV (format in the module docstring); ``ValueError`` names the problem."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"climate file {str(path)!r} does not exist")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].lstrip().startswith("#")]
    if len(rows) < 3:
        raise ValueError(f"{path.name}: needs a header row and at least 2 data rows")
    header = [h.strip().lower() for h in rows[0]]

    def column(units: dict[str, float], what: str) -> tuple[int, str]:
        hits = [(i, h) for i, h in enumerate(header) if h in units]
        if len(hits) != 1:
            raise ValueError(f"{path.name}: header needs exactly one {what} column of {', '.join(units)}; got {header}")
        return hits[0]

    (it, nt), (iT, nT), (ih, nh) = column(_TIME, "time"), column(_TEMPERATURE, "temperature"), column(_HUMIDITY, "RH")
    try:
        data = np.array([[float(r[it]), float(r[iT]), float(r[ih])] for r in rows[1:]])
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{path.name}: every data row needs numbers in all three columns ({exc})") from None
    times = data[:, 0] * _TIME[nt]
    temps = data[:, 1] + _TEMPERATURE[nT]
    rh = data[:, 2] * _HUMIDITY[nh]
    if np.any(np.diff(times) <= 0):
        raise ValueError(f"{path.name}: times must be strictly increasing")
    if np.any(temps <= 200.0) or np.any(temps >= 600.0):
        raise ValueError(f"{path.name}: temperatures must lie between -73 C and 327 C")
    if np.any(rh < 0) or np.any(rh > 1):
        raise ValueError(f"{path.name}: relative humidity must lie in 0 - 100 % (0 - 1 as rh)")
    return AmbientClimate(f"climate {path.name}", times, temps, rh, repeat)
