"""The ``compliant_lead`` builder: groups, analytic volumes, symmetry, lead shapes, rigid posts, validation."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import gmsh
import numpy as np
import pytest

from fem_package.case import validate_case
from fem_package.case.errors import CaseError
from fem_package.case.geometry_compliant_lead import CompliantLeadGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription
from geometries.compliant_lead import LEAD_TAG0, SOLDER_TAG0, TAGS, TERMINAL_TAG0, build_compliant_lead
from geometries.meshing import MODEL_UNIT, generate
from tests.geometry_helpers import assert_standard_boundaries
from tests.test_geometry_solder_bump import mesh_volume, occ_volume

SMALL: dict[str, Any] = {
    "die_length": 1.2e-3,
    "die_width": 1.2e-3,
    "board_length": 2e-3,
    "board_width": 2e-3,
    "leads_x": 2,
    "leads_y": 2,
    "via_liner_thickness": 30e-6,
}
"""A 1.2 mm die with 2 x 2 leads at 500 um and filled vias (cheap to mesh)."""

CASES: dict[str, dict[str, Any]] = {
    "default_quarter": {},
    "full": {**SMALL, "symmetry": "full"},
    "odd_half": {
        **SMALL,
        "symmetry": "half",
        "leads_x": 3,
        "leads_y": 3,
        "die_length": 1.6e-3,
        "die_width": 1.6e-3,
        "board_length": 2.4e-3,
        "board_width": 2.4e-3,
    },
    "odd_quarter_vertical_square": {
        **SMALL,
        "leads_x": 3,
        "die_length": 1.6e-3,
        "board_length": 2.4e-3,
        "shape": "vertical",
        "terminal_shape": "square",
    },
    "rigid_post_half": {**SMALL, "symmetry": "half", "lead": "rigid_post", "shape": "vertical"},
    "triangular_half": {**SMALL, "symmetry": "half", "terminal_shape": "triangular"},
    "no_board_quarter": {**SMALL, "board": False},
    "extreme_thin": {
        **SMALL,
        "symmetry": "half",
        "polyimide_thickness": 25e-6,
        "terminal_height": 100e-6,
        "compliant_thickness": 85e-6,  # contact 5 + two bulges 40 + rise 40 = 2 x lead thickness
        "lead_offset": 40e-6,  # = rise: the S turns by 90 degrees
        "via_liner_thickness": 5e-6,
    },
    "extreme_thick": {
        **SMALL,
        "polyimide_thickness": 100e-6,
        "terminal_height": 500e-6,
        "terminal_width": 450e-6,
        "terminal_neck_ratio": 0.2,
        "terminal_tip_ratio": 1.0,
        "terminal_neck_position": 0.8,
        "compliant_thickness": 400e-6,
        "lead_offset": 230e-6,
        "tip_bulge_diameter": 40e-6,
        "contact_diameter": 40e-6,
        "die_length": 1.5e-3,
        "die_width": 1.5e-3,
    },
}
FAST = MeshSettings(optimize=False, joint_size=30e-6, max_size=500e-6)
OPTIMIZED = {"extreme_thin": MeshSettings(optimize=True, joint_size=30e-6, max_size=500e-6)}
"""Cases whose tight S bend (radius = lead thickness) needs gmsh's optimizer, as by default, to clear 0.01."""


def build(params: CompliantLeadGeometry, mesh: MeshSettings = FAST) -> tuple[ModelDescription, dict[str, float | int]]:
    """Build and mesh ``params`` in the current gmsh model: (description, mesh statistics)."""
    description = build_compliant_lead(params, mesh)
    return description, generate(mesh)


def expected_fractions(params: CompliantLeadGeometry) -> list[float]:
    """Kept fractions of the leads, from the grid indices by hand (independent of the builder)."""
    nx, ny = params.leads_x, params.leads_y
    keep_x = params.symmetry in ("quarter", "half")
    keep_y = params.symmetry == "quarter"
    out = []
    for j in range(ny):
        for i in range(nx):
            twice_x, twice_y = 2 * i - (nx - 1), 2 * j - (ny - 1)
            if (keep_x and twice_x < 0) or (keep_y and twice_y < 0):
                continue
            out.append((0.5 if keep_x and twice_x == 0 else 1.0) * (0.5 if keep_y and twice_y == 0 else 1.0))
    return out


def physical_names() -> set[str]:
    return {gmsh.model.getPhysicalName(3, tag) for _, tag in gmsh.model.getPhysicalGroups(3)}


