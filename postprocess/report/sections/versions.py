"""Section 'Versions': the software that produced the results."""

from __future__ import annotations

from postprocess.report.html import key_values
from postprocess.report.run_data import RunData
from postprocess.report.section import Section


def build(run: RunData) -> Section | None:
    """Present when the summary records versions."""
    versions = run.summary.get("versions")
    if not versions:
        return None
    return Section("versions", "Versions", key_values(versions.items()))
