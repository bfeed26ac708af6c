"""The ``acf_microcapsule`` builder: both levels, capsule placement and statistics, volumes, cut faces, validation."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import gmsh
import numpy as np
import pytest

from fem_package.case import validate_case
from fem_package.case.errors import CaseError
from fem_package.case.geometry_acf_microcapsule import (
    AcfMicrocapsuleGeometry,
    compressed_grain_axes,
    truncated_spheroid_volume,
)
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription
from geometries.acf_microcapsule import (
    JOINT_TAG0,
    SUBMODEL_CUT,
    TAGS,
    build_acf_microcapsule,
    capsule_gaps,
    capsule_report,
    place_capsules,
)
from geometries.meshing import MODEL_UNIT, generate
from tests.conftest import run_case
from tests.test_geometry_solder_bump import mesh_volume, occ_volume

SMALL_DIE: dict[str, Any] = {
    "die_length": 300e-6,
    "die_width": 300e-6,
    "substrate_length": 600e-6,
    "substrate_width": 600e-6,
    "die_thickness": 150e-6,
    "substrate_thickness": 200e-6,
}
"""A 0.3 mm die with a 6 x 6 perimeter ring at 50 um pitch: 20 pads, 5 in a quarter model."""
FEW = {"volume_fraction": 0.008}
"""About six capsules in the pad model: quick to mesh."""

CASES: dict[str, dict[str, Any]] = {
    "die_quarter": SMALL_DIE,
    "die_half_cut_pads": {**SMALL_DIE, "symmetry": "half", "array": "full", "pads_x": 3, "pads_y": 2},
    "die_full": {**SMALL_DIE, "symmetry": "full", "array": "full", "pads_x": 2, "pads_y": 3},
    "die_quarter_cut_pads": {**SMALL_DIE, "array": "full", "pads_x": 3, "pads_y": 3},
    "pad_random": {**SMALL_DIE, **FEW, "level": "pad"},
    "pad_extreme": {
        **SMALL_DIE,
        "level": "pad",
        "grain_diameter": 8e-6,
        "shell_thickness": 0.4e-6,
        "flattening": 0.9,
        "pitch": 60e-6,
        "pad_length": 24e-6,
        "pad_width": 24e-6,
        "volume_fraction": 0.01,
        "imc_thickness": 0.5e-6,
        "solder_thickness": 3e-6,
        "capsule_clearance": 0.5e-6,
        "seed": 7,
    },
}
FAST = MeshSettings(optimize=False)
OPTIMIZED = MeshSettings(optimize=True)


def build(params: AcfMicrocapsuleGeometry, mesh: MeshSettings = OPTIMIZED) -> ModelDescription:
    description = build_acf_microcapsule(params, mesh)
    generate(mesh)
    return description


def expected_joints(params: AcfMicrocapsuleGeometry) -> list[float]:
    """Modelled fractions of the kept pads, from the pad grid by hand (independent of the case model)."""
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


# ------------------------------------------------------------------ meshing, groups, volumes
@pytest.mark.parametrize("case", CASES)
def test_groups_and_volumes(session: None, case: str) -> None:
    params = AcfMicrocapsuleGeometry(**CASES[case])
    description = build(params)
    names = {gmsh.model.getPhysicalName(3, tag) for _, tag in gmsh.model.getPhysicalGroups(3)}
    static = {"die", "substrate", "film", "pad", "imc", "solder"}
    joints = description.joints
    if params.level == "die":
        fractions = expected_joints(params)
        assert names == static | {f"joint_{j:04d}" for j in range(len(fractions))}
        assert [r.fraction for r in joints] == fractions
        copies = {"quarter": 4, "half": 2, "full": 1}[params.symmetry]
        assert [r.multiplicity for r in joints] == [round(copies * f) for f in fractions]
        assert all(r.role == "joint" and r.material == "epoxy_acf" for r in joints)
        assert all(r.joint_center is not None and r.joint_center[2] == pytest.approx(params.joint_z) for r in joints)
    else:
        n = int(description.info["capsules_modelled"])
        assert n >= 3
        assert names == static | {"shell"} | {f"capsule_{i:04d}" for i in range(n)}
        assert all(r.role == "grain" and r.fraction == 1.0 and r.multiplicity == 1 for r in joints)
        assert int(description.info["trapped_count"]) + int(description.info["lateral_count"]) == n
    assert [r.tag for r in joints] == [JOINT_TAG0 + j for j in range(len(joints))]
    assert {r.name: r.tag for r in description.regions if r.joint_id is None} == {
        n: TAGS[n] for n in names if n in TAGS
    }
    for region in description.regions:
        assert region.volume is not None and region.volume > 0
        assert occ_volume(region.tag) == pytest.approx(region.volume, rel=0.005, abs=0), region.name
        assert mesh_volume(region.tag) == pytest.approx(region.volume, rel=0.01, abs=0), region.name


def test_pad_model_interface(session: None) -> None:
    """Symmetry full, no supports, one cut group on all six box faces, at the pad's global position."""
    params = AcfMicrocapsuleGeometry(**CASES["pad_random"])
    description = build_acf_microcapsule(params, FAST)
    assert description.symmetry == "full" and not description.supports and not description.symmetry_planes
    assert [b.name for b in description.boundaries] == [SUBMODEL_CUT]
    cx, cy, cz = params.submodel_center()
    die_joints = params.joint_positions()
    assert params.submodel_joint() == max(
        range(len(die_joints)), key=lambda j: (math.hypot(*die_joints[j][:2]), -j)
    )  # largest DNP by default
    assert (cx, cy) == die_joints[params.submodel_joint()][:2] and cz == pytest.approx(params.joint_z)
    lo = np.array([cx - params.pitch / 2, cy - params.pitch / 2, params.substrate_thickness - params.slice_thickness])
    hi = np.array(
        [cx + params.pitch / 2, cy + params.pitch / 2, float(description.info["die_bottom"]) + params.slice_thickness]
    )
    box = np.array(gmsh.model.getBoundingBox(-1, -1)) * MODEL_UNIT
    assert np.allclose(box[:3], lo, atol=1e-10) and np.allclose(box[3:], hi, atol=1e-10)
    area = 0.0
    for s in gmsh.model.getEntitiesForPhysicalGroup(2, description.boundary_tag(SUBMODEL_CUT)):
        b = np.array(gmsh.model.getBoundingBox(2, s)) * MODEL_UNIT
        on_face = [abs(b[k] - v) < 1e-10 and abs(b[k + 3] - v) < 1e-10 for k in range(3) for v in (lo[k], hi[k])]
        assert any(on_face), s
        area += gmsh.model.occ.getMass(2, s) * MODEL_UNIT**2
    size = hi - lo
    assert area == pytest.approx(2 * (size[0] * size[1] + size[1] * size[2] + size[0] * size[2]), rel=1e-9)
    glob = params.global_geometry()
    assert glob is not None and glob.level == "die"
    assert glob.model_dump(exclude={"level"}) == params.model_dump(exclude={"level"})
    assert glob.global_geometry() is None  # the die level is not a submodel


