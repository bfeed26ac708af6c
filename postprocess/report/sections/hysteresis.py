"""Section 'Inelastic response': shear hysteresis loops of the critical joints and per-cycle energies.

Data: ``hysteresis.csv`` (one row per joint and load step; columns ``joint_id``, ``step``,
``shear_strain`` [-], ``shear_stress_Pa``, optional ``cycle``) and the summary's ``inelastic``
section (per-cycle energies, shown as written). The loop area per cycle,
W = |∮ τ dγ| (shoelace formula over the cycle's points, the polygon closed), is the inelastic
shear work density per cycle in J/m³ — Darveaux's driver for solder fatigue (Darveaux, J. Electron.
Packag. 124 (2002) 147) — and is listed beside the plot as a check of the recorded energies.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from postprocess.report.html import Html, figure, join, nested, number, paragraph, table, tag
from postprocess.report.plots import figure_image, new_figure
from postprocess.report.run_data import RunData
from postprocess.report.section import Section

MAX_JOINTS = 6
"""Loops drawn at most (the file's joints in order of their strain amplitude)."""


def loop_area(strain: np.ndarray, stress: np.ndarray) -> float:
    """|∮ τ dγ| of the closed polygon through the points (shoelace formula)."""
    if len(strain) < 3:
        return 0.0
    return float(0.5 * abs(np.dot(strain, np.roll(stress, -1)) - np.dot(stress, np.roll(strain, -1))))


def loops(rows: list[dict[str, str]]) -> dict[int, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """Per joint id, per cycle (0 when the file has no cycle column): strain and stress in step order."""
    by_joint: dict[int, dict[int, list[tuple[int, float, float]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        cycle = int(r["cycle"]) if r.get("cycle") not in (None, "") else 0
        by_joint[int(r["joint_id"])][cycle].append(
            (int(r["step"]), float(r["shear_strain"]), float(r["shear_stress_Pa"]))
        )
    out: dict[int, dict[int, tuple[np.ndarray, np.ndarray]]] = {}
    for joint, cycles in by_joint.items():
        out[joint] = {}
        for cycle, points in sorted(cycles.items()):
            points.sort()
            out[joint][cycle] = (np.array([p[1] for p in points]), np.array([p[2] for p in points]))
    return out


def _plot(data: dict[int, dict[int, tuple[np.ndarray, np.ndarray]]], names: dict[int, str], crit: Any) -> Html:
    fig = new_figure(6.5, 4.2)
    ax = fig.add_subplot()
    for joint, cycles in data.items():
        strain = np.concatenate([c[0] for c in cycles.values()])
        stress = np.concatenate([c[1] for c in cycles.values()]) / 1e6
        width = 2.2 if joint == crit else 1.2
        (line,) = ax.plot(strain, stress, "-o", ms=3, lw=width, label=names.get(joint, f"joint {joint}"))
        if len(strain) > 1:
            ax.annotate(
                "",
                xy=(strain[-1], stress[-1]),
                xytext=(strain[-2], stress[-2]),
                arrowprops={"arrowstyle": "->", "color": line.get_color()},
            )
    ax.set_xlabel("shear strain γ [-]")
    ax.set_ylabel("shear stress τ [MPa]")
    ax.axhline(0, color="0.8", lw=0.7)
    ax.axvline(0, color="0.8", lw=0.7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return figure(figure_image(fig, "shear hysteresis loops"), "Shear stress vs shear strain (volume averages)")


def build(run: RunData) -> Section | None:
    """Present when hysteresis.csv or the summary's ``inelastic`` section exists."""
    rows = run.table("hysteresis.csv")
    inelastic = run.section("inelastic")
    if not rows and inelastic is None:
        return None
    body: list[Html] = []
    if rows:
        data = loops(rows)
        amplitude = {j: max(float(np.ptp(c[0])) for c in cycles.values()) for j, cycles in data.items()}
        chosen = sorted(data, key=lambda j: -amplitude[j])[:MAX_JOINTS]
        crit = (run.summary.get("critical_joint") or {}).get("joint_id")
        names = {j: run.joints_by_id.get(j, {}).get("name", f"joint {j}") for j in data}
        shown = {j: data[j] for j in chosen}
        body.append(_plot(shown, names, crit))
        loop_rows = [(j, cycle, strain, stress) for j in chosen for cycle, (strain, stress) in shown[j].items()]
        table_rows = [
            (names[j], cycle, number(float(np.ptp(strain)), 4), number(loop_area(strain, stress), 4))
            for j, cycle, strain, stress in loop_rows
        ]
        highlight = [i for i, row in enumerate(loop_rows) if row[0] == crit]
        body.append(
            table(
                ("joint", "cycle", "shear strain range", "loop area ∮τdγ [J/m³]"),
                table_rows,
                highlight,
                caption="Loops (area: inelastic shear work density per cycle)",
            )
        )
    if inelastic is not None:
        body.append(tag("h3", "Inelastic results (summary.json 'inelastic')"))
        body.append(nested(inelastic))
    note = paragraph("Volume-averaged shear stress and strain of the joints with the largest strain ranges.")
    return Section("inelastic", "Inelastic response", note + join(body))
