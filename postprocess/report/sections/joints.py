"""Section 'Joints': the per-joint table with the critical joint highlighted."""

from __future__ import annotations

from postprocess.report.html import Html, number, paragraph, table
from postprocess.report.run_data import RunData
from postprocess.report.section import Section

HEADERS = (
    "joint",
    "x [mm]",
    "y [mm]",
    "DNP [mm]",
    "multiplicity",
    "peak von Mises [MPa]",
    "at step",
    "mean von Mises [MPa]",
    "shear strain peak",
    "shear strain range",
)


def build(run: RunData) -> Section | None:
    """Present when the summary lists joints; rows sorted by shear-strain range, largest first."""
    joints = run.summary.get("joints") or []
    if not joints:
        return None
    crit = (run.summary.get("critical_joint") or {}).get("joint_id")
    ordered = sorted(joints, key=lambda j: -j["shear_strain_range"])
    rows = [
        (
            j["name"] + (" (critical)" if j["joint_id"] == crit else ""),
            number(j["x"], 4, 1e-3),
            number(j["y"], 4, 1e-3),
            number(j["dnp"], 4, 1e-3),
            j.get("multiplicity", 1),
            number(j["peak_von_mises"], 4, 1e6),
            j.get("peak_step", "-"),
            number(j["mean_von_mises"], 4, 1e6),
            number(j["shear_strain_peak"], 4),
            number(j["shear_strain_range"], 4),
        )
        for j in ordered
    ]
    highlight = [i for i, j in enumerate(ordered) if j["joint_id"] == crit]
    note = paragraph(
        "The critical joint has the largest range of the volume-averaged transverse shear strain over the "
        "load steps (the driver of Engelmaier-type life models). Peak von Mises is a cell value and "
        "mesh-sensitive at corners; mean von Mises is the largest volume average."
    )
    return Section("joints", "Joints", Html(note + table(HEADERS, rows, highlight)))