@pytest.mark.parametrize("case", CASES)
def test_groups_and_volumes(session: None, case: str) -> None:
    params = CompliantLeadGeometry(**CASES[case])
    description, stats = build(params, OPTIMIZED.get(case, FAST))
    fractions = expected_fractions(params)
    n = len(fractions)
    static = {"die", "compliant", "polyimide", "via_liner", "contact"} | ({"board"} if params.board else set())
    per_joint = {f"lead_{j:04d}" for j in range(n)} | {f"terminal_{j:04d}" for j in range(n)}
    if params.board:
        per_joint |= {f"solder_{j:04d}" for j in range(n)}
    assert physical_names() == static | per_joint
    assert {r.name: r.tag for r in description.regions if r.name in static} == {k: TAGS[k] for k in static}
    joints = description.joints
    role = "lead" if params.lead == "flexible" else "post"
    assert [r.tag for r in joints] == [LEAD_TAG0 + j for j in range(n)]
    assert all(r.role == role and r.name.startswith("lead_") for r in joints)
    assert [r.fraction for r in joints] == fractions
    copies = {"quarter": 4, "half": 2, "full": 1}[params.symmetry]
    assert [r.multiplicity for r in joints] == [round(copies * f) for f in fractions]
    terminals = sorted((r for r in description.regions if r.role == "terminal"), key=lambda r: r.tag)
    assert [r.tag for r in terminals] == [TERMINAL_TAG0 + j for j in range(n)]
    assert [r.joint_id for r in terminals] == [None] * n  # per joint, but not fatigue joints themselves
    if params.board:
        assert sorted(r.tag for r in description.regions if r.role == "solder") == [SOLDER_TAG0 + j for j in range(n)]
    assert description.info["leads_modelled"] == n
    assert stats["min_scaled_jacobian"] >= FAST.min_quality
    for region in description.regions:
        assert region.volume is not None and region.volume > 0, region.name
        assert occ_volume(region.tag) == pytest.approx(region.volume, rel=1e-6, abs=0), region.name
        assert mesh_volume(region.tag) == pytest.approx(region.volume, rel=0.01, abs=0), region.name


def test_lead_volume_by_hand() -> None:
    """Lead volume from the S geometry written out independently: bulges + ribbon on two arcs."""
    p = CompliantLeadGeometry()
    t, w, s = 20e-6, 30e-6, 75e-6
    rise = 150e-6 - 5e-6 - 2 * t
    angle = 2 * math.atan(s / rise)
    radius = rise / (2 * math.sin(angle))
    assert radius * (1 - math.cos(angle)) == pytest.approx(s / 2)  # each arc takes half the offset
    expected = t * math.pi * (120e-6**2 + 60e-6**2) / 4 + w * t * 2 * radius * angle
    assert p.lead_volume() == pytest.approx(expected, rel=1e-12)
    vertical = CompliantLeadGeometry(shape="vertical")
    assert vertical.lead_length == pytest.approx(rise)
    assert p.lead_length > vertical.lead_length
    post = CompliantLeadGeometry(lead="rigid_post", shape="vertical")
    assert post.lead_volume() == pytest.approx(math.pi * (120e-6) ** 2 / 4 * 145e-6)


def test_terminal_volume_by_hand() -> None:
    """Cooling tower = two cone frusta (round): base 300 um, neck 180 um at mid-height, tip 240 um."""
    p = CompliantLeadGeometry()

    def frustum(r0: float, r1: float, h: float) -> float:
        return math.pi * h * (r0 * r0 + r0 * r1 + r1 * r1) / 3

    assert p.terminal_volume() == pytest.approx(frustum(120e-6, 90e-6, 100e-6) + frustum(90e-6, 150e-6, 100e-6))
    sq = CompliantLeadGeometry(terminal_shape="square", terminal_neck_ratio=0.5, terminal_tip_ratio=1.0)
    h = 100e-6  # two equal halves: 300 -> 150 -> 300 um squares
    assert sq.terminal_volume() == pytest.approx(2 * h * (300e-6**2 + 150e-6**2 + 300e-6 * 150e-6) / 3)