def test_capsule_shapes_in_the_model(session: None) -> None:
    """Trapped grains touch the solder on flat contact discs (shell removed there); lateral ones are shell-wrapped."""
    params = AcfMicrocapsuleGeometry(**{**SMALL_DIE, "level": "pad", "placement": "regular"})
    description = build_acf_microcapsule(params, FAST)
    solder = set(gmsh.model.getEntitiesForPhysicalGroup(3, TAGS["solder"]))
    shell = set(gmsh.model.getEntitiesForPhysicalGroup(3, TAGS["shell"]))
    trapped = 0
    for region in description.joints:
        (grain,) = gmsh.model.getEntitiesForPhysicalGroup(3, region.tag)
        contacts = []
        for _, surface in gmsh.model.getBoundary([(3, grain)], oriented=False):
            neighbours = set(gmsh.model.getAdjacencies(2, surface)[0]) - {grain}
            assert neighbours <= solder | shell, region.name  # the grain touches solder or its own shell only
            if neighbours & solder:
                contacts.append(gmsh.model.occ.getMass(2, surface) * MODEL_UNIT**2)
        if contacts:
            trapped += 1
            assert contacts == pytest.approx([math.pi * params.contact_radius**2] * 2, rel=1e-6)
            assert region.volume == pytest.approx(math.pi * params.grain_diameter**3 / 6, rel=1e-12)
    assert trapped == int(description.info["trapped_count"]) >= 4
    a, c = params.compressed_axes
    assert a > params.grain_diameter / 2 > c > params.joint_thickness / 2


