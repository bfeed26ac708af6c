"""``life_map.png``: the joint grid coloured by cycles to failure (log scale), critical joint marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure


def write_life_map(x: np.ndarray, y: np.ndarray, cycles: np.ndarray, names: list[str], path: Path, title: str) -> Path:
    """Scatter of joint positions x, y [m] coloured by cycles to failure; infinite lives drawn hollow."""
    fig = Figure(figsize=(6.0, 5.0), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xm, ym = np.asarray(x) * 1e3, np.asarray(y) * 1e3
    n = np.asarray(cycles, dtype=float)
    finite = np.isfinite(n) & (n > 0)
    if finite.any():
        lo, hi = float(n[finite].min()), float(n[finite].max())
        sc = ax.scatter(
            xm[finite],
            ym[finite],
            c=n[finite],
            norm=LogNorm(lo, hi if hi > lo else 10 * lo),
            cmap="RdYlGn",
            s=160,
            edgecolors="k",
        )
        fig.colorbar(sc, ax=ax, label="cycles to failure")
        k = int(np.flatnonzero(finite)[np.argmin(n[finite])])
        ax.annotate(
            f"{names[k]}\nN = {n[k]:.3g}",
            (xm[k], ym[k]),
            textcoords="offset points",
            xytext=(10, 10),
            fontsize=8,
            arrowprops={"arrowstyle": "-"},
        )
    if (~finite).any():
        ax.scatter(xm[~finite], ym[~finite], s=160, facecolors="white", edgecolors="k", label="no damage (N = inf)")
        ax.legend(fontsize=8, loc="upper left")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [mm]")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    fig.savefig(path, format="png")
    return path
