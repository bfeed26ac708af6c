"""Cavity humidity history -> characteristic times, dew-point time, time constant, CSV and picture.

* times to 10 / 50 / 90 % of the ambient RH (linear interpolation between output times);
* dew-point time: first time the cavity vapour density reaches the saturated vapour density at the
  operating temperature, rho_v >= p_sat(T_op)/(R_v T_op) (IAPWS saturation pressure, Wagner and
  Pruss 1993; see :mod:`fem_package.water_vapour`) -> water condenses on surfaces at T_op;
* time constant tau: least squares of RH/RH_amb = 1 - exp(-t/tau) (the single-exponential
  quasi-steady-state model of Tencer, "Moisture ingress into nonhermetic enclosures and packages",
  ECTC 1994), fitted by a bracketed scalar minimization of the squared residual.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from fem_package.water_vapour import saturated_vapour_density

FRACTIONS = (0.1, 0.5, 0.9)


def time_to_fraction(times: np.ndarray, fraction_of_ambient: np.ndarray, level: float) -> float | None:
    """First time the ratio reaches ``level`` (linear interpolation), None when it never does."""
    above = np.nonzero(fraction_of_ambient >= level)[0]
    if above.size == 0:
        return None
    i = int(above[0])
    if i == 0:
        return float(times[0])
    t0, t1, f0, f1 = times[i - 1], times[i], fraction_of_ambient[i - 1], fraction_of_ambient[i]
    return float(t0 + (level - f0) * (t1 - t0) / (f1 - f0))


def fit_time_constant(times: np.ndarray, fraction_of_ambient: np.ndarray) -> float | None:
    """Least-squares tau of f(t) = 1 - exp(-t/tau) (golden-section search on log tau); None if no rise."""
    t, f = np.asarray(times, float), np.asarray(fraction_of_ambient, float)
    if f.max() <= 1e-6 or t[-1] <= 0:
        return None

    def cost(log_tau: float) -> float:
        return float(np.sum((f - (1 - np.exp(-t / math.exp(log_tau)))) ** 2))

    positive = t[t > 0]
    lo, hi = math.log(positive.min() * 1e-2), math.log(t[-1] * 1e4)
    grid = np.linspace(lo, hi, 200)
    k = int(np.argmin([cost(x) for x in grid]))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    g = (math.sqrt(5) - 1) / 2
    for _ in range(100):
        c, d = b - g * (b - a), a + g * (b - a)
        if cost(c) < cost(d):
            b = d
        else:
            a = c
    return math.exp((a + b) / 2)


def dew_point_time(times: np.ndarray, vapour_density: np.ndarray, operating_temperature: float) -> float | None:
    """First time the vapour density reaches saturation at ``operating_temperature`` (K), None if never."""
    rho_sat = saturated_vapour_density(operating_temperature)
    return time_to_fraction(times, np.asarray(vapour_density) / rho_sat, 1.0)


def summarize(
    times: np.ndarray,
    humidity: np.ndarray,
    ambient: np.ndarray,
    vapour_density: np.ndarray,
    operating_temperature: float,
) -> dict[str, float | None]:
    """Characteristic numbers of one gas volume's history (s; fractions)."""
    ratio = np.asarray(humidity) / np.maximum(np.asarray(ambient), 1e-12)
    out: dict[str, float | None] = {
        f"time_to_{round(100 * level)}pct_s": time_to_fraction(times, ratio, level) for level in FRACTIONS
    }
    out["time_constant_s"] = fit_time_constant(times, ratio)
    out["dew_point_time_s"] = dew_point_time(times, vapour_density, operating_temperature)
    out["final_humidity"] = float(humidity[-1])
    out["max_humidity"] = float(np.max(humidity))
    out["operating_saturated_vapour_density_kg_m3"] = saturated_vapour_density(operating_temperature)
    return out


def write_csv(path: Path, times: np.ndarray, columns: dict[str, np.ndarray]) -> None:
    """Table time_s, time_h, then one column per series."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["time_s", "time_h", *columns])
        for i, t in enumerate(times):
            w.writerow([f"{t:.6g}", f"{t / 3600:.6g}", *(f"{columns[k][i]:.6g}" for k in columns)])


def plot_humidity(path: Path, times: np.ndarray, series: dict[str, np.ndarray], title: str) -> None:
    """RH (%) over time (h, log axis when the times span decades) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    t_h = np.asarray(times) / 3600
    for name, rh in series.items():
        ax.plot(t_h[1:], 100 * np.asarray(rh)[1:], label=name)
    positive = t_h[t_h > 0]
    if positive.size and positive.max() / positive.min() > 100:
        ax.set_xscale("log")
    ax.set_xlabel("time [h]")
    ax.set_ylabel("relative humidity [%]")
    ax.set_ylim(0, 100)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
