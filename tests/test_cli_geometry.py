"""``flipstack geometry``: mesh without solving, region table, cutaway PNG and .msh output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fem_package.cli import main
from fem_package.mesh_file import read_mesh_file

CASE = """
[geometry]
type = "solder_bump"
die_length = "2 mm"
die_width = "2 mm"
substrate_length = "4 mm"
substrate_width = "4 mm"
rows = 1
[mesh]
max_size = "1 mm"
joint_size = "100 um"
optimize = false
"""


def test_picture_and_mesh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.toml"
    case.write_text(CASE)
    png, msh = tmp_path / "stack.png", tmp_path / "stack.msh"
    assert main(["geometry", str(case), "--png", str(png), "--msh", str(msh)]) == 0
    out = capsys.readouterr().out
    assert "solder_bump (quarter model)" in out and "min scaled Jacobian" in out
    assert "bump_0004" in out and "sac305" in out and "bump_0005" not in out
    data = read_mesh_file(msh)
    assert set(data.volume_groups) >= {"die", "substrate", "underfill", "pad", "bump_0000"}
    assert data.points[:, 0].max() == pytest.approx(2000.0)  # micrometres
    from PIL import Image

    image = np.asarray(Image.open(png).convert("RGB"), dtype=float)
    assert image.shape[:2] == (900, 1400)
    assert image.std() > 20  # not blank: stack, edges and legend on a white background
    colours = {tuple(c) for c in image[::7, ::7].reshape(-1, 3).astype(int)}
    assert len(colours) > 50


def test_bad_output_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.toml"
    case.write_text(CASE)
    assert main(["geometry", str(case), "--png", str(tmp_path / "stack.jpg")]) == 2
    assert "--png" in capsys.readouterr().err
    assert main(["geometry", str(case), "--msh", str(tmp_path / "missing" / "stack.msh")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not list(tmp_path.glob("stack*"))