def test_compressed_grain_keeps_volume_and_tends_to_the_sphere() -> None:
    d = 5e-6
    for h in (0.4 * d, 0.6 * d, 0.9 * d):
        a, c = compressed_grain_axes(d, h)
        assert truncated_spheroid_volume(a, c, h) == pytest.approx(math.pi * d**3 / 6, rel=1e-12)
        assert a**2 * (1 - h**2 / (4 * c**2)) == pytest.approx((d / 2) ** 2 - (h / 2) ** 2, rel=1e-12)
    a, c = compressed_grain_axes(d, 0.99999 * d)
    assert a == pytest.approx(d / 2, rel=1e-3) and c == pytest.approx(d / 2, rel=1e-3)


# ------------------------------------------------------------------ placement and statistics
def _check_layout(params: AcfMicrocapsuleGeometry, caps: list[Any], center: tuple[float, float]) -> None:
    """No overlaps (clearance kept), trapped capsules inside the pad, lateral ones outside it and in the box."""
    clr, half = params.capsule_clearance, params.pitch / 2
    for i, a in enumerate(caps):
        for b in caps[i + 1 :]:
            assert math.hypot(a.x - b.x, a.y - b.y) >= a.radius(params) + b.radius(params) + clr - 1e-15
        x, y, r = a.x - center[0], a.y - center[1], a.radius(params)
        if a.trapped:
            assert (
                abs(x) + r + clr <= params.pad_length / 2 + 1e-15 and abs(y) + r + clr <= params.pad_width / 2 + 1e-15
            )
        else:
            assert abs(x) + r + clr <= half + 1e-15 and abs(y) + r + clr <= half + 1e-15
            outside_x = abs(x) - r - clr >= params.pad_length / 2 - 1e-15
            outside_y = abs(y) - r - clr >= params.pad_width / 2 - 1e-15
            assert outside_x or outside_y


def test_placement_reproducible_and_non_overlapping() -> None:
    params = AcfMicrocapsuleGeometry(level="pad")
    center = params.submodel_center()[:2]
    first = place_capsules(params, center)
    assert first == place_capsules(params, center)  # same seed, same capsules
    assert first != place_capsules(params.model_copy(update={"seed": 2}), center)
    shifted = place_capsules(params, (0.0, 0.0))
    assert [c.trapped for c in shifted] == [c.trapped for c in first]  # the pattern is relative to the pad
    assert [(c.x + center[0], c.y + center[1]) for c in shifted] == [pytest.approx((c.x, c.y)) for c in first]
    dense = AcfMicrocapsuleGeometry(volume_fraction=0.026)  # placement coverage 0.29, at the limit
    assert dense.placement_coverage == pytest.approx(0.29, abs=0.01)
    with pytest.raises(ValueError, match=r"at most 0\.3 can be placed"):
        AcfMicrocapsuleGeometry(volume_fraction=0.028)
    dropped = 0
    for seed in range(60):
        p = dense.model_copy(update={"seed": seed})
        caps = place_capsules(p)
        dropped += caps.dropped
        _check_layout(p, caps, (0.0, 0.0))
        outer, grain = capsule_gaps(p, caps)
        assert outer >= p.capsule_clearance - 1e-15 and grain == pytest.approx(outer + 2 * p.shell_thickness)
    assert dropped <= 0.05 * 60 * dense.areal_density * dense.pitch**2  # of about 60 x 19 capsules drawn
    regular = AcfMicrocapsuleGeometry(placement="regular")
    caps = place_capsules(regular)
    assert caps == place_capsules(regular.model_copy(update={"seed": 99}))  # the seed plays no part
    _check_layout(regular, caps, (0.0, 0.0))
    assert sum(c.trapped for c in caps) == 4  # 2 x 2 grid points over the pad (lambda = 3.9)