def test_lead_geometry_in_mesh(session: None) -> None:
    """The S lead reaches its contact: lead bounding box spans offset + bulges and the compliant height."""
    params = CompliantLeadGeometry(**{**SMALL, "symmetry": "full"})
    description = build_compliant_lead(params, FAST)
    info = description.info
    for r in description.joints:
        assert r.joint_center is not None
        x, y, _ = r.joint_center
        ents = gmsh.model.getEntitiesForPhysicalGroup(3, r.tag)
        boxes = np.array([gmsh.model.getBoundingBox(3, e) for e in ents]) * MODEL_UNIT
        box = np.concatenate([boxes[:, :3].min(axis=0), boxes[:, 3:].max(axis=0)])
        assert box[2] == pytest.approx(info["compliant_bottom"], abs=1e-9)
        assert box[5] == pytest.approx(float(info["die_bottom"]) - params.contact_thickness, abs=1e-9)
        axis, sign = params.lead_direction(x, y)
        assert axis == 1 and sign == (1 if y > 0 else -1)  # |y| = |x|: offsets along y, outwards
        lo, hi = (box[1], box[4])
        rf, rt = params.fixed_bulge_diameter / 2, params.tip_bulge_diameter / 2
        expect = (y - rf, y + params.lead_offset + rt) if sign > 0 else (y - params.lead_offset - rt, y + rf)
        assert (lo, hi) == pytest.approx(expect, abs=1e-8)
    assert info["s_angle_deg"] == pytest.approx(math.degrees(2 * math.atan(75 / 105)))


def test_rigid_post_variant(session: None) -> None:
    flexible = CompliantLeadGeometry(**{**SMALL, "shape": "vertical", "symmetry": "full"})
    rigid = CompliantLeadGeometry(**{**SMALL, "shape": "vertical", "symmetry": "full", "lead": "rigid_post"})
    assert rigid.roles()["post"] == "copper" and "lead" not in rigid.roles()
    d_rigid, stats = build(rigid)
    assert stats["cells"] > 0
    posts = d_rigid.joints
    assert len(posts) == 4 and all(r.role == "post" and r.material == "copper" for r in posts)
    centres = [r.joint_center for r in posts]
    gmsh.model.remove()
    gmsh.model.add("flexible")
    d_flex = build_compliant_lead(flexible, FAST)
    assert [r.joint_center for r in d_flex.joints] == centres  # same footprint
    assert d_rigid.info["lead"] == "rigid_post" and d_flex.info["lead"] == "flexible"


def test_no_board_supports_on_die_top(session: None) -> None:
    params = CompliantLeadGeometry(**{**SMALL, "board": False, "symmetry": "full"})
    description = build_compliant_lead(params, FAST)
    z_top = float(description.info["thickness"])
    assert description.info["terminal_tip"] == 0.0
    assert {r.role for r in description.regions}.isdisjoint({"board", "solder"})
    assert len(description.supports) == 3
    for s in description.supports:
        assert s.point[2] == pytest.approx(z_top) and abs(s.point[0]) == pytest.approx(0.6e-3)
    bottom = gmsh.model.getEntitiesForPhysicalGroup(2, description.boundary_tag("bottom"))
    assert len(bottom) == 4  # the four terminal tips


@pytest.mark.parametrize("case", ["default_quarter", "odd_half", "full"])
def test_boundaries_lie_in_their_planes(session: None, case: str) -> None:
    params = CompliantLeadGeometry(**CASES[case])
    description = build_compliant_lead(params, FAST)
    assert_standard_boundaries(description)


def test_default_mesh_quality(session: None) -> None:
    start, cpu_start = time.perf_counter(), time.process_time()
    description, stats = build(CompliantLeadGeometry(), MeshSettings())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(
        f"default compliant_lead: {cpu:.1f} s CPU ({seconds:.1f} s wall), {stats['cells']} cells, "
        f"{stats['vertices']} vertices, min scaled Jacobian {stats['min_scaled_jacobian']:.3f}"
    )
    assert stats["min_scaled_jacobian"] > 0.05
    assert description.info["leads_total"] == 16 and description.info["leads_modelled"] == 4


