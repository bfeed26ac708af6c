"""Section 'Thermal profile': chamber temperature vs time with the solved load steps marked."""

from __future__ import annotations

import tomllib
from typing import Any

from pydantic import ValidationError

from fem_package.case.load import ThermalLoad
from fem_package.units import ZERO_CELSIUS
from postprocess.report.html import Html, figure, number, paragraph
from postprocess.report.plots import figure_image, new_figure
from postprocess.report.run_data import RunData
from postprocess.report.section import Section


def profile_points(run: RunData) -> list[tuple[float, float]] | None:
    """Corner points (s, K) of the profile from case_resolved.toml's ``[load]``; None when unreadable."""
    path = run.file("case_resolved.toml")
    if path is None:
        return None
    try:
        load = tomllib.loads(path.read_text(encoding="utf-8")).get("load", {})
        return ThermalLoad.model_validate(load).corner_points()
    except (tomllib.TOMLDecodeError, ValidationError):
        return None


def time_unit(t_end: float) -> tuple[str, float]:
    """A readable unit for times up to ``t_end`` seconds: (name, seconds per unit)."""
    for name, seconds in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if t_end >= 3 * seconds:
            return name, seconds
    return "s", 1.0


def build(run: RunData) -> Section | None:
    """Present when the summary lists load steps."""
    steps: list[dict[str, Any]] = run.summary.get("steps") or []
    if not steps:
        return None
    corners = profile_points(run)
    t_end = max([s["time_s"] for s in steps] + [p[0] for p in corners or []])
    unit, per = time_unit(t_end)
    fig = new_figure(7.5, 3.4)
    ax = fig.add_subplot()
    if corners:
        ax.plot(
            [p[0] / per for p in corners], [p[1] - ZERO_CELSIUS for p in corners], color="0.6", lw=1.5, label="profile"
        )
    t = [s["time_s"] / per for s in steps]
    temps = [s["temperature_K"] - ZERO_CELSIUS for s in steps]
    ax.plot(t, temps, "o", color="tab:red", ms=5, label="solved steps", zorder=3)
    for s, x, y in zip(steps, t, temps, strict=True):
        ax.annotate(str(s["index"]), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    for cycle in sorted({s["cycle"] for s in steps if s["cycle"] > 0}):
        first = min(s["time_s"] for s in steps if s["cycle"] == cycle)
        before = [s["time_s"] for s in steps if s["cycle"] == cycle - 1]
        start = max(before) if before else first
        ax.axvline(start / per, color="0.85", lw=0.8, ls=":")
    ax.set_xlabel(f"time [{unit}]")
    ax.set_ylabel("chamber temperature [°C]")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    cycles = max(s["cycle"] for s in steps)
    text = (
        f"{len(steps)} load steps, {cycles} cycle(s), "
        f"{number(min(temps), 4)} °C to {number(max(temps), 4)} °C; step numbers as in results.xdmf time steps "
        "and summary.json 'steps' (dotted lines: cycle starts)."
    )
    img = figure_image(fig, "temperature vs time")
    return Section("thermal-profile", "Thermal profile", Html(paragraph(text) + figure(img, "Chamber temperature")))