def test_trapped_count_statistics_match_the_expectation() -> None:
    """Mean trapped count over many seeds ~ n_A x pad area; spread Poisson-like; open fraction ~ exp(-lambda)."""
    params = AcfMicrocapsuleGeometry()
    lam = params.expected_trapped
    counts = np.array(
        [sum(c.trapped for c in place_capsules(params.model_copy(update={"seed": s}))) for s in range(400)]
    )
    assert lam == pytest.approx(
        params.volume_fraction * params.film_thickness * params.pad_area / (math.pi * params.capsule_diameter**3 / 6)
    )
    assert abs(counts.mean() - lam) < 4 * math.sqrt(lam / counts.size) + 0.03 * lam
    assert 0.6 * lam < counts.var() < 1.4 * lam
    assert abs(np.mean(counts == 0) - math.exp(-lam)) < 0.03
    placements = [place_capsules(params.model_copy(update={"seed": s})) for s in range(200)]
    assert np.mean([len(p) + p.dropped for p in placements]) == pytest.approx(
        params.areal_density * params.pitch**2, rel=0.08
    )
    assert sum(p.dropped for p in placements) <= 2


def test_capsule_report_is_consistent() -> None:
    params = AcfMicrocapsuleGeometry()
    report = capsule_report(params)
    lam = params.expected_trapped
    assert report["expected_trapped_per_pad"] == pytest.approx(lam)
    assert report["open_probability_per_pad"] == pytest.approx(math.exp(-lam))
    n = len(params.pad_positions())
    assert report["open_probability_die"] == pytest.approx(1 - (1 - math.exp(-lam)) ** n)
    assert report["bridge_capsules"] == math.ceil((params.pitch - params.pad_length) / params.capsule_diameter)
    assert "trapped_count" not in report
    from geometries.acf_microcapsule import Capsule

    r0 = params.capsule_diameter / 2
    caps = [Capsule(0.0, 0.0, True), Capsule(20e-6, 0.0, False), Capsule(20e-6, 2 * r0 + 3e-6, False)]
    explicit = capsule_report(params, caps)
    assert explicit["trapped_count"] == 1 and explicit["lateral_count"] == 2
    assert explicit["min_capsule_gap"] == pytest.approx(3e-6)
    assert explicit["min_grain_gap"] == pytest.approx(3e-6 + 2 * params.shell_thickness)
    assert capsule_report(params, caps[:1])["min_capsule_gap"] == -1.0


# ------------------------------------------------------------------ validation
INVALID: list[tuple[dict[str, Any], list[str]]] = [
    ({"volume_fraction": 0.2}, ["volume_fraction = 0.2", "at most"]),
    ({"volume_fraction": 0.0}, ["volume_fraction = 0.0", "(0, 1)"]),
    ({"volume_fraction": 1.5}, ["volume_fraction = 1.5", "(0, 1)"]),
    ({"grain_diameter": "9 um"}, ["grain_diameter = 9 um", "pad gap"]),
    ({"grain_diameter": "9 um", "pitch": "100 um", "pad_length": "12 um"}, ["grain_diameter = 9 um", "for the pads"]),
    ({"grain_diameter": "50 um"}, ["grain_diameter = 50 um", "40 um"]),
    ({"shell_thickness": "0.1 um"}, ["shell_thickness = 0.1 um", "0.25 um", "meshable"]),
    ({"flattening": 0.95}, ["flattening = 0.95", "[0.4, 0.9]"]),
    ({"pad_length": "50 um"}, ["pad_length = 50 um", "pitch = 50 um"]),
    ({"pads_x": 25}, ["pads_x = 25", "at most 20"]),
    ({"slice_thickness": "400 um"}, ["slice_thickness = 400 um", "die_thickness = 300 um"]),
    ({"submodel_pad": 19}, ["submodel_pad = 19", "0 to 18"]),
    ({"array": "full", "pads_x": 3, "pads_y": 3, "submodel_pad": 0}, ["submodel_pad = 0", "symmetry plane"]),
    ({"capsule_clearance": "0.2 um"}, ["capsule_clearance = 0.2 um", "shell_thickness"]),
    (
        {"level": "pad", "volume_fraction": 0.06, "pitch": "100 um", "pad_length": "30 um"},
        ["volume_fraction = 0.06", "capsules"],
    ),
    ({"level": "layer"}, ["geometry.level = 'layer'"]),
]


