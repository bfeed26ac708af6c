"""Section 'Life map': the joint grid coloured by cycles to failure (from life.csv).

life.csv columns: the joint id (``joint_id`` or ``joint``), cycles to failure
(``cycles_to_failure``), and the position (``x``/``y`` or ``x_m``/``y_m``, m) and DNP (``dnp`` or
``dnp_m``, m); missing positions are taken from the summary's joints by id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import LogNorm

from postprocess.report.html import Html, figure, number, paragraph, table
from postprocess.report.plots import figure_image, new_figure
from postprocess.report.run_data import RunData
from postprocess.report.section import Section


@dataclass(frozen=True)
class JointLifePoint:
    """One joint of the map (SI)."""

    joint_id: int
    name: str
    x: float
    y: float
    dnp: float
    cycles_to_failure: float


def _first(row: dict[str, str], *keys: str) -> str | None:
    for k in keys:
        if row.get(k) not in (None, ""):
            return row[k]
    return None


def life_points(run: RunData) -> list[JointLifePoint] | None:
    """The rows of life.csv with positions; None without life.csv; ValueError on a row without position."""
    rows = run.table("life.csv")
    if rows is None:
        return None
    points = []
    for r in rows:
        jid_text = _first(r, "joint_id", "joint")
        if jid_text is None:
            raise ValueError("life.csv: a row has no joint_id/joint column")
        jid = int(jid_text)
        joint = run.joints_by_id.get(jid, {})
        x, y, dnp = _first(r, "x", "x_m"), _first(r, "y", "y_m"), _first(r, "dnp", "dnp_m")
        if (x is None or y is None) and not joint:
            raise ValueError(f"life.csv: joint {jid} has no x, y and is not in summary.json's joints")
        px = float(x) if x is not None else float(joint["x"])
        py = float(y) if y is not None else float(joint["y"])
        distance = float(dnp) if dnp is not None else float(joint["dnp"]) if "dnp" in joint else math.hypot(px, py)
        name = r.get("name") or joint.get("name", f"joint {jid}")
        points.append(JointLifePoint(jid, name, px, py, distance, float(r["cycles_to_failure"])))
    return points


def build(run: RunData) -> Section | None:
    """Present when life.csv exists."""
    points = life_points(run)
    if not points:
        return None
    x = np.array([p.x for p in points]) * 1e3
    y = np.array([p.y for p in points]) * 1e3
    n = np.array([p.cycles_to_failure for p in points])
    finite = np.isfinite(n) & (n > 0)
    fig = new_figure(6.0, 5.0)
    ax = fig.add_subplot()
    if finite.any():
        lo, hi = float(n[finite].min()), float(n[finite].max())
        norm = LogNorm(vmin=lo, vmax=hi if hi > lo else lo * 10)
        sc = ax.scatter(x[finite], y[finite], c=n[finite], norm=norm, cmap="RdYlGn", s=160, edgecolors="k")
        fig.colorbar(sc, ax=ax, label="cycles to failure")
    if (~finite).any():
        ax.scatter(x[~finite], y[~finite], s=160, facecolors="white", edgecolors="k", label="no damage (N = ∞)")
        ax.legend(fontsize=8, loc="upper left")
    order = np.argsort(np.where(finite, n, np.inf))
    worst = points[int(order[0])]
    ax.annotate(
        f"{worst.name}\nN = {number(worst.cycles_to_failure, 3)}",
        (worst.x * 1e3, worst.y * 1e3),
        textcoords="offset points",
        xytext=(10, 10),
        fontsize=8,
        arrowprops={"arrowstyle": "-"},
    )
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [mm]")
    ax.grid(alpha=0.3)
    rows = [
        (points[i].name, number(points[i].dnp, 4, 1e-3), number(points[i].cycles_to_failure, 4))
        for i in order[: min(8, len(points))]
    ]
    symmetry = run.summary.get("case", {}).get("symmetry")
    note = paragraph(f"Cycles to failure of every modelled joint ({symmetry or 'full'} model), red = shortest life.")
    img = figure(figure_image(fig, "life map"), "Joint grid coloured by cycles to failure (log scale)")
    return Section(
        "life-map",
        "Life map",
        Html(note + img + table(("joint", "DNP [mm]", "cycles to failure"), rows, [0], "Shortest lives")),
    )
