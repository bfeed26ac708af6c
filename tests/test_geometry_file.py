"""``type = "file"``: a user's mesh with named groups, mapped to materials and joints.

The reference is the parametric ``solder_bump`` model itself: its mesh written to ``.msh``
(and converted to Abaqus ``.inp`` with meshio) and read back as a user mesh must give the
same per-joint results as the parametric run on the same cells.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import meshio
import numpy as np
import pytest

from fem_package.case import CaseError, load_case, validate_case
from fem_package.fenics import MPI
from fem_package.mesh_file import read_mesh_file
from geometries import mesh_geometry
from geometries.mesh_file import determinate_supports
from tests.conftest import run_case

PARAMETRIC: dict[str, Any] = {
    "geometry": {
        "type": "solder_bump",
        "die_length": "2 mm",
        "die_width": "2 mm",
        "substrate_length": "4 mm",
        "substrate_width": "4 mm",
        "rows": 1,
    },
    "mesh": {"max_size": "1 mm", "joint_size": "100 um", "optimize": False},
    "solver": {"degree": 1, "rtol": 1e-10},
}
BUMPS = 5  # 5 x 5 ring at 400 um, quarter model: (0|400|800, 800) and (800, 0|400)


def parametric_groups() -> dict[str, Any]:
    """The group table that reproduces the materials and joints of the ``PARAMETRIC`` model."""
    groups: dict[str, Any] = {
        "die": {"material": "silicon"},
        "substrate": {"material": "fr4"},
        "underfill": {"material": "underfill_capillary"},
        "pad": {"material": "copper"},
    }
    for j in range(BUMPS):
        groups[f"bump_{j:04d}"] = {"material": "sac305", "role": "bump", "joint": True}
    return groups


@pytest.fixture(scope="module")
def msh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parametric quarter model written by gmsh (micrometre coordinates)."""
    path = tmp_path_factory.mktemp("mesh") / "stack.msh"
    case = validate_case(PARAMETRIC)
    mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF, msh_file=str(path))
    return path


def file_case(path: Path, **geometry: Any) -> dict[str, Any]:
    return {
        "geometry": {
            "type": "file",
            "path": str(path),
            "length_unit": "1 um",
            "symmetry": "quarter",
            "groups": parametric_groups(),
            **geometry,
        },
        "solver": PARAMETRIC["solver"],
    }


def as_meshio(data: Any) -> meshio.Mesh:
    """The mesh with its volume and surface groups as meshio cell sets (formats without physical groups)."""
    sets = {
        name: [np.flatnonzero(data.tetra_group == i), np.array([], dtype=int)]
        for i, name in enumerate(data.volume_groups)
    }
    sets |= {
        name: [np.array([], dtype=int), np.flatnonzero(data.triangle_group == i)]
        for i, name in enumerate(data.surface_groups)
    }
    return meshio.Mesh(data.points, [("tetra", data.tetra), ("triangle", data.triangles)], cell_sets=sets)


def test_reads_groups(msh: Path) -> None:
    data = read_mesh_file(msh)
    assert data.volume_groups[:4] == ("die", "substrate", "underfill", "pad")
    assert len(data.volume_groups) == 4 + BUMPS
    assert set(data.surface_groups) == {"symmetry_x", "symmetry_y", "bottom", "top"}
    assert np.all(data.tetra_group >= 0) and data.tetra.shape[1] == 4


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["msh", "inp"])
def test_same_joint_results_as_parametric(msh: Path, tmp_path: Path, fmt: str) -> None:
    path = msh
    if fmt == "inp":  # Abaqus deck with element sets, the way CAD-side meshers hand meshes over
        path = tmp_path / "stack.inp"
        meshio.write(path, as_meshio(read_mesh_file(msh)))
    reference = run_case(validate_case(PARAMETRIC), tmp_path / "parametric")
    summary = run_case(validate_case(file_case(path)), tmp_path / "file")
    assert summary["mesh"]["cells"] == reference["mesh"]["cells"]
    ref = {j["name"]: j for j in reference["joints"]}
    for joint in summary["joints"]:
        expected = ref[joint["name"]]
        assert joint["dnp"] == pytest.approx(expected["dnp"], rel=0.01)  # centroid of the faceted bump
        assert joint["fraction"] == expected["fraction"]
        for key in ("shear_strain_range", "mean_von_mises", "peak_von_mises"):
            assert joint[key] == pytest.approx(expected[key], rel=1e-6), (joint["name"], key)


def test_missing_and_unknown_groups_are_named(msh: Path) -> None:
    raw = file_case(msh)
    del raw["geometry"]["groups"]["pad"]
    raw["geometry"]["groups"]["lid"] = {"material": "copper"}
    with pytest.raises(CaseError, match=r"'lid' not in .*its volume groups are: die, substrate"):
        validate_case(raw)
    raw["geometry"]["groups"].pop("lid")
    with pytest.raises(CaseError, match=r"no entry for volume group\(s\) 'pad'"):
        validate_case(raw)


def test_bad_files_and_symmetry(msh: Path, tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="does not exist"):
        validate_case(file_case(tmp_path / "nothing.msh"))
    flat = tmp_path / "flat.vtu"
    meshio.write(flat, meshio.Mesh(np.eye(3), [("triangle", np.array([[0, 1, 2]]))]))
    with pytest.raises(CaseError, match="has no tetrahedra"):
        validate_case(file_case(flat))
    data = read_mesh_file(msh)
    plain = tmp_path / "plain.inp"
    meshio.write(
        plain, meshio.Mesh(data.points, [("tetra", data.tetra)], cell_sets={"all": [np.arange(len(data.tetra))]})
    )
    with pytest.raises(CaseError, match=r"symmetry = 'quarter' needs surface group\(s\) symmetry_x, symmetry_y"):
        validate_case(file_case(plain, groups={"all": {"material": "silicon"}}))
    with pytest.raises(CaseError, match=re.escape("geometry.length_unit: required key is missing")):
        raw = file_case(msh)
        del raw["geometry"]["length_unit"]
        validate_case(raw)


def test_path_relative_to_case_file(msh: Path, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "stack.msh").write_bytes(msh.read_bytes())
    lines = ["[geometry]", 'type = "file"', 'path = "stack.msh"', 'length_unit = "1 um"', 'symmetry = "quarter"']
    lines += ["[geometry.groups]"] + [
        f"{name} = {{ material = {g['material']!r}"
        + (f", role = {g['role']!r}, joint = true" if g.get("joint") else "")
        + " }"
        for name, g in parametric_groups().items()
    ]
    (folder / "case.toml").write_text("\n".join(lines).replace("'", '"') + "\n")
    case = load_case(folder / "case.toml")
    assert Path(case.geometry.path) == folder / "stack.msh"
    assert case.geometry.roles()["bump"] == "sac305"


def test_supports_are_determinate() -> None:
    """Three non-collinear bottom vertices: P2 off P1 along x, P3 off the line P1 P2."""
    rng = np.random.default_rng(1)
    points = np.vstack([rng.uniform(-1, 1, (200, 3)), [[-1, -1, -2], [1, -1, -2], [0, 1, -2]]])
    full = determinate_supports(points, "full")
    assert [s.components for s in full] == [(0, 1, 2), (1, 2), (2,)]
    p = np.array([s.point for s in full])
    assert np.all(p[:, 2] == -2)
    assert abs(p[1, 0] - p[0, 0]) > 1 and np.linalg.matrix_rank(np.c_[p[:, :2], np.ones(3)]) == 3
