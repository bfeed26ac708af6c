"""Small real runs shared by the report, comparison and ParaView tests (solved once per session)."""

from __future__ import annotations

from pathlib import Path

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
