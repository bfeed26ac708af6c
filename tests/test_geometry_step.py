"""``type = "step"``: a CAD assembly made by gmsh in the test, its parts named as a CAD tool names them.

gmsh writes STEP products without the entity names, so the test renames the products in the
file text (``PRODUCT('die', ...)``), which is exactly what a CAD export carries.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import gmsh
import pytest

from fem_package.cad_file import step_part_names
from fem_package.case import CaseError, validate_case
from fem_package.fenics import MPI
from geometries import mesh_geometry
from tests.conftest import fresh_gmsh, run_case

# mm: substrate 4 x 4 x 0.6, four Cu posts d = 0.3, h = 0.2 at (+-1, +-1), underfill block 2.6 x 2.6 x 0.2
# around them (overlapping the posts: a fill), die 2.6 x 2.6 x 0.3 on top.
POST_R, POST_H = 0.15, 0.2
PARTS: dict[str, Any] = {
    "substrate": {"material": "fr4"},
    "die": {"material": "silicon"},
    "underfill": {"material": "underfill_capillary", "fill": True},
    "post": {"material": "copper", "joint": True},
}


def write_named_step(path: Path, names: list[str]) -> None:
    """Write the current gmsh model as STEP and give its solids' products the ``names``."""
    gmsh.write(str(path))
    text = path.read_text()
    pattern = re.compile(r"'Open CASCADE STEP translator [\d.]+ 1\.(\d+)'")
    path.write_text(pattern.sub(lambda m: repr(names[int(m.group(1)) - 1]), text))


@pytest.fixture(scope="module")
def step(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cad") / "package.step"
    with fresh_gmsh():
        gmsh.model.add("cad")
        occ = gmsh.model.occ
        occ.addBox(-2, -2, 0, 4, 4, 0.6)
        occ.addBox(-1.3, -1.3, 0.8, 2.6, 2.6, 0.3)
        occ.addBox(-1.3, -1.3, 0.6, 2.6, 2.6, POST_H)
        for x, y in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
            occ.addCylinder(x, y, 0.6, 0, 0, POST_H, POST_R)
        occ.synchronize()
        write_named_step(path, ["substrate", "die", "underfill", "post", "post", "post", "post"])
    return path


def step_case(path: Path, **geometry: Any) -> dict[str, Any]:
    return {
        "geometry": {"type": "step", "path": str(path), "parts": PARTS, **geometry},
        "mesh": {"max_size": "600 um", "joint_size": "80 um", "optimize": False},
        "solver": {"degree": 1, "rtol": 1e-10},
        "output": {"picture": False},
    }


def test_part_names(step: Path) -> None:
    assert step_part_names(step) == ("substrate", "die", "underfill", "post", "post", "post", "post")


def test_regions_volumes_and_fill(step: Path) -> None:
    case = validate_case(step_case(step))
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)
    regions = {r.name: r for r in tagged.description.regions}
    assert set(regions) == {"substrate", "die", "underfill", "post_000", "post_001", "post_002", "post_003"}
    post = math.pi * POST_R**2 * POST_H * 1e-9
    expected = {
        "substrate": 4 * 4 * 0.6e-9,
        "die": 2.6 * 2.6 * 0.3e-9,
        "underfill": 2.6 * 2.6 * POST_H * 1e-9 - 4 * post,
    }
    for name, volume in expected.items():
        assert regions[name].volume == pytest.approx(volume, rel=1e-6), name
    joints = tagged.description.joints
    assert [j.name for j in joints] == ["post_000", "post_001", "post_002", "post_003"]
    for j in joints:
        assert j.volume == pytest.approx(post, rel=1e-6)
        assert j.dnp == pytest.approx(math.sqrt(2) * 1e-3, rel=1e-6)
        assert j.joint_center[2] == pytest.approx(0.7e-3, rel=1e-6)


@pytest.mark.slow
def test_quarter_and_full_give_the_same_joint_results(step: Path, tmp_path: Path) -> None:
    """P2: with P1 on this coarse mesh the two meshes differ by up to 4% in the peak shear strain."""
    cases = {sym: step_case(step, symmetry=sym) for sym in ("full", "quarter")}
    for raw in cases.values():
        raw["solver"]["degree"] = 2
        raw["mesh"] |= {"max_size": "1 mm", "joint_size": "120 um"}
    full = run_case(validate_case(cases["full"]), tmp_path / "full")
    quarter = run_case(validate_case(cases["quarter"]), tmp_path / "quarter")
    assert len(full["joints"]) == 4 and len(quarter["joints"]) == 1
    q = quarter["joints"][0]
    for joint in full["joints"]:
        for key in ("shear_strain_range", "mean_von_mises"):
            assert joint[key] == pytest.approx(q[key], rel=0.02), (joint["name"], key)


def test_mapping_errors_name_the_parts(step: Path) -> None:
    raw = step_case(step)
    raw["geometry"]["parts"] = {k: v for k, v in PARTS.items() if k != "die"} | {"lid": {"material": "copper"}}
    with pytest.raises(CaseError, match=r"'lid' not in .*its parts are: 'substrate', 'die', 'underfill', 'post'"):
        validate_case(raw)
    raw["geometry"]["parts"].pop("lid")
    with pytest.raises(CaseError, match=r"no entry for part\(s\) 'die'"):
        validate_case(raw)


def test_overlap_without_fill_is_refused(step: Path) -> None:
    raw = step_case(step)
    raw["geometry"]["parts"] = PARTS | {"underfill": {"material": "underfill_capillary"}}
    case = validate_case(raw)
    with pytest.raises(CaseError, match=r"parts 'post', 'underfill' overlap by 0.01414 mm\^3"):
        mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)


def test_not_a_step_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.step"
    bad.write_text("ISO-10303-21;\nthis is not STEP\n")
    with pytest.raises(CaseError, match=r"broken\.step"):
        validate_case(step_case(bad))
