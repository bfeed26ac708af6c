"""Results folders for the report, comparison and ParaView tests: synthetic ones, and small real runs
(solved once per session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fem_package.case import validate_case
from tests.conftest import run_case


def small_case(underfill: bool) -> dict:
    """A 4 x 4 full-array flip chip (quarter model), P1, one coarse thermal cycle: about 10 s."""
    return {
        "title": f"small flip chip, {'underfilled' if underfill else 'no underfill'}",
        "geometry": {
            "type": "solder_bump",
            "die_length": "2 mm",
            "die_width": "2 mm",
            "substrate_length": "4 mm",
            "substrate_width": "4 mm",
            "pitch": "500 um",
            "bump_diameter": "300 um",
            "standoff": "220 um",
            "array": "full",
            "underfill": underfill,
        },
        "load": {"profile": "JESD22-A104-G", "steps_per_ramp": 1},
        "mesh": {"max_size": "800 um", "joint_size": "120 um"},
        "solver": {"degree": 1},
    }


def small_run(factory: pytest.TempPathFactory, underfill: bool = True) -> Path:
    """The results folder of :func:`small_case`, solved on first use in this session."""
    out = factory.getbasetemp() / f"report_runs/{'underfill' if underfill else 'bare'}"
    if not (out / "summary.json").exists():
        run_case(validate_case(small_case(underfill)), out)
    return out


JOINTS = [
    {"joint_id": 0, "name": "bump_0000", "x": 0.25e-3, "y": 0.25e-3, "dnp": 0.354e-3, "multiplicity": 4},
    {"joint_id": 1, "name": "bump_0001", "x": 0.75e-3, "y": 0.25e-3, "dnp": 0.791e-3, "multiplicity": 8},
    {"joint_id": 2, "name": "bump_0002", "x": 0.75e-3, "y": 0.75e-3, "dnp": 1.061e-3, "multiplicity": 4},
]


def summary(**extra: Any) -> dict[str, Any]:
    """A summary.json with the keys every run writes (values of a plausible small run)."""
    joints = [
        {
            **j,
            "fraction": 1.0,
            "peak_von_mises": 3e8 + 1e7 * i,
            "peak_step": 3,
            "mean_von_mises": 1e8,
            "shear_strain_peak": 1e-3 * (i + 1),
            "shear_strain_range": 1.5e-3 * (i + 1),
        }
        for i, j in enumerate(JOINTS)
    ]
    return {
        "schema_version": 1,
        "versions": {"flipstack": "0.1.0", "dolfinx": "0.11.0"},
        "case": {"title": "synthetic <run> & co", "hash": "ab" * 32, "file": None, "geometry_type": "solder_bump"}
        | {"symmetry": "quarter"},
        "run": {"ranks": 1, "dofs": 1000, "degree": 2, "started": "2026-01-01T00:00:00+00:00"},
        "mesh": {"cells": 100, "vertices": 40, "min_scaled_jacobian": 0.2, "mean_scaled_jacobian": 0.5},
        "geometry": {"bumps_total": 12, "max_dnp": 1.061e-3},
        "timings_s": {"mesh": 1.0, "solve": 2.0, "total": 3.5},
        "steps": [
            {"index": i, "time_s": 900.0 * i, "temperature_K": t, "cycle": c, "segment": "x", "iterations": 10}
            | {"max_displacement_m": 1e-6 * (i + 1)}
            for i, (t, c) in enumerate([(298.15, 0), (398.15, 0), (233.15, 1), (398.15, 1)])
        ],
        "materials": {"0": "silicon"},
        "regions": {
            "die": {"tag": 1, "role": "die", "material": "silicon", "stress_free_temperature_K": 298.15}
            | {"peak_von_mises": 2e8, "mean_von_mises": 5e7, "volume": 2e-9},
            "substrate": {"tag": 2, "role": "substrate", "material": "fr4", "stress_free_temperature_K": 298.15}
            | {"peak_von_mises": 1e8, "mean_von_mises": 1e7, "volume": 1e-8},
        },
        "joints": joints,
        "critical_joint": {k: joints[2][k] for k in ("joint_id", "name", "dnp", "shear_strain_range")}
        | {"peak_von_mises": joints[2]["peak_von_mises"]},
        "fields": {"von_mises_Pa": "von Mises"},
        "solver_steps": [{"iterations": 10, "reason": "CONVERGED_RTOL", "assemble_seconds": 0.1, "solve_seconds": 0.2}],
        **extra,
    }


def folder_with(tmp_path: Path, files: dict[str, str] | None = None, **extra: Any) -> Path:
    """A results folder holding summary.json (with ``extra`` sections) and ``files``."""
    (tmp_path / "summary.json").write_text(json.dumps(summary(**extra)))
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    return tmp_path
