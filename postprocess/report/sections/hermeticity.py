"""Section 'Hermeticity': cavity relative humidity vs time, verdict and leak paths.

Data: ``cavity_humidity.csv`` written by the moisture stage (``time_s`` and one ``<volume>_rh_percent``
column per gas volume and the ambient) and the summary's ``hermeticity`` section (``verdict``/``hermetic``,
``leak_paths`` and whatever else it holds, shown as written).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from postprocess.report.html import Html, figure, join, nested, paragraph, tag
from postprocess.report.plots import figure_image, new_figure
from postprocess.report.run_data import RunData
from postprocess.report.section import Section

_UNITS = (("years", 365.25 * 86400.0), ("days", 86400.0), ("h", 3600.0), ("s", 1.0))


def _unit(t_end: float) -> tuple[str, float]:
    for name, seconds in _UNITS:
        if t_end >= 3 * seconds:
            return name, seconds
    return "s", 1.0


def verdict_text(h: dict[str, Any]) -> str | None:
    """The verdict as a word: the ``verdict`` string, or from the boolean ``hermetic``."""
    if "verdict" in h:
        return str(h["verdict"])
    if isinstance(h.get("hermetic"), bool):
        return "hermetic" if h["hermetic"] else "not hermetic"
    return None


def build(run: RunData) -> Section | None:
    """Present when cavity_humidity.csv or the summary's ``hermeticity`` section exists."""
    rows = run.table("cavity_humidity.csv")
    h = run.section("hermeticity")
    if not rows and h is None:
        return None
    body: list[Html] = []
    if isinstance(h, dict):
        verdict = verdict_text(h)
        if verdict is not None:
            body.append(paragraph(tag("strong", f"Verdict: {verdict}"), class_="verdict"))
    if rows:
        t = np.array([float(r["time_s"]) for r in rows])
        series = {
            k[: -len("_rh_percent")]: np.array([float(r[k]) for r in rows])
            for k in rows[0]
            if k.endswith("_rh_percent")
        }
        unit, per = _unit(float(t.max()))
        fig = new_figure(7.0, 3.6)
        ax = fig.add_subplot()
        for name, rh in series.items():
            style = {"color": "0.5", "ls": "--", "lw": 1} if name == "ambient" else {"lw": 2}
            ax.plot(t / per, rh, label=name, **style)
        ax.legend(loc="lower right")
        ax.set_xlabel(f"time [{unit}]")
        ax.set_ylabel("relative humidity [%]")
        ax.set_ylim(0, max([100.0, *(float(v.max()) * 1.05 for v in series.values())]))
        ax.grid(alpha=0.3)
        body.append(figure(figure_image(fig, "cavity humidity vs time"), "Relative humidity inside the cavity"))
    if isinstance(h, dict):
        rest = {k: v for k, v in h.items() if k not in ("verdict", "hermetic")}
        if rest:
            body.append(nested(rest))
    return Section("hermeticity", "Hermeticity", join(body))
