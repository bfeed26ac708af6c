"""life.csv writer and the cited-constant data file."""

from __future__ import annotations

import csv
import io
import math
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from postprocess.life import constants
from postprocess.life.life_csv import COLUMNS, JointLife, life_csv_text, write_life_csv


def test_life_csv_rows(tmp_path: Path) -> None:
    rows = [
        JointLife(2, "bump_2", 1.2e-3, "shear_strain_range", 0.011, "engelmaier:engelmaier_snpb", 4000.0),
        JointLife(1, "bump_1", 3.4e-3, "shear_strain_range", 0.0, "engelmaier:engelmaier_snpb", math.inf),
    ]
    text = life_csv_text(rows)
    table = list(csv.DictReader(io.StringIO(text)))
    assert tuple(table[0]) == COLUMNS
    assert [r["joint_id"] for r in table] == ["1", "2"]
    assert float(table[1]["damage_per_cycle"]) == 1 / 4000.0
    assert float(table[1]["dnp_m"]) == 1.2e-3
    assert table[0]["cycles_to_failure"] == "inf" and float(table[0]["damage_per_cycle"]) == 0.0
    out = write_life_csv(rows, tmp_path / "life.csv")
    assert out.read_text() == text
    with pytest.raises(ValueError):
        _ = JointLife(3, "b", 0.0, "m", 1.0, "x", 0.0).damage_per_cycle


def test_every_constant_has_value_unit_and_source() -> None:
    raw = tomllib.loads(resources.files("fem_package").joinpath("data", "life_models.toml").read_text(encoding="utf-8"))
    n = 0
    for key, table in raw.items():
        assert "model" in table, key
        for name, entry in table.items():
            if isinstance(entry, dict):
                n += 1
                assert isinstance(entry["value"], float | int), (key, name)
                assert "unit" in entry and entry["source"].strip() and entry["checked"].strip(), (key, name)
    assert n >= 16
    lib = constants.library()
    assert {d.model for d in lib.values()} >= {"engelmaier", "darveaux", "syed", "norris_landzberg"}


def test_lookup_errors() -> None:
    with pytest.raises(KeyError, match="known"):
        constants.get("nonexistent")
    with pytest.raises(ValueError, match="model"):
        constants.get("engelmaier_snpb", "darveaux")


def test_life_package_imports_no_geometry_or_solver() -> None:
    """postprocess.life may import fem_package only: no geometries, solvers or dolfinx."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import postprocess.life.solder, postprocess.life.strain_life, postprocess.life.mission\n"
        "import postprocess.life.weibull, postprocess.life.life_csv\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('geometries', 'solvers', 'dolfinx'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1]
    )
    assert out.stdout.strip() == ""
