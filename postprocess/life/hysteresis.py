"""Shear hysteresis loops of the joints: ``hysteresis.csv``, loop areas and ``hysteresis.png``.

Per joint and load step: the interface-layer volume averages of the transverse shear strain
gamma = (gamma_xz, gamma_yz) and shear stress tau = (tau_xz, tau_yz), projected on the direction e
of the joint's largest strain range (e = unit vector of gamma(s) - gamma(t) for the step pair with
the largest |gamma(s) - gamma(t)|): a scalar loop tau.e vs gamma.e. The loop area per cycle,
W = |closed integral tau dgamma| (shoelace formula), is the inelastic shear work density of the
cycle in J/m^3 (the shear part of the dissipation; zero for an elastic material).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLUMNS = ("joint_id", "step", "cycle", "shear_strain", "shear_stress_Pa")


def loop_area(strain: np.ndarray, stress: np.ndarray) -> float:
    """|closed integral tau dgamma| of the polygon through the points, closed (shoelace formula)."""
    if len(strain) < 3:
        return 0.0
    return float(0.5 * abs(np.dot(strain, np.roll(stress, -1)) - np.dot(stress, np.roll(strain, -1))))


def pairwise_range(values: np.ndarray) -> np.ndarray:
    """Largest |x_a - x_b| over pairs of steps of a (steps, ..., components) history: the (...) ranges."""
    v = np.asarray(values, dtype=float)
    return np.linalg.norm(v[:, None] - v[None, :], axis=-1).max(axis=(0, 1))


def range_direction(gamma: np.ndarray) -> np.ndarray:
    """Unit vector of the largest pairwise difference of a (steps, 2) history ((1, 0) if constant)."""
    diff = gamma[:, None, :] - gamma[None, :, :]
    norm = np.linalg.norm(diff, axis=2)
    i, j = np.unravel_index(int(np.argmax(norm)), norm.shape)
    d = diff[i, j]
    n = float(np.linalg.norm(d))
    return d / n if n > 0 else np.array([1.0, 0.0])


@dataclass(frozen=True)
class Loop:
    """The projected loop of one joint over all recorded steps."""

    joint_id: int
    steps: np.ndarray
    cycles: np.ndarray
    strain: np.ndarray
    stress: np.ndarray  # Pa

    def areas(self) -> dict[int, float]:
        """Loop area per cycle [J/m^3]."""
        return {
            int(c): loop_area(self.strain[self.cycles == c], self.stress[self.cycles == c])
            for c in np.unique(self.cycles)
        }


def project(joint_id: int, steps: np.ndarray, cycles: np.ndarray, gamma: np.ndarray, tau: np.ndarray) -> Loop:
    """The scalar loop of one joint from its (steps, 2) strain and stress histories."""
    e = range_direction(gamma)
    return Loop(joint_id, np.asarray(steps), np.asarray(cycles), gamma @ e, tau @ e)


def write_hysteresis_csv(loops: list[Loop], path: Path) -> Path:
    """``hysteresis.csv``: one row per joint and step (the report's 'Inelastic response' section reads it)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for loop in loops:
            for s, c, g, t in zip(loop.steps, loop.cycles, loop.strain, loop.stress, strict=True):
                w.writerow([loop.joint_id, int(s), int(c), repr(float(g)), repr(float(t))])
    return path


def write_hysteresis_png(loops: list[Loop], energy: dict[int, list[float]], path: Path) -> Path:
    """Loops (left) and interface-layer inelastic energy per cycle (right, when given) as a PNG."""
    fig = Figure(figsize=(10.0, 4.0), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 2, 1)
    for loop in loops:
        ax.plot(loop.strain, loop.stress / 1e6, "-o", ms=2.5, lw=1.2, label=f"joint {loop.joint_id}")
    ax.set_xlabel("shear strain γ [-]")
    ax.set_ylabel("shear stress τ [MPa]")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("interface-layer shear hysteresis")
    bx = fig.add_subplot(1, 2, 2)
    for jid, values in energy.items():
        bx.plot(range(1, len(values) + 1), np.asarray(values) / 1e3, "-o", label=f"joint {jid}")
    bx.set_xlabel("cycle")
    bx.set_ylabel("inelastic energy density per cycle [kJ/m³]")
    bx.grid(alpha=0.3)
    if energy:
        bx.legend(fontsize=8)
    else:
        bx.text(0.5, 0.5, "elastic run: no dissipation", ha="center", va="center", transform=bx.transAxes)
    fig.savefig(path, format="png")
    return path
