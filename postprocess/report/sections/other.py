"""Section 'Further results': summary.json sections without a dedicated builder, shown as written.

Whatever a stage adds to the summary appears in the report even before it gets its own section.
"""

from __future__ import annotations

from postprocess.report.html import Html, join, nested, tag
from postprocess.report.run_data import RunData
from postprocess.report.section import Section

SHOWN_ELSEWHERE = frozenset(
    {
        "schema_version",
        "versions",
        "case",
        "run",
        "mesh",
        "geometry",
        "timings_s",
        "steps",
        "materials",
        "regions",
        "joints",
        "critical_joint",
        "fields",
        "solver_steps",
        "inelastic",
        "hermeticity",
    }
)
"""Top-level summary keys that the other builders show."""


def build(run: RunData) -> Section | None:
    """Present when the summary has top-level keys no other builder shows (``life`` only beside its Weibull fit)."""
    keys = [k for k in run.summary if k not in SHOWN_ELSEWHERE]
    parts = []
    for key in keys:
        value = run.summary[key]
        if key == "life" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "weibull"}
            if not value:
                continue
        parts.append(tag("h3", key) + nested(value))
    if not parts:
        return None
    return Section("further", "Further results", Html(join(parts)))
