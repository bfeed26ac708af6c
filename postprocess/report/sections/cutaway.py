"""Section 'Cutaway': the deformed stack cut through the critical joint (cutaway.png, inline)."""

from __future__ import annotations

from postprocess.report.html import figure, image
from postprocess.report.run_data import RunData
from postprocess.report.section import Section


def build(run: RunData) -> Section | None:
    """Present when the run wrote cutaway.png."""
    path = run.file("cutaway.png")
    if path is None:
        return None
    crit = run.summary.get("critical_joint") or {}
    where = f" through the row of the critical joint {crit['name']}" if crit.get("name") else ""
    caption = f"Deformed stack (displacement magnified) cut{where}, coloured by von Mises stress."
    return Section("cutaway", "Cutaway", figure(image(path.read_bytes(), "cutaway of the deformed stack"), caption))
