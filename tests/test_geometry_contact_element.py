"""The ``contact_element`` builder: groups, analytic swept volumes, conformal ends, symmetry, parameter checks."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import gmsh
import numpy as np
import pytest

from fem_package.case import CaseError, validate_case
from fem_package.case.geometry_contact_element import ContactElementGeometry
from fem_package.case.mesh import MeshSettings
from geometries.contact_element import ELEMENT_TAG0, TAGS, build_contact_element
from geometries.meshing import MODEL_UNIT, generate
from postprocess.contact_design_rule import elements_from_description
from tests.geometry_helpers import mesh_volume, occ_volume

TWO_BY_TWO: dict[str, Any] = {
    "die_length": "1 mm",
    "die_width": "1 mm",
    "substrate_length": "2 mm",
    "substrate_width": "2 mm",
    "array": "full",
    "elements_x": 2,
    "elements_y": 2,
}
"""Four elements at (+-200, +-200) um: one per quadrant."""

CASES: dict[str, dict[str, Any]] = {
    "default_quarter": {},
    "prebent_half": {**TWO_BY_TWO, "shape": "prebent", "symmetry": "half", "element_height": "150 um"},
    "s_leaf_potted": {
        **TWO_BY_TWO,
        "shape": "s_shaped",
        "section": "leaf_spring",
        "tip": "direct",
        "potting": True,
        "tilt_angle": 40,
    },
    "vertical_centre": {
        **TWO_BY_TWO,
        "elements_x": 3,
        "elements_y": 3,
        "tilt_angle": 0,
        "element_height": "100 um",
        "die_length": "1.2 mm",
        "die_width": "1.2 mm",
    },
    "extreme_pin": {
        **TWO_BY_TWO,
        "symmetry": "full",
        "elements_y": 1,
        "pin_diameter": "50 um",
        "tilt_angle": 60,
        "element_height": "60 um",
        "head_diameter": "100 um",
        "head_height": "5 um",
        "contact_area_thickness": "2 um",
    },
    "extreme_leaf": {
        **TWO_BY_TWO,
        "symmetry": "half",
        "shape": "prebent",
        "section": "leaf_spring",
        "tip": "direct",
        "lean": "inward",
        "leaf_thickness": "100 um",
        "contact_area_length": "150 um",
        "contact_area_width": "60 um",
        "bend_radius": "75 um",
        "leg_length": "0 um",
        "tilt_angle": 45,
        "element_height": "150 um",
    },
}
FAST = MeshSettings(optimize=False)


def params_of(case: str) -> ContactElementGeometry:
    """Validated parameters of a named case (strings with units allowed)."""
    return ContactElementGeometry.model_validate(CASES[case])


def expected_fractions(params: ContactElementGeometry) -> list[float]:
    """Modelled fractions of the kept elements, from the grid by hand (independent of the builder)."""
    nx, ny = params.counts()
    keep_x, keep_y = params.symmetry in ("quarter", "half"), params.symmetry == "quarter"
    out = []
    for j in range(ny):
        for i in range(nx):
            if params.array == "perimeter" and min(i, j, nx - 1 - i, ny - 1 - j) >= params.rows:
                continue
            twice_x, twice_y = 2 * i - (nx - 1), 2 * j - (ny - 1)
            if (keep_x and twice_x < 0) or (keep_y and twice_y < 0):
                continue
            out.append((0.5 if keep_x and twice_x == 0 else 1.0) * (0.5 if keep_y and twice_y == 0 else 1.0))
    return out


def faces(tag: int) -> set[int]:
    """Boundary surfaces of a physical volume group."""
    vols = [(3, v) for v in gmsh.model.getEntitiesForPhysicalGroup(3, tag)]
    return {t for _, t in gmsh.model.getBoundary(vols, combined=False, oriented=False)}


@pytest.mark.parametrize("case", CASES)
def test_groups_and_volumes(session: None, case: str) -> None:
    params = params_of(case)
    start = time.perf_counter()
    description = build_contact_element(params, FAST)
    stats = generate(FAST)
    print(f"{case}: {time.perf_counter() - start:.1f} s, {stats}")
    fractions = expected_fractions(params)
    static = {"die", "substrate", "contact_area", "substrate_pad"}
    static |= {"head"} if params.tip == "solder_head" else set()
    static |= {"potting"} if params.potting else set()
    names = {gmsh.model.getPhysicalName(3, tag) for _, tag in gmsh.model.getPhysicalGroups(3)}
    assert names == static | {f"element_{j:04d}" for j in range(len(fractions))}
    assert {r.name: r.tag for r in description.regions if r.joint_id is None} == {n: TAGS[n] for n in static}
    joints = description.joints
    assert [r.tag for r in joints] == [ELEMENT_TAG0 + j for j in range(len(fractions))]
    assert [r.fraction for r in joints] == fractions
    copies = {"quarter": 4, "half": 2, "full": 1}[params.symmetry]
    assert [r.multiplicity for r in joints] == [round(copies * f) for f in fractions]
    material = "gold" if params.section == "pin" else "phosphor_bronze"
    assert all(r.role == "contact_element" and r.material == material for r in joints)
    for region in description.regions:
        assert region.volume is not None and region.volume > 0
        assert occ_volume(region.tag) == pytest.approx(region.volume, rel=1e-4, abs=0), region.name
        assert mesh_volume(region.tag) == pytest.approx(region.volume, rel=0.01, abs=0), region.name
    assert stats["min_scaled_jacobian"] >= FAST.min_quality


def test_swept_volume_is_section_times_path_length(session: None) -> None:
    """V = A L for every shape and section, with L from the path formulas written out here by hand."""
    h, t, r, a = 180e-6, math.radians(35), 70e-6, 30e-6
    lengths = {
        "straight_tilted": h / math.cos(t),
        "prebent": a + r * t + (h - a - r * math.sin(t)) / math.cos(t),
        "s_shaped": 2 * a + 2 * r * t + (h - 2 * a - 2 * r * math.sin(t)) / math.cos(t),
    }
    for section, area in (("pin", math.pi * 36e-6**2 / 4), ("leaf_spring", 100e-6 * 40e-6)):
        for shape, length in lengths.items():
            extra = {"tip": "direct", "leaf_thickness": "40 um"} if section == "leaf_spring" else {}
            params = ContactElementGeometry.model_validate(
                {
                    **TWO_BY_TWO,
                    "symmetry": "quarter",
                    "shape": shape,
                    "section": section,
                    "pin_diameter": "36 um",
                    "element_height": h,
                    "tilt_angle": 35,
                    "bend_radius": r,
                    "leg_length": a,
                    **extra,
                }
            )
            assert params.element_length == pytest.approx(length, rel=1e-12)
            gmsh.model.add(f"{shape}_{section}")
            description = build_contact_element(params, FAST)
            (joint,) = description.joints
            assert occ_volume(joint.tag) == pytest.approx(area * length, rel=1e-5), (shape, section)
            assert description.info["element_length"] == pytest.approx(length, rel=1e-12)
            gmsh.model.remove()


@pytest.mark.parametrize("case", ["default_quarter", "s_leaf_potted", "extreme_leaf"])
def test_conformal_ends_and_tip_position(session: None, case: str) -> None:
    """Each element shares a face with its contact area at the top and with its head or pad at the tip."""
    params = params_of(case)
    description = build_contact_element(params, FAST)
    below = TAGS["head"] if params.tip == "solder_head" else TAGS["substrate_pad"]
    top, bottom = faces(TAGS["contact_area"]), faces(below)
    z_mid = description.joints[0].joint_center[2] if description.joints[0].joint_center else 0.0
    for joint in description.joints:
        assert joint.joint_center is not None
        x, y, z = joint.joint_center
        assert z == pytest.approx(z_mid)
        own = faces(joint.tag)
        assert own & top and own & bottom, joint.name
        tip_faces = sorted(own & bottom)
        centroid = np.mean([gmsh.model.occ.getCenterOfMass(2, s) for s in tip_faces], axis=0) * MODEL_UNIT
        tx, ty = params.tip_position(x, y)
        if joint.fraction == 1:
            assert centroid[:2] == pytest.approx([tx, ty], abs=1e-8)
        assert centroid[2] == pytest.approx(z - params.element_height / 2, abs=1e-9)
    assert description.info["die_bottom"] == pytest.approx(
        z_mid + params.element_height / 2 + params.contact_area_thickness
    )


def test_centre_element_quarter(session: None) -> None:
    description = build_contact_element(params_of("vertical_centre"), FAST)
    by_center = {r.joint_center[:2]: r for r in description.joints if r.joint_center}
    assert by_center[(0.0, 0.0)].fraction == 0.25 and by_center[(0.0, 0.0)].multiplicity == 1
    assert by_center[(0.0, 400e-6)].fraction == 0.5 and by_center[(0.0, 400e-6)].multiplicity == 2
    assert by_center[(400e-6, 400e-6)].fraction == 1.0 and by_center[(400e-6, 400e-6)].multiplicity == 4


def test_info_and_design_rule_inputs(session: None) -> None:
    params = ContactElementGeometry()
    description = build_contact_element(params, FAST)
    info = description.info
    assert info["elements_total"] == 16 and info["elements_modelled"] == 5
    assert info["element_length"] == pytest.approx(200e-6 / math.cos(math.radians(30)))
    assert info["element_length_to_height"] == pytest.approx(1 / math.cos(math.radians(30)))
    assert info["tip_offset"] == pytest.approx(200e-6 * math.tan(math.radians(30)))
    assert info["max_dnp"] == pytest.approx(math.hypot(800e-6, 800e-6))
    assert info["section_to_contact_area"] == pytest.approx(0.4)
    assert all(isinstance(v, int | float | str) for v in info.values())
    inputs = elements_from_description(description)
    assert [e.id for e in inputs] == list(range(5))
    assert sorted(round(e.dnp * 1e6, 3) for e in inputs) == sorted(
        round(math.hypot(x, y) * 1e6, 3)
        for x, y in [(800e-6, 0), (0, 800e-6), (800e-6, 400e-6), (400e-6, 800e-6), (800e-6, 800e-6)]
    )
    assert all(e.length == info["element_length"] for e in inputs)


def test_default_mesh_quality(session: None) -> None:
    start = time.perf_counter()
    build_contact_element(ContactElementGeometry(), MeshSettings())
    stats = generate(MeshSettings())
    seconds = time.perf_counter() - start
    print(f"default: {seconds:.1f} s, {stats}")
    assert stats["min_scaled_jacobian"] > 0.05


BAD: list[tuple[dict[str, Any], list[str]]] = [
    ({"pin_diameter": "60 um"}, ["pin_diameter", "60 um", "50 um"]),
    ({"section": "leaf_spring", "tip": "direct", "leaf_thickness": "120 um"}, ["leaf_thickness", "120 um", "30 um"]),
    ({"section": "leaf_spring", "leaf_thickness": "50 um"}, ["tip", "solder_head", "leaf_spring"]),
    ({"head_diameter": "30 um"}, ["head_diameter", "30 um"]),
    ({"shape": "prebent", "bend_radius": "20 um"}, ["bend_radius", "20 um", "30 um"]),
    ({"shape": "s_shaped", "element_height": "80 um"}, ["element_height", "80 um"]),
    ({"shape": "prebent", "tilt_angle": 0}, ["tilt_angle", "0"]),
    ({"tilt_angle": 70}, ["tilt_angle"]),
    ({"array": "full", "elements_x": 3, "elements_y": 3}, ["neutral point", "tilt_angle = 0"]),
    ({"lean": "inward", "array": "full", "elements_x": 2, "elements_y": 2, "element_height": "400 um"}, ["apart"]),
    ({"potting": True, "tilt_angle": 45}, ["potting", "die footprint"]),
    ({"pitch": "120 um"}, ["pitch", "120 um", "141.4 um"]),
    ({"die_length": "5 mm"}, ["die_length", "5 mm", "substrate_length", "4 mm"]),
    ({"substrate_length": "2 mm", "tilt_angle": 45}, ["substrate_length", "2 mm"]),
    (
        {"contact_area_length": "60 um", "section": "leaf_spring", "leaf_thickness": "60 um", "tip": "direct"},
        ["contact_area_length", "60 um", "69.28 um"],
    ),
    ({"rows": 3}, ["rows = 3"]),
    ({"shape": "spiral"}, ["shape"]),
]


@pytest.mark.parametrize(("bad", "words"), BAD)
def test_invalid_parameters_refused(bad: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(CaseError) as err:
        validate_case({"geometry": {"type": "contact_element", **bad}})
    message = str(err.value)
    for word in words:
        assert word in message, (word, message)


def test_valid_edges_accepted() -> None:
    """Values on the limits the seed text gives are allowed."""
    case = validate_case({"geometry": {"type": "contact_element", "pin_diameter": "50 um"}})
    assert isinstance(case.geometry, ContactElementGeometry)
    for t in ("30 um", "100 um"):
        geo = {
            "type": "contact_element",
            "section": "leaf_spring",
            "tip": "direct",
            "leaf_thickness": t,
            "tilt_angle": 0,
        }
        assert validate_case({"geometry": geo}).geometry.roles()["contact_element"] == "phosphor_bronze"
    centre = {"type": "contact_element", "array": "full", "elements_x": 3, "elements_y": 3, "tilt_angle": 0}
    assert validate_case({"geometry": centre}).geometry.type == "contact_element"


def test_example_case_validates() -> None:
    from fem_package.case import load_case

    case = load_case(Path(__file__).resolve().parents[1] / "examples" / "contact_element.toml")
    assert case.geometry.type == "contact_element"


def run_pair(tmp_path: Path, geometry: dict[str, Any], mesh: dict[str, Any], degree: int) -> dict[str, Any]:
    """Per-joint results of the quarter and the full model of ``geometry`` through the whole pipeline."""
    from tests.conftest import run_case

    results = {}
    for sym in ("quarter", "full"):
        case = validate_case(
            {
                "geometry": {"type": "contact_element", **geometry, "symmetry": sym},
                "load": {"profile": "JESD22-A104-G", "cycles": 1, "steps_per_ramp": 1, "steps_per_dwell": 1},
                "mesh": mesh,
                "solver": {"degree": degree},
                "output": {"vtx": False, "picture": False},
            }
        )
        summary = run_case(case, tmp_path / sym)
        rule = summary["design_rule"]
        assert [r["name"] for r in rule] == [j["name"] for j in summary["joints"]]
        assert all(r["passes"] and (r["margin"] is None or r["margin"] > 0) for r in rule)
        results[sym] = summary["joints"]
    return results


def assert_twins(results: dict[str, Any], keys: tuple[str, ...], whole_only: tuple[str, ...] = ()) -> None:
    """Every full-model joint matches the quarter-model joint at (|x|, |y|) within 2 %."""
    quarter = {(round(j["x"] * 1e6), round(j["y"] * 1e6)): j for j in results["quarter"]}
    for joint in results["full"]:
        twin = quarter[(abs(round(joint["x"] * 1e6)), abs(round(joint["y"] * 1e6)))]
        assert joint["dnp"] == pytest.approx(twin["dnp"], rel=1e-9)
        for key in keys + (whole_only if twin["fraction"] == 1 else ()):
            print(joint["name"], key, f"{joint[key] / twin[key] - 1:+.4f}")
            assert joint[key] == pytest.approx(twin[key], rel=0.02), (joint["name"], key)


@pytest.mark.slow
def test_quarter_and_full_agree_pins(tmp_path: Path) -> None:
    """2 x 2 tilted pins on solder heads (P1, coarse): the quarter's element matches all four of the full model."""
    geometry = {**TWO_BY_TWO, "element_height": "120 um"}
    results = run_pair(tmp_path, geometry, {"max_size": "300 um", "joint_size": "8 um"}, 1)
    assert len(results["quarter"]) == 1 and len(results["full"]) == 4
    assert_twins(results, ("mean_von_mises", "shear_strain_range"))


