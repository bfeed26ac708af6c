"""paraview_inspect.py run by Debian's pvpython (ParaView 5.11) on a real results folder."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fem_package.cli import main
from postprocess.xdmf_results import XdmfResults
from tests.conftest import external_tool
from tests.report_helpers import small_run

pytestmark = [pytest.mark.slow, pytest.mark.paraview]

XVFB_SCREEN = "-screen 0 1600x1000x24"
"""Debian's ParaView renders through X only (--force-offscreen-rendering crashes without a display)."""


@pytest.fixture(scope="module")
def inspected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A run, its paraview_inspect.py written by the CLI and run headless; the JSON line it printed."""
    pvpython = external_tool("pvpython")
    xvfb_run = external_tool("xvfb-run")
    run_dir = small_run(tmp_path_factory, underfill=True)
    assert main(["paraview", str(run_dir)]) == 0
    script = run_dir / "paraview_inspect.py"
    proc = subprocess.run(
        [xvfb_run, "-a", "-s", XVFB_SCREEN, pvpython, str(script)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stdout[-3000:]
    return run_dir, json.loads(lines[-1])


def test_paraview_reads_every_field_and_labelled_step(inspected: tuple[Path, dict[str, Any]]) -> None:
    run_dir, seen = inspected
    summary = json.loads((run_dir / "summary.json").read_text())
    assert seen["point_arrays"] == ["displacement_m"]
    assert set(seen["cell_arrays"]) == set(summary["fields"]) - {"displacement_m"}
    assert seen["field_arrays"] == ["chamber_temperature_C", "chamber_temperature_K", "cycle", "step"]
    steps = summary["steps"]
    assert seen["time_steps"] == len(steps)
    assert seen["times"] == pytest.approx([s["time_s"] for s in steps], rel=1e-12)
    shown = max(steps, key=lambda s: s["max_displacement_m"])  # the step the script shows
    labels = seen["shown_labels"]
    assert seen["shown_time"] == pytest.approx(shown["time_s"], rel=1e-12)
    assert (labels["step"], labels["cycle"]) == (shown["index"], shown["cycle"])
    assert labels["chamber_temperature_K"] == pytest.approx(shown["temperature_K"], abs=1e-9)
    assert labels["chamber_temperature_C"] == pytest.approx(shown["temperature_K"] - 273.15, abs=1e-9)


def test_warp_scale_and_clip_follow_the_model(inspected: tuple[Path, dict[str, Any]]) -> None:
    run_dir, seen = inspected
    summary = json.loads((run_dir / "summary.json").read_text())
    results = XdmfResults.open(run_dir / "results.xdmf")
    u = results.read("displacement_m", seen["shown_time"])
    diagonal = float(np.linalg.norm(results.points.max(axis=0) - results.points.min(axis=0)))
    assert seen["warp_scale"] == pytest.approx(0.03 * diagonal / np.linalg.norm(u, axis=1).max(), rel=1e-6)
    crit = summary["critical_joint"]
    joint = next(j for j in summary["joints"] if j["joint_id"] == crit["joint_id"])
    assert seen["clip_origin"] == pytest.approx([joint["x"], joint["y"], 0.0])
    assert 0 < seen["shown_cells"] < len(results.cells)  # the clip removed the part in front of the joint row


def test_screenshot_shows_the_model(inspected: tuple[Path, dict[str, Any]]) -> None:
    from PIL import Image

    run_dir, _ = inspected
    picture = np.asarray(Image.open(run_dir / "inspect.png").convert("RGB"), dtype=float)
    assert picture.shape == (900, 1400, 3)
    background = picture[5, picture.shape[1] // 2]  # top edge, between the annotation and the colour bar
    differs = np.abs(picture - background).sum(axis=2) > 30
    assert picture.std() > 10 and 0.15 < differs.mean() < 0.95  # a model fills a good part of the view
