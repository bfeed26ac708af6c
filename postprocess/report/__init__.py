"""report.html: a self-contained page (inline CSS and pictures, no JavaScript) describing one run.

The report is a list of section builders (:data:`SECTIONS`, one module each in
:mod:`postprocess.report.sections`); each reads the results folder and returns a section, or None
when the folder has no data for it, so sections light up as stages add their files and summary
entries. :func:`build_report` runs them and writes ``report.html``; ``flipstack report RUN_DIR``
rebuilds it. :mod:`.comparison` puts several runs side by side (``flipstack compare``).
"""

from __future__ import annotations

from pathlib import Path

from postprocess.report.html import number
from postprocess.report.page import render_page
from postprocess.report.run_data import RunData, RunFolderError
from postprocess.report.section import Section, SectionBuilder
from postprocess.report.sections import (
    case,
    cutaway,
    hermeticity,
    hysteresis,
    joints,
    life_map,
    other,
    regions,
    solver,
    thermal_profile,
    versions,
    weibull,
)

SECTIONS: tuple[SectionBuilder, ...] = (
    case.build,
    cutaway.build,
    thermal_profile.build,
    joints.build,
    regions.build,
    hysteresis.build,
    life_map.build,
    weibull.build,
    hermeticity.build,
    other.build,
    solver.build,
    versions.build,
)
"""The builders in page order."""

REPORT_NAME = "report.html"

__all__ = ["REPORT_NAME", "SECTIONS", "RunData", "RunFolderError", "Section", "build_report", "report_sections"]


def report_sections(run: RunData, builders: tuple[SectionBuilder, ...] = SECTIONS) -> list[Section]:
    """The sections that have data in ``run``, in page order."""
    return [s for s in (b(run) for b in builders) if s is not None]


def _headline(run: RunData) -> str:
    crit = run.summary.get("critical_joint")
    case_info = run.summary.get("case", {})
    text = f"{case_info.get('geometry_type', '?')} ({case_info.get('symmetry', '?')} model)"
    if crit:
        text += (
            f"; critical joint {crit['name']} at DNP {number(crit['dnp'], 4, 1e-3)} mm: shear strain range "
            f"{number(crit['shear_strain_range'], 4)}, peak von Mises {number(crit['peak_von_mises'], 4, 1e6)} MPa"
        )
    return text


def build_report(folder: Path | str, out: Path | str | None = None) -> Path:
    """Write the report of the results folder to ``out`` (default ``folder/report.html``); returns its path."""
    run = RunData.open(folder)
    path = Path(out) if out is not None else run.folder / REPORT_NAME
    versions_info = run.summary.get("versions", {})
    footer = (
        f"Written by flipstack {versions_info.get('flipstack', '?')} from summary.json and the data files "
        "beside this page; rebuild with `flipstack report RUN_DIR`."
    )
    html = render_page(run.title, _headline(run), report_sections(run), footer)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
