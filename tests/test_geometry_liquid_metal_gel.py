"""The ``liquid_metal_gel`` builder: groups, analytic volumes (incl. tapered masses), refusals, symmetry."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import gmsh
import pytest

from fem_package.case import validate_case
from fem_package.case.errors import CaseError
from fem_package.case.geometry_liquid_metal_gel import LiquidMetalGelGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.materials import get as material
from fem_package.model_description import ModelDescription
from geometries.liquid_metal_gel import MASS_TAG0, TAGS, build_liquid_metal_gel, frustum_volume
from geometries.meshing import MODEL_UNIT, generate
from tests.conftest import run_case
from tests.geometry_helpers import mesh_volume, occ_volume

SMALL: dict[str, Any] = {
    "die_length": 2e-3,
    "die_width": 2e-3,
    "substrate_length": 3e-3,
    "substrate_width": 3e-3,
    "substrate_thickness": 0.4e-3,
    "die_thickness": 0.3e-3,
}
"""A 2 mm die: 4 x 4 at 500 um pitch (1 perimeter row: 12 masses), or 3 x 3 with masses on the planes."""
ODD = {**SMALL, "array": "full", "masses_x": 3, "masses_y": 3}

CASES: dict[str, dict[str, Any]] = {
    "perimeter_quarter": {**SMALL, "rows": 1},
    "perimeter_full": {**SMALL, "die_length": 1.5e-3, "die_width": 1.5e-3, "rows": 1, "symmetry": "full"},
    "odd_quarter": ODD,
    "odd_half": {**ODD, "symmetry": "half"},
    "options": {
        **ODD,
        "taper_angle": 15.0,
        "narrow_end": "sheet",
        "encapsulant": True,
        "spreader": True,
    },
    "barrier_layer": {
        **SMALL,
        "symmetry": "full",
        "die_length": 1e-3,
        "die_width": 1e-3,
        "array": "full",
        "masses_x": 1,
        "masses_y": 1,
        "barrier": "layer",
        "barrier_thickness": 2e-6,
    },
    "thin_extreme": {
        "symmetry": "full",
        "array": "full",
        "masses_x": 3,
        "masses_y": 2,
        "die_length": 0.4e-3,
        "die_width": 0.3e-3,
        "die_thickness": 0.1e-3,
        "substrate_length": 0.6e-3,
        "substrate_width": 0.5e-3,
        "substrate_thickness": 0.1e-3,
        "pitch": 100e-6,
        "gel_thickness": 50e-6,
        "sheet_thickness": 5e-6,
        "contact_thickness": 2e-6,
        "barrier_thickness": 0.1e-6,
        "mass_diameter": 60e-6,
        "contact_diameter": 60e-6,
        "via_diameter": 30e-6,
    },
    "thick_tapered": {
        **SMALL,
        "array": "full",
        "masses_x": 2,
        "masses_y": 2,
        "pitch": 1e-3,
        "gel_thickness": 250e-6,
        "mass_diameter": 500e-6,
        "contact_diameter": 500e-6,
        "via_diameter": 250e-6,
        "taper_angle": 30.0,
        "encapsulant": True,
        "encapsulant_margin": 50e-6,
    },
}
FAST = MeshSettings(optimize=False)


def build(params: LiquidMetalGelGeometry, mesh: MeshSettings = FAST) -> tuple[ModelDescription, dict[str, float | int]]:
    """Build and mesh ``params`` in the current gmsh model: (description, mesh statistics)."""
    description = build_liquid_metal_gel(params, mesh)
    return description, generate(mesh)


def expected_masses(params: LiquidMetalGelGeometry) -> list[float]:
    """Modelled fractions of the kept masses, from the grid by hand (independent of the builder)."""
    nx, ny = params.counts()
    keep_x = params.symmetry in ("quarter", "half")
    keep_y = params.symmetry == "quarter"
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


@pytest.mark.parametrize("case", CASES)
def test_groups_and_volumes(session: None, case: str) -> None:
    params = LiquidMetalGelGeometry(**CASES[case])
    description, stats = build(params)
    assert stats["min_scaled_jacobian"] > MeshSettings().min_quality
    fractions = expected_masses(params)
    names = {gmsh.model.getPhysicalName(3, tag) for _, tag in gmsh.model.getPhysicalGroups(3)}
    static = {"die", "substrate", "gel", "contact", "sheet", "terminal"}
    static |= {k for k in ("barrier", "encapsulant", "spreader") if k in params.roles()}
    assert names == static | {f"mass_{j:04d}" for j in range(len(fractions))}
    assert {r.name: r.tag for r in description.regions if r.joint_id is None} == {n: TAGS[n] for n in static}
    joints = description.joints
    assert [r.tag for r in joints] == [MASS_TAG0 + j for j in range(len(fractions))]
    assert [r.fraction for r in joints] == fractions
    copies = {"quarter": 4, "half": 2, "full": 1}[params.symmetry]
    assert [r.multiplicity for r in joints] == [round(copies * f) for f in fractions]
    assert all(r.role == "mass" and r.material == "indalloy_117" for r in joints)
    for region in description.regions:
        assert occ_volume(region.tag) == pytest.approx(region.volume, rel=1e-6, abs=0), region.name
        assert mesh_volume(region.tag) == pytest.approx(region.volume, rel=0.01, abs=0), region.name


def test_frustum_volume_formula() -> None:
    # Cylinder and cone limits, and the frustum as the difference of two cones.
    assert frustum_volume(2.0, 2.0, 3.0) == pytest.approx(math.pi * 3.0)
    assert frustum_volume(2.0, 0.0, 3.0) == pytest.approx(math.pi / 3 * 3.0)
    big, small = math.pi / 3 * 1.0**2 * 4.0, math.pi / 3 * 0.5**2 * 2.0  # apex 4 above the wide end
    assert frustum_volume(2.0, 1.0, 2.0) == pytest.approx(big - small)
    params = LiquidMetalGelGeometry(**CASES["thick_tapered"])
    h, t = params.mass_height, math.tan(math.radians(30.0))
    assert params.narrow_diameter == pytest.approx(500e-6 - 2 * h * t)
    assert params.mass_volume() == pytest.approx(frustum_volume(500e-6, 500e-6 - 2 * h * t, h))


def test_taper_direction(session: None) -> None:
    """The narrow end faces the die by default (the issue) or the sheet (Fig. 9, mass 442b)."""
    for narrow_end in ("die", "sheet"):
        params = LiquidMetalGelGeometry(**{**CASES["thick_tapered"], "narrow_end": narrow_end})
        gmsh.model.remove()
        gmsh.model.add(narrow_end)
        info = build_liquid_metal_gel(params, FAST).info
        die_end, sheet_end = float(info["mass_diameter_die_end"]), float(info["mass_diameter_sheet_end"])
        assert (die_end < sheet_end) == (narrow_end == "die")
        assert min(die_end, sheet_end) == pytest.approx(params.narrow_diameter)


def test_levels_and_info(session: None) -> None:
    params = LiquidMetalGelGeometry(**CASES["options"])
    info = build_liquid_metal_gel(params, FAST).info
    ts, tsh, tg = params.substrate_thickness, params.sheet_thickness, params.gel_thickness
    assert info["sheet_top"] == pytest.approx(ts + tsh)
    assert info["die_bottom"] == pytest.approx(ts + tsh + tg)
    assert info["thickness"] == pytest.approx(ts + tsh + tg + params.die_thickness + params.spreader_thickness)
    assert info["mass_height"] == pytest.approx(tg - 2 * (params.contact_thickness + params.barrier_thickness))
    assert info["masses_total"] == 9 and info["masses_modelled"] == 4
    assert str(info["barrier_representation"]).startswith("merged")
    # Every mass's z-extent is the stated height, cut masses included.
    for _, tag in gmsh.model.getPhysicalGroups(3):
        if tag >= MASS_TAG0:
            (v,) = gmsh.model.getEntitiesForPhysicalGroup(3, tag)
            box = gmsh.model.getBoundingBox(3, v)
            assert (box[5] - box[2]) * MODEL_UNIT == pytest.approx(info["mass_height"], rel=1e-6)


def test_merged_barrier_keeps_its_place() -> None:
    """Merged, the barrier thickens each contact; the mass height is the same as with a drawn barrier."""
    merged = LiquidMetalGelGeometry(barrier_thickness=2e-6)
    layer = LiquidMetalGelGeometry(barrier_thickness=2e-6, barrier="layer")
    assert merged.mass_height == layer.mass_height
    assert merged.pad_thickness == pytest.approx(layer.pad_thickness + 2e-6)
    assert "barrier" not in merged.roles() and layer.roles()["barrier"] == "nickel"


def test_materials_data() -> None:
    assert material("wo9740958_alloy_55c")["solidus"](300.0) == pytest.approx(273.15 + 55)
    assert material("wo9740958_alloy_50c")["solidus"](300.0) == pytest.approx(273.15 + 50)
    assert material("indalloy_117")["solidus"](300.0) == pytest.approx(273.15 + 47)
    assert material("gallium")["solidus"](300.0) == pytest.approx(302.9146)
    validate_case(
        {
            "geometry": {"type": "liquid_metal_gel", "encapsulant": True, "spreader": True},
            "materials": {"assign": {"mass": "gallium", "spreader": "copper"}},
        }
    )


REFUSED: list[tuple[dict[str, Any], list[str]]] = [
    ({"gel_thickness": "40 um"}, ["gel_thickness = 40 um", "50 um to 250 um", "WO 97/40958"]),
    ({"gel_thickness": "300 um"}, ["gel_thickness = 300 um", "250 um"]),
    ({"sheet_thickness": "50 um"}, ["sheet_thickness = 50 um", "5 um to 25 um"]),
    ({"barrier_thickness": "10 um"}, ["barrier_thickness = 10 um", "0.1 um to 5 um"]),
    ({"barrier": "layer"}, ["barrier_thickness = 1 um", "barrier = 'layer'", "merged"]),
    ({"contact_thickness": "1 um"}, ["contact_thickness = 1 um", "at least 2 um"]),
    ({"gel_thickness": "50 um"}, ["mass_diameter = 200 um", "mass height 28 um", "at most 140 um"]),
    ({"taper_angle": 40}, ["taper_angle = 40 deg", "0 to 30 deg"]),
    ({"taper_angle": 30, "gel_thickness": "250 um"}, ["taper_angle = 30 deg", "narrow end"]),
    ({"mass_diameter": "210 um"}, ["contact_diameter = 200 um", "sheet-end diameter of the mass, 210 um"]),
    ({"mass_diameter": "198 um"}, ["contact_diameter = 200 um", "ring of 1 um"]),
    ({"via_diameter": "250 um"}, ["via_diameter = 250 um", "contact_diameter = 200 um"]),
    ({"pitch": "210 um"}, ["contact_diameter = 200 um", "pitch = 210 um"]),
    ({"masses_x": 11}, ["masses_x = 11", "die_length = 5 mm", "does not fit the die"]),
    ({"rows": 5}, ["rows = 5", "perimeter"]),
    ({"die_length": "12 mm"}, ["die_length = 12 mm", "substrate_length = 10 mm"]),
    ({"encapsulant": True, "encapsulant_margin": "3 mm"}, ["die_length = 5 mm", "encapsulant_margin (3 mm)"]),
    ({"spreader": True}, ["spreader = true needs encapsulant = true"]),
]


@pytest.mark.parametrize(("change", "expected"), REFUSED)
def test_invalid_parameters_refused(change: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(CaseError) as err:
        validate_case({"geometry": {"type": "liquid_metal_gel", **change}})
    for text in expected:
        assert text in str(err.value)


def test_default_and_example_valid() -> None:
    import tomllib

    case = validate_case({"geometry": {"type": "liquid_metal_gel"}})
    assert case.geometry.type == "liquid_metal_gel"
    example = Path(__file__).resolve().parents[1] / "examples" / "liquid_metal_gel.toml"
    validate_case(tomllib.loads(example.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_default_mesh_quality(session: None) -> None:
    start = time.perf_counter()
    _, stats = build(LiquidMetalGelGeometry(), MeshSettings())
    seconds = time.perf_counter() - start
    print(
        f"default: {seconds:.1f} s, {stats['cells']} cells, {stats['vertices']} vertices, "
        f"min scaled Jacobian {stats['min_scaled_jacobian']:.3f}"
    )
    assert seconds < 90  # budget 60 s on an idle core (measured 37 s); margin for the shared 2-core machine
    assert stats["min_scaled_jacobian"] > 0.1


@pytest.mark.slow
def test_quarter_equals_full(tmp_path: Path) -> None:
    """Per-mass results of a symmetric 2 x 2 case: quarter = full within 2 % (mean von Mises, shear range).

    P2 (the solver default): P1 is too stiff in the masses (~20 % off P2). A 3 x 3 array with masses cut
    by the planes agreed as well (mean von Mises within 0.25 %) but takes over 5 minutes on 2 cores;
    joints cut by symmetry planes are covered by the contact_element and solder_bump tests.
    """
    geometry = {
        "type": "liquid_metal_gel",
        "die_length": "0.9 mm",
        "die_width": "0.9 mm",
        "substrate_length": "1.3 mm",
        "substrate_width": "1.3 mm",
        "substrate_thickness": "300 um",
        "die_thickness": "200 um",
        "pitch": "350 um",
        "contact_thickness": "20 um",
        "array": "full",
        "masses_x": 2,
        "masses_y": 2,
    }
    common = {
        "load": {"profile": "custom", "points": [[0.0, "25 C"], [600.0, "125 C"]], "steps_per_ramp": 1},
        "mesh": {"max_size": "300 um", "joint_size": "80 um", "optimize": False},
        "solver": {"degree": 2, "rtol": 1e-10, "max_iterations": 5000},
        "output": {"vtx": False, "picture": False},
    }
    results = {}
    for sym in ("quarter", "full"):
        case = validate_case({"geometry": {**geometry, "symmetry": sym}, **common})
        summary = run_case(case, tmp_path / sym)
        results[sym] = {(round(j["x"] * 1e6), round(j["y"] * 1e6)): j for j in summary["joints"]}
    assert len(results["quarter"]) == 1 and len(results["full"]) == 4
    (q,) = results["quarter"].values()
    assert q["multiplicity"] == 4
    for (x, y), f in results["full"].items():
        assert (abs(x), abs(y)) == (round(q["x"] * 1e6), round(q["y"] * 1e6))
        for key in ("mean_von_mises", "shear_strain_range"):
            assert f[key] == pytest.approx(q[key], rel=0.02), (x, y, key)