@pytest.mark.parametrize(("changes", "words"), INVALID)
def test_invalid_parameters_are_refused(changes: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(CaseError) as err:
        validate_case({"geometry": {"type": "acf_microcapsule", **changes}})
    message = str(err.value)
    assert message.startswith("geometry")
    for word in words:
        assert word in message, message


def test_example_case_validates() -> None:
    import tomllib

    raw = tomllib.loads((Path(__file__).parents[1] / "examples" / "acf_microcapsule.toml").read_text())
    case = validate_case(raw)
    assert case.geometry.type == "acf_microcapsule"
    assert {case.material_of(role).key for role in case.geometry.roles()} >= {"cu6sn5", "polyurethane_enamel"}


# ------------------------------------------------------------------ symmetry through the pipeline
@pytest.mark.slow
def test_quarter_and_full_die_models_agree(tmp_path: Path) -> None:
    """Quarter and full die-level models of the same package give the same per-joint results within 2 %."""
    results = {}
    for sym in ("quarter", "full"):
        case = validate_case(
            {
                "geometry": {
                    "type": "acf_microcapsule",
                    "symmetry": sym,
                    "die_length": "150 um",
                    "die_width": "150 um",
                    "substrate_length": "300 um",
                    "substrate_width": "300 um",
                    "die_thickness": "100 um",
                    "substrate_thickness": "150 um",
                    "array": "full",
                    "pads_x": 2,
                    "pads_y": 2,
                },
                "load": {"profile": "custom", "points": [["0 s", "25 C"], ["10 min", "-40 C"]], "steps_per_ramp": 1},
                "mesh": {"max_size": "50 um", "joint_size": "4 um"},
                "solver": {"degree": 2, "rtol": 1e-10},
                "output": {"picture": False},
            }
        )
        results[sym] = run_case(case, tmp_path / sym)["joints"]
    full = {(round(j["x"] * 1e7), round(j["y"] * 1e7)): j for j in results["full"]}
    assert len(results["quarter"]) * 4 == len(results["full"])
    worst = 0.0
    for j in results["quarter"]:
        x, y = round(j["x"] * 1e7), round(j["y"] * 1e7)
        for sx in (1, -1):
            for sy in (1, -1):
                k = full[(sx * x, sy * y)]  # the joint and its mirror images in the full model
                for key in ("mean_von_mises", "shear_strain_peak", "shear_strain_range"):
                    worst = max(worst, abs(j[key] / k[key] - 1))
                    assert j[key] == pytest.approx(k[key], rel=0.02), (j["name"], key, j[key], k[key])
    print(f"quarter vs full: largest relative difference {worst:.2%}")


@pytest.mark.slow
def test_pad_model_driven_by_the_die_model(tmp_path: Path) -> None:
    """level = "pad" through the pipeline: the die-level model is solved first and drives the cut faces."""
    from tests.conftest import run_case

    geometry = {
        "type": "acf_microcapsule",
        "level": "pad",
        "die_length": "200 um",
        "die_width": "200 um",
        "die_thickness": "100 um",
        "substrate_length": "400 um",
        "substrate_width": "400 um",
        "substrate_thickness": "150 um",
        "placement": "regular",
        "rows": 1,
    }
    raw = {
        "geometry": geometry,
        "solver": {"degree": 1},
        "output": {"picture": False},
        "load": {"profile": "custom", "points": [["0 s", "25 C"], ["10 min", "125 C"]]},
    }
    summary = run_case(validate_case(raw), tmp_path / "pad")
    glob = summary["global"]
    assert glob["geometry_type"] == "acf_microcapsule" and glob["cut_face_nodes"] > 100
    # the pad model sits at the global pad of largest DNP and carries its capsules as joints
    assert summary["joints"] and all(j["name"].startswith("capsule_") for j in summary["joints"])
    pad_dnp = max(j["dnp"] for j in summary["joints"])
    assert pad_dnp == pytest.approx(glob["critical_joint"]["dnp"], rel=0.2)
    # displacement continuity: the pad model's largest displacement is of the global model's order
    u_pad = max(s["max_displacement_m"] for s in summary["steps"])
    assert 0.2 * glob["max_displacement_m"] < u_pad <= 1.01 * glob["max_displacement_m"]
