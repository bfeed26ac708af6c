"""``summary.json``: the machine-readable record of a run (schema in README, "summary.json")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from postprocess.joint_metrics import JointResult

SCHEMA_VERSION = 1

FIELDS = {
    "displacement_m": "displacement vector [m], point data (P1 interpolant of the solution)",
    "stress_Pa": "Cauchy stress tensor [Pa], cell data (cell average)",
    "von_mises_Pa": "von Mises equivalent stress [Pa], cell data",
    "shear_strain": "transverse engineering shear strain (gamma_xz, gamma_yz) of the mechanical strain [-], cell data",
    "temperature_K": "temperature of the cell used by the mechanics [K], cell data (cell average)",
    "temperature_nodal_K": "temperature [K], point data (P1); written when thermal.mode = 'conduction'",
    "region_id": "cell tag = physical group of the region (see 'regions')",
    "material_id": "index into 'materials'",
    "joint_id": "joint number, -1 outside joints",
}
"""Names of the fields in results.xdmf, with units."""


def critical_joint(joints: list[JointResult]) -> dict[str, Any] | None:
    """The joint with the largest shear-strain range (ties: larger DNP), the fatigue-critical one."""
    if not joints:
        return None
    worst = max(joints, key=lambda j: (round(j.shear_strain_range, 12), j.dnp))
    return {
        "joint_id": worst.joint_id,
        "name": worst.name,
        "dnp": worst.dnp,
        "shear_strain_range": worst.shear_strain_range,
        "peak_von_mises": worst.peak_von_mises,
    }


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    """Write the summary as indented JSON."""
    path.write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def write_joint_table(path: Path, joints: list[JointResult]) -> None:
    """``joints.csv``: one row per joint (SI units in the header)."""
    header = [
        "joint_id",
        "name",
        "x_m",
        "y_m",
        "dnp_m",
        "multiplicity",
        "fraction",
        "peak_von_mises_Pa",
        "peak_step",
        "mean_von_mises_Pa",
        "shear_strain_peak",
        "shear_strain_range",
    ]
    rows = [",".join(header)]
    for j in joints:
        rows.append(
            ",".join(
                str(v)
                for v in (
                    j.joint_id,
                    j.name,
                    f"{j.x:.9g}",
                    f"{j.y:.9g}",
                    f"{j.dnp:.9g}",
                    j.multiplicity,
                    j.fraction,
                    f"{j.peak_von_mises:.9g}",
                    j.peak_step,
                    f"{j.mean_von_mises:.9g}",
                    f"{j.shear_strain_peak:.9g}",
                    f"{j.shear_strain_range:.9g}",
                )
            )
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