@pytest.mark.slow
def test_quarter_and_full_agree_cut_leaf_springs(tmp_path: Path) -> None:
    """3 x 2 S-shaped leaf springs (P2): one whole element and one halved by x = 0 in the quarter model.

    For the element cut by x = 0 the shear component gamma_xz is odd about the plane: the joint metrics
    drop it (zero over the whole element), so the halved element's shear range matches its full twin.
    """
    geometry = {**TWO_BY_TWO, "elements_x": 3, "section": "leaf_spring", "tip": "direct", "shape": "s_shaped"}
    results = run_pair(tmp_path, geometry, {"max_size": "300 um"}, 2)
    quarter = sorted(results["quarter"], key=lambda j: j["x"])
    assert [(round(j["x"] * 1e6), round(j["y"] * 1e6), j["fraction"]) for j in quarter] == [
        (0, 200, 0.5),
        (400, 200, 1.0),
    ]
    assert len(results["full"]) == 6
    assert_twins(results, ("mean_von_mises",), ("shear_strain_range",))
    # The halved element: within 5 %, not 2 %, because the full model's mesh is not mirror-symmetric, so its
    # gamma_xz average is not exactly zero (measured +3.1 %; before the metric dropped the odd component: +32 %).
    cut = next(j for j in results["full"] if round(j["x"] * 1e6) == 0)
    twin = next(j for j in results["quarter"] if j["fraction"] == 0.5)
    assert cut["shear_strain_range"] == pytest.approx(twin["shear_strain_range"], rel=0.05)
