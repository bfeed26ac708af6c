"""The command line end to end: the demo case, serial vs 2 ranks, failures leave nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fem_package.cli import main
from postprocess.xdmf_results import XdmfResults
from tests.conftest import cli

SMALL = """
title = "small solder-bump case"
[geometry]
type = "solder_bump"
die_length = "2 mm"
die_width = "2 mm"
substrate_length = "4 mm"
substrate_width = "4 mm"
pitch = "500 um"
bump_diameter = "300 um"
standoff = "220 um"
array = "full"
[load]
profile = "JESD22-A104-G"
steps_per_ramp = 1
[mesh]
max_size = "800 um"
joint_size = "100 um"
[solver]
rtol = 1e-11
[output]
picture = false
"""


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in default case, run as `make demo` runs it."""
    cwd = tmp_path_factory.mktemp("demo")
    assert main(["run", "--out", str(cwd / "demo")]) == 0  # in-process, so coverage sees the pipeline
    return cwd / "demo"


def test_demo_command_line_under_two_ranks(tmp_path: Path) -> None:
    """`make demo` runs exactly this command."""
    proc = cli("run", "--out", "demo", "--overwrite", cwd=tmp_path, ranks=2)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert (tmp_path / "demo" / "summary.json").exists() and "critical joint" in proc.stdout


def test_demo_writes_every_result(demo: Path) -> None:
    names = {p.name for p in demo.iterdir()}
    assert {"results.xdmf", "results.h5", "summary.json", "joints.csv", "cutaway.png", "case_resolved.toml"} <= names
    assert not list(demo.parent.glob(".demo.partial-*"))


def test_demo_summary_is_physical(demo: Path) -> None:
    s = summary_of(demo)
    assert s["run"]["dofs"] > 10_000 and s["versions"]["dolfinx"].startswith("0.11")
    joints = s["joints"]
    assert len(joints) == s["geometry"]["bumps_modelled"]
    # Thermal-cycling shear strain grows with the distance from the neutral point: the critical
    # joint is among the outermost (largest-DNP) joints, and the innermost is far less strained.
    dnp = np.array([j["dnp"] for j in joints])
    rng = np.array([j["shear_strain_range"] for j in joints])
    crit = s["critical_joint"]
    assert crit["dnp"] >= 0.9 * dnp.max()
    assert rng[np.argmin(dnp)] < 0.8 * rng.max()
    # -40/+125 C over a Si/FR-4 mismatch of ~14 ppm/K: shear strain range of order 1e-3 to 1e-1.
    assert 1e-4 < crit["shear_strain_range"] < 0.2


def test_demo_fields_readable_with_units(demo: Path) -> None:
    s = summary_of(demo)
    res = XdmfResults.open(demo / "results.xdmf")
    assert set(s["fields"]) <= set(res.fields)
    assert len(res.times) == len(s["steps"])
    vm = res.read("von_mises_Pa", res.times[-1])
    assert vm.shape[0] == len(res.cells) and np.isfinite(vm).all() and vm.max() > 1e6
    assert res.points[:, 2].max() < 0.01  # metres


def test_demo_picture_is_not_blank(demo: Path) -> None:
    import matplotlib.image as mpimg

    img = mpimg.imread(demo / "cutaway.png")
    assert img.shape[0] > 500 and img.std() > 0.05


@pytest.mark.slow
def test_serial_and_two_ranks_give_the_same_summary(tmp_path: Path) -> None:
    (tmp_path / "case.toml").write_text(SMALL)
    one = cli("run", "case.toml", "--out", "one", cwd=tmp_path)
    two = cli("run", "case.toml", "--out", "two", cwd=tmp_path, ranks=2)
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    s1, s2 = summary_of(tmp_path / "one"), summary_of(tmp_path / "two")
    assert s2["run"]["ranks"] == 2 and s1["run"]["dofs"] == s2["run"]["dofs"]
    for j1, j2 in zip(s1["joints"], s2["joints"], strict=True):
        for key in ("peak_von_mises", "mean_von_mises", "shear_strain_peak", "shear_strain_range", "dnp"):
            assert j2[key] == pytest.approx(j1[key], rel=1e-6), (j1["name"], key)
    for st1, st2 in zip(s1["steps"], s2["steps"], strict=True):
        assert st2["max_displacement_m"] == pytest.approx(st1["max_displacement_m"], rel=1e-6)
    assert "results in" in two.stdout and two.stdout.count("results in") == 1  # rank 0 prints alone


def test_failed_run_leaves_no_results_folder(tmp_path: Path) -> None:
    (tmp_path / "case.toml").write_text(SMALL.replace("rtol = 1e-11", "rtol = 1e-11\nmax_iterations = 1"))
    proc = cli("run", "case.toml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 1
    assert "linear solver failed" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml"]
