"""Section 'Case': what was run (title, geometry, symmetry, hash) and the resolved case in SI units."""

from __future__ import annotations

from postprocess.report.html import join, key_values, nested, preformatted, tag
from postprocess.report.run_data import RunData
from postprocess.report.section import Section


def build(run: RunData) -> Section | None:
    """Always present: the summary's ``case`` and ``geometry`` entries, and case_resolved.toml when written."""
    case = run.summary.get("case", {})
    info = key_values(
        [
            ("title", run.title),
            ("geometry type", case.get("geometry_type", "-")),
            ("model", f"{case.get('symmetry', '-')} (symmetry)"),
            ("case file", case.get("file") or "built-in default"),
            ("case hash (SHA-256)", tag("code", case.get("hash", "-"))),
            ("started (UTC)", run.summary.get("run", {}).get("started", "-")),
        ]
    )
    body = [info]
    geometry = run.summary.get("geometry")
    if geometry:
        body.append(tag("h3", "Geometry as built (SI units: m)"))
        body.append(nested(geometry))
    resolved = run.file("case_resolved.toml")
    if resolved is not None:
        text = resolved.read_text(encoding="utf-8")
        heading = tag("summary", "Resolved case (case_resolved.toml, SI units)")
        body.append(tag("details", heading + preformatted(text), open=True))
    return Section("case", "Case", join(body))