def geometry_error(**geometry: Any) -> str:
    with pytest.raises(CaseError) as err:
        validate_case({"geometry": {"type": "compliant_lead", **geometry}})
    return str(err.value)


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        ({"polyimide_thickness": "20 um"}, ["polyimide_thickness", "20 um", "25 um .. 100 um"]),
        ({"polyimide_thickness": "150 um"}, ["polyimide_thickness", "150 um", "25 um .. 100 um"]),
        ({"terminal_height": "50 um"}, ["terminal_height", "50 um", "100 um .. 500 um"]),
        ({"terminal_height": "0.6 mm"}, ["terminal_height", "600 um", "100 um .. 500 um"]),
        ({"tip_bulge_diameter": "150 um"}, ["tip_bulge_diameter", "150 um", "fixed_bulge_diameter"]),
        ({"lead_width": "70 um"}, ["lead_width", "70 um", "tip_bulge_diameter"]),
        ({"lead_thickness": "40 um"}, ["lead_thickness", "40 um", "lead_width"]),
        ({"compliant_thickness": "60 um"}, ["compliant_thickness", "60 um", "85 um"]),
        ({"lead_offset": "150 um"}, ["lead_offset", "150 um", "105 um"]),
        ({"lead_offset": "0 um"}, ["lead_offset", "0 um"]),
        ({"lead": "rigid_post"}, ["lead = 'rigid_post'", "s_shaped", "vertical"]),
        ({"leads_x": 3, "leads_y": 3, "die_length": "2 mm"}, ["quarter", "leads_x = 3", "centre lead"]),
        ({"terminal_shape": "triangular"}, ["triangular", "quarter", "x = 0", "'half'"]),
        ({"terminal_width": "480 um"}, ["terminal_width", "480 um", "450 um"]),
        ({"terminal_neck_ratio": 0.85}, ["terminal_neck_ratio", "0.85", "terminal_tip_ratio"]),
        ({"via_diameter": "130 um"}, ["via_diameter", "130 um", "fixed_bulge_diameter"]),
        ({"via_liner_thickness": "40 um"}, ["via_liner_thickness", "40 um", "30 um"]),
        ({"contact_diameter": "50 um"}, ["contact_diameter", "50 um", "tip_bulge_diameter"]),
        ({"leads_x": 5}, ["leads_x = 5", "die_length = 2 mm"]),
        ({"board_length": "1 mm"}, ["die_length", "board_length", "1 mm"]),
        ({"shape": "zigzag"}, ["shape", "zigzag"]),
        ({"lead_width": "-3 um"}, ["lead_width"]),
    ],
)
def test_invalid_parameters_refused(geometry: dict[str, Any], words: list[str]) -> None:
    message = geometry_error(**geometry)
    for word in words:
        assert word in message, (word, message)


def test_valid_case_and_roles() -> None:
    case = validate_case({"geometry": {"type": "compliant_lead", "lead_offset": "105 um", "board": False}})
    assert case.geometry.type == "compliant_lead"
    assert set(case.geometry.roles()) == {"die", "contact", "lead", "compliant", "polyimide", "via_liner", "terminal"}
    assert case.material_of("compliant").key == "silicone_elastomer"
    assert case.material_of("lead").key == "gold"
    gel = validate_case(
        {"geometry": {"type": "compliant_lead"}, "materials": {"assign": {"compliant": "silicone_gel"}}}
    )
    assert gel.material_of("compliant").key == "silicone_gel"


def test_example_file_is_valid() -> None:
    from fem_package.case import load_case

    case = load_case(Path(__file__).resolve().parents[1] / "examples" / "compliant_lead.toml")
    assert case.geometry.type == "compliant_lead"


@pytest.mark.slow
def test_quarter_and_full_models_agree(tmp_path: Path) -> None:
    """Quarter and full models of the symmetric 2 x 2 package give the same per-lead results within 2 %."""
    from tests.conftest import run_case

    results = {}
    for sym in ("quarter", "full"):
        case = validate_case(
            {
                "geometry": {"type": "compliant_lead", **SMALL, "symmetry": sym},
                "load": {
                    "profile": "custom",
                    "points": [["0 s", "25 C"], ["900 s", "125 C"]],
                    "steps_per_ramp": 1,
                    "steps_per_dwell": 0,
                },
                "mesh": {"max_size": "600 um", "joint_size": "60 um", "optimize": False},
                "solver": {"degree": 1, "rtol": 1e-10},
                "output": {"picture": False},
            }
        )
        results[sym] = run_case(case, tmp_path / sym)
    (quarter,) = results["quarter"]["joints"]
    full = results["full"]["joints"]
    assert len(full) == 4
    worst = 0.0
    for j in full:
        assert j["dnp"] == pytest.approx(quarter["dnp"])
        for key in ("mean_von_mises", "shear_strain_range", "shear_strain_peak"):
            assert j[key] == pytest.approx(quarter[key], rel=0.02), (j["name"], key)
            worst = max(worst, abs(j[key] / quarter[key] - 1))
    print(f"quarter vs full: largest relative difference {worst:.2e}; quarter lead {quarter}")
