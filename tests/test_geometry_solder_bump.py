"""The ``solder_bump`` builder: physical groups, analytic volumes, symmetry cuts and mesh quality."""

from __future__ import annotations

import math
import time
from typing import Any

import gmsh
import pytest

from fem_package.case.case import DEFAULT_CASE
from fem_package.case.geometry_solder_bump import SolderBumpGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription
from geometries.meshing import generate
from geometries.solder_bump import BUMP_TAG0, TAGS, build_solder_bump
from tests.geometry_helpers import assert_standard_boundaries, mesh_volume, occ_volume

SMALL: dict[str, Any] = {
    "die_length": 2e-3,
    "die_width": 2e-3,
    "substrate_length": 4e-3,
    "substrate_width": 4e-3,
    "rows": 1,
}
"""A 2 mm die with a 5 x 5 perimeter ring at 400 um: 16 bumps, one on each symmetry plane per side."""

CASES: dict[str, dict[str, Any]] = {
    "default_quarter": {},
    "half": {**SMALL, "symmetry": "half"},
    "full": {**SMALL, "symmetry": "full"},
    "odd_quarter": {**SMALL, "array": "full", "bumps_x": 3, "bumps_y": 3},
    "odd_half": {**SMALL, "array": "full", "bumps_x": 3, "bumps_y": 3, "symmetry": "half"},
    "no_underfill": {**SMALL, "underfill": False},
    "extreme": {
        "symmetry": "full",
        "array": "full",
        "bumps_x": 3,
        "bumps_y": 2,
        "pitch": 110e-6,
        "bump_diameter": 100e-6,
        "standoff": 20e-6,
        "die_length": 0.4e-3,
        "die_width": 0.3e-3,
        "substrate_length": 0.8e-3,
        "substrate_width": 0.6e-3,
        "die_thickness": 0.1e-3,
        "substrate_thickness": 0.2e-3,
    },
}
FAST = MeshSettings(optimize=False)


def build(params: SolderBumpGeometry, mesh: MeshSettings = FAST) -> tuple[ModelDescription, dict[str, float | int]]:
    """Build and mesh ``params`` in the current gmsh model: (description, mesh statistics)."""
    description = build_solder_bump(params, mesh)
    return description, generate(mesh)


def expected_bumps(params: SolderBumpGeometry) -> list[float]:
    """Modelled fractions of the kept bumps, from the bump grid by hand (independent of the builder)."""
    nx, ny = params.counts()
    keep_x = params.symmetry in ("quarter", "half")
    keep_y = params.symmetry == "quarter"
    out = []
    for j in range(ny):
        for i in range(nx):
            if params.array == "perimeter" and min(i, j, nx - 1 - i, ny - 1 - j) >= params.rows:
                continue
            twice_x, twice_y = 2 * i - (nx - 1), 2 * j - (ny - 1)  # 2 x / pitch, exact integers
            if (keep_x and twice_x < 0) or (keep_y and twice_y < 0):
                continue
            out.append((0.5 if keep_x and twice_x == 0 else 1.0) * (0.5 if keep_y and twice_y == 0 else 1.0))
    return out


@pytest.mark.parametrize("case", CASES)
def test_groups_and_volumes(session: None, case: str) -> None:
    params = SolderBumpGeometry(**CASES[case])
    description, _ = build(params)
    fractions = expected_bumps(params)
    names = {gmsh.model.getPhysicalName(3, tag) for _, tag in gmsh.model.getPhysicalGroups(3)}
    static = {"die", "substrate", "pad"} | ({"underfill"} if params.underfill else set())
    assert names == static | {f"bump_{j:04d}" for j in range(len(fractions))}
    assert {r.name: r.tag for r in description.regions if r.joint_id is None} == {n: TAGS[n] for n in static}
    joints = description.joints
    assert [r.tag for r in joints] == [BUMP_TAG0 + j for j in range(len(fractions))]
    assert [r.fraction for r in joints] == fractions
    copies = {"quarter": 4, "half": 2, "full": 1}[params.symmetry]
    assert [r.multiplicity for r in joints] == [round(copies * f) for f in fractions]
    assert all(r.role == "bump" and r.material == "sac305" for r in joints)
    assert description.info["bumps_modelled"] == len(fractions)
    for region in description.regions:
        assert occ_volume(region.tag) == pytest.approx(region.volume, rel=0.01, abs=0), region.name
        assert mesh_volume(region.tag) == pytest.approx(region.volume, rel=0.02, abs=0), region.name


@pytest.mark.parametrize("case", ["default_quarter", "odd_half", "full"])
def test_boundaries_lie_in_their_planes(session: None, case: str) -> None:
    params = SolderBumpGeometry(**CASES[case])
    description = build_solder_bump(params, FAST)
    assert_standard_boundaries(description)


def test_cut_bumps_on_symmetry_planes(session: None) -> None:
    description = build_solder_bump(SolderBumpGeometry(**CASES["odd_quarter"]), FAST)
    by_center = {r.joint_center[:2]: r for r in description.joints if r.joint_center}
    assert by_center[(0.0, 0.0)].fraction == 0.25 and by_center[(0.0, 0.0)].multiplicity == 1
    assert by_center[(0.0, 400e-6)].fraction == 0.5 and by_center[(0.0, 400e-6)].multiplicity == 2
    assert by_center[(400e-6, 400e-6)].fraction == 1.0 and by_center[(400e-6, 400e-6)].multiplicity == 4


def test_info(session: None) -> None:
    params = SolderBumpGeometry()
    info = build_solder_bump(params, FAST).info
    d, h = params.bump_diameter, params.standoff
    assert info["bumps_total"] == 12 * 12 - 8 * 8
    assert info["pad_diameter"] == pytest.approx(2 * math.sqrt((d / 2) ** 2 - (h / 2) ** 2))
    assert info["max_dnp"] == pytest.approx(math.hypot(5.5 * params.pitch, 5.5 * params.pitch))
    assert all(isinstance(v, int | float | str) for v in info.values())


def test_quality_at_default_sizes(session: None) -> None:
    _, stats = build(SolderBumpGeometry(), MeshSettings())
    assert stats["min_scaled_jacobian"] > 0.1


def test_demo_case_mesh_budget(session: None) -> None:
    params = SolderBumpGeometry.model_validate(DEFAULT_CASE["geometry"])
    start = time.perf_counter()
    _, stats = build(params, MeshSettings.model_validate(DEFAULT_CASE["mesh"]))
    seconds = time.perf_counter() - start
    gmsh.model.mesh.createEdges()
    p2_dofs = 3 * (stats["vertices"] + len(gmsh.model.mesh.getAllEdges()[0]))
    print(
        f"demo: {seconds:.1f} s, {stats['cells']} cells, {stats['vertices']} vertices, ~{p2_dofs} P2 dofs, "
        f"min scaled Jacobian {stats['min_scaled_jacobian']:.3f}"
    )
    assert seconds < 15
    assert stats["vertices"] < 40_000
    assert 50_000 < p2_dofs < 150_000
