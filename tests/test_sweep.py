"""`flipstack sweep`: expansion and validation of sweep files, and a 2-rank run split into 1-rank cases."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from fem_package.case import CaseError
from fem_package.case.sweep import load_sweep
from tests.conftest import cli

BASE = """
title = "bimetal"
[geometry]
type = "laminate"
symmetry = "quarter"
length = "2 mm"
width = "2 mm"
layers = [
    { name = "board", material = "fr4", thickness = "0.4 mm" },
    { name = "die", material = "silicon", thickness = "0.3 mm" },
]
[load]
steps_per_ramp = 1
steps_per_dwell = 0
dwell_time = "0 s"
[mesh]
max_size = "0.5 mm"
[solver]
degree = 1
[output]
picture = false
"""


def write(folder: Path, sweep: str) -> Path:
    (folder / "base.toml").write_text(BASE, encoding="utf-8")
    path = folder / "sweep.toml"
    path.write_text(sweep, encoding="utf-8")
    return path


def test_grid_expands_every_combination_with_ranges_in_the_unit_given(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'base = "base.toml"\n[parameters]\n'
        '"geometry.layers.1.thickness" = { from = "200 um", to = "400 um", count = 3 }\n'
        '"load.profile" = ["JESD22-A104-G", "JESD22-A104-B"]\n',
    )
    variants = load_sweep(path)
    assert len(variants) == 6
    thicknesses = sorted({v.case.geometry.layers[1].thickness for v in variants})  # type: ignore[union-attr]
    assert thicknesses == pytest.approx([200e-6, 300e-6, 400e-6])
    assert {v.case.load.profile for v in variants} == {"JESD22-A104-G", "JESD22-A104-B"}
    assert len({v.name for v in variants}) == 6
    assert all("thickness" in v.name for v in variants)


def test_list_mode_keeps_given_names_and_other_values_from_the_base(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'base = "base.toml"\nmode = "list"\n[[variants]]\nname = "thin die"\n"geometry.layers.1.thickness" = "100 um"\n'
        '[[variants]]\n"mesh.max_size" = "0.4 mm"\n',
    )
    first, second = load_sweep(path)
    assert first.name == "thin_die" and first.case.geometry.layers[1].thickness == pytest.approx(100e-6)  # type: ignore[union-attr]
    assert second.case.mesh.max_size == pytest.approx(0.4e-3)
    assert second.case.geometry.layers[1].thickness == pytest.approx(300e-6)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("sweep", "expected"),
    [
        ('base = "base.toml"\n[parameters]\n"mesh.max_size" = ["-1 mm", "1 mm"]\n', "variant 'max_size=-1mm'"),
        ('base = "missing.toml"\n[parameters]\n"mesh.max_size" = ["1 mm"]\n', "missing.toml"),
        ('base = "base.toml"\nmode = "list"\n[parameters]\n"mesh.max_size" = ["1 mm"]\n', "mode = 'list' needs"),
        ('base = "base.toml"\n[parameters]\n"geometry.layers.7.thickness" = ["1 mm"]\n', "not an index"),
        ('base = "base.toml"\n[parameters]\n"x" = { from = "1 mm", to = "2 s", count = 2 }\n', "different dimensions"),
    ],
)
def test_bad_sweeps_are_refused_naming_the_variant_or_key(tmp_path: Path, sweep: str, expected: str) -> None:
    with pytest.raises(CaseError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_sweep(write(tmp_path, sweep))


def test_two_ranks_run_two_one_rank_cases_skip_them_on_rerun_and_report_the_failed_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'base = "base.toml"\nmode = "list"\n[[variants]]\nname = "thin"\n"geometry.layers.1.thickness" = "0.2 mm"\n'
        '[[variants]]\nname = "thick"\n"geometry.layers.1.thickness" = "0.6 mm"\n'
        '[[variants]]\nname = "starved"\n"solver.max_iterations" = 1\n"solver.rtol" = 1e-14\n',
    )
    first = cli("sweep", str(path), "--out", "out", "--ranks-per-case", "1", cwd=tmp_path, ranks=2)
    assert first.returncode == 1, first.stderr + first.stdout  # one variant failed, the others completed
    with (tmp_path / "out" / "sweep_summary.csv").open(encoding="utf-8") as f:
        rows = {r["variant"]: r for r in csv.DictReader(f)}
    assert [rows[n]["status"] for n in ("thin", "thick", "starved")] == ["done", "done", "failed"]
    assert "linear solver failed" in rows["starved"]["message"]
    assert rows["thin"]["ranks"] == rows["thick"]["ranks"] == "1"
    assert rows["thick"]["geometry.layers.1.thickness"] == "0.6 mm"
    thin = json.loads((tmp_path / "out" / "thin" / "summary.json").read_text())
    thick = json.loads((tmp_path / "out" / "thick" / "summary.json").read_text())
    # a thicker die bends the bimetal less at the same mismatch but carries more of it: the results differ
    assert float(rows["thin"]["max_displacement_m"]) == pytest.approx(
        max(s["max_displacement_m"] for s in thin["steps"])
    )
    assert thin["steps"][-1]["max_displacement_m"] != pytest.approx(thick["steps"][-1]["max_displacement_m"], rel=1e-3)
    assert not (tmp_path / "out" / "starved").exists()

    again = cli("sweep", str(path), "--out", "out", "--ranks-per-case", "1", cwd=tmp_path, ranks=2)
    with (tmp_path / "out" / "sweep_summary.csv").open(encoding="utf-8") as f:
        status = {r["variant"]: r["status"] for r in csv.DictReader(f)}
    assert status == {"thin": "skipped", "thick": "skipped", "starved": "failed"}, again.stdout
    assert "2 skipped" in again.stdout


def test_example_sweeps_expand_into_valid_cases() -> None:
    for path in sorted((Path(__file__).resolve().parents[1] / "examples" / "sweeps").glob("*.toml")):
        variants = load_sweep(path)
        assert len(variants) >= 2 and len({v.case.digest() for v in variants}) == len(variants)


def test_ranks_per_case_must_divide_the_ranks(tmp_path: Path) -> None:
    path = write(tmp_path, 'base = "base.toml"\n[parameters]\n"mesh.max_size" = ["1 mm"]\n')
    result = cli("sweep", str(path), "--ranks-per-case", "3", cwd=tmp_path, ranks=2)
    assert result.returncode == 2
    assert "--ranks-per-case 3" in result.stderr and "allowed: 1, 2" in result.stderr
