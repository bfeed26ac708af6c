"""Leak routes into a cavity: analytic channels, the sealed_cavity variants, cracking, files, MPI = serial."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import gmsh
import numpy as np
import pytest
import pyvista as pv

from fem_package import materials as material_library
from fem_package.case import Case, CaseError, validate_case
from fem_package.fenics import MPI
from fem_package.moisture_data import moisture_library
from fem_package.pipeline.leak_paths import find_leak_paths
from fem_package.tagged_mesh import TaggedMesh
from geometries import mesh_geometry
from postprocess.crack_criterion import StressHistory, cracked_cells, max_principal, von_mises
from postprocess.gas_leak import ATM_CC_PER_S, permeation_equivalent_leak
from postprocess.leak_path_files import write_leak_polylines, write_leak_table
from postprocess.leak_paths import LeakMesh, analyse_leak_paths, fraction_below

MM = 1e-3
SMALL: dict[str, Any] = {
    "type": "sealed_cavity",
    "package_length": "0.6 mm",
    "package_width": "0.5 mm",
    "frame_width": "100 um",
    "frame_height": "30 um",
    "die_thickness": "50 um",
    "cover_thickness": "60 um",
    "bondline_thickness": "15 um",
    "metallization_thickness": "15 um",
    "liner_thickness": "10 um",
    "vias_x": 2,
    "vias_y": 1,
    "via_pitch_x": "250 um",
    "sub_cavity": "none",
    "via_diameter": "70 um",
    "via_taper": 3,
    "bump_diameter": "120 um",
    "bump_height": "70 um",
    "device_thickness": 0,
    "device_length": "60 um",
    "device_width": "60 um",
}
"""A 0.6 x 0.5 mm sealed cavity with thick thin-layers: about 12k cells, meshed in ~5 s."""
FACES = ["+x", "-x", "+y", "-y"]


T_85C = 358.15
"""The 85C/85RH preset's temperature: the permeabilities P = D S of the ranking are taken there."""


def sealed_raw(metallization: str, **hermeticity: Any) -> dict[str, Any]:
    """The case file (as a dict) of the small sealed cavity with ``[hermeticity]`` = ``hermeticity``."""
    extra: dict[str, Any] = {"metallization": metallization}
    if metallization != "full":
        extra["faces"] = FACES
    return {
        "geometry": {**SMALL, **extra},
        "mesh": {"max_size": "300 um", "joint_size": "50 um"},
        "hermeticity": hermeticity,
        "output": {"picture": False},
    }


def sealed_case(metallization: str, **hermeticity: Any) -> Case:
    return validate_case(sealed_raw(metallization, **hermeticity))


def leak_paths_only(case: Case, tagged: TaggedMesh, folder: Path, comm: Any) -> dict[str, Any]:
    """The intact routes at 85 C."""
    return find_leak_paths(case, tagged, folder, comm, T_85C)


@pytest.fixture(scope="module")
def meshes() -> dict[str, tuple[Case, TaggedMesh]]:
    """The three metallization variants, meshed once for the module (serial)."""
    out = {}
    for variant in ("full", "defect", "partial"):
        case = sealed_case(variant)
        out[variant] = (case, mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF))
    return out


# ---- the permeability rule ------------------------------------------------------------------------
def test_every_library_material_is_placed_by_the_rule() -> None:
    lib = material_library.library()
    rule = moisture_library()
    placed = {key: rule.is_permeable(m) for key, m in lib.items()}  # raises for an unplaced category
    assert placed["bcb"] and placed["underfill_capillary"] and placed["silicone_gel"] and placed["fr4"]
    for key in ("copper", "sac305", "borosilicate_glass", "lithium_tantalate", "silicon", "aluminum_nitride"):
        assert not placed[key], key
    for key, permeable in placed.items():
        props = rule.of(lib[key])  # raises for a permeable material without data
        assert (props is not None) == permeable, key
        if props is not None:
            assert props.permeability(T_85C) > 0 and props.diffusivity_source and props.solubility_source, key
    # silicone is far more permeable than the thermosets (PDMS ~ 4e4 Barrer)
    perm = {k: rule.properties[k].permeability(298.15) for k in ("silicone_gel", "bcb")}
    assert perm["silicone_gel"] > 10 * perm["bcb"]


# ---- level-set volume fractions ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "values", [(0.0, 1.0, 2.0, 3.5), (0.0, 0.0, 2.0, 3.0), (1.0, 1.0, 1.0, 4.0), (0.0, 2.0, 2.0, 2.0)]
)
def test_fraction_below_matches_sampling(values: tuple[float, ...]) -> None:
    rng = np.random.default_rng(1)
    b = rng.dirichlet(np.ones(4), size=400_000)  # uniform points of a tetrahedron (barycentric)
    d = b @ np.array(values)
    for t in np.linspace(min(values) - 0.1, max(values) + 0.1, 9):
        exact = fraction_below(np.array([values]), float(t))[0]
        assert exact == pytest.approx(np.mean(d < t), abs=3e-3), t


# ---- a laminate-like block with a straight channel ------------------------------------------------------
def channel_mesh(size: float, split: float | None = None) -> LeakMesh:
    """Block 2 x 1 x 0.5 mm of metal, a cavity void, a channel 1.2 x 0.2 x 0.1 mm from x = 0 to the cavity.

    With ``split`` the channel is two materials (region 1 for x < split mm, region 3 beyond).
    """
    gmsh.model.add("channel")
    occ = gmsh.model.occ
    block = occ.addBox(0, 0, 0, 2, 1, 0.5)
    cavity = occ.addBox(1.2, 0.2, 0.1, 0.6, 0.6, 0.3)
    tools = [(3, cavity), (3, occ.addBox(0, 0.4, 0.2, 1.2, 0.2, 0.1))]
    if split is not None:
        tools.append((3, occ.addBox(split, 0.3, 0.15, 1.2 - split, 0.4, 0.2)))
    occ.fragment([(3, block)], tools)
    occ.synchronize()
    vols = [t for _, t in gmsh.model.getEntities(3)]
    centre = {t: np.array(occ.getCenterOfMass(3, t)) for t in vols}
    void = [t for t in vols if np.allclose(centre[t], (1.5, 0.5, 0.25))]
    walls = [t for _, t in gmsh.model.getBoundary([(3, v) for v in void], oriented=False)]
    occ.remove([(3, v) for v in void], recursive=True)
    occ.synchronize()
    vols = [t for _, t in gmsh.model.getEntities(3)]
    exterior = [t for _, t in gmsh.model.getBoundary([(3, v) for v in vols], combined=True, oriented=False)]
    gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    gmsh.model.mesh.generate(3)
    nodes, coords, _ = gmsh.model.mesh.getNodes()
    points = np.zeros((int(nodes.max()) + 1, 3))
    points[nodes] = coords.reshape(-1, 3) * MM
    cells, region = [], []
    for v in vols:
        tets = np.asarray(gmsh.model.mesh.getElementsByType(4, v)[1], dtype=np.int64).reshape(-1, 4)
        box = np.array(gmsh.model.getBoundingBox(3, v))
        in_channel = bool(
            np.all(box[:3] > (-1e-6, 0.3 - 1e-6, 0.15 - 1e-6)) and np.all(box[3:] < (1.2 + 1e-6, 0.7, 0.35))
        )
        tag = 2 if not in_channel else (3 if split is not None and box[0] > split - 1e-6 else 1)
        cells.append(tets)
        region.append(np.full(len(tets), tag))

    def triangles(faces: list[int]) -> np.ndarray:
        return np.concatenate(
            [np.asarray(gmsh.model.mesh.getElementsByType(2, f)[1], dtype=np.int64).reshape(-1, 3) for f in faces]
        )

    outside = [t for t in exterior if t not in walls]
    return LeakMesh(
        points, np.concatenate(cells), np.concatenate(region), triangles(outside), {"cavity_wall": triangles(walls)}
    )


def test_straight_channel_length_section_and_conductance(session: None) -> None:
    mesh = channel_mesh(0.12)
    p = 2e-14
    perm = np.where(mesh.cell_region == 1, p, 0.0)
    result = analyse_leak_paths(mesh, perm, ["channel (epoxy)", "block (copper)"], (mesh.cell_region == 2).astype(int))
    assert result.verdict == "not hermetic" and len(result.routes) == 1
    route = result.routes[0]
    length, area = 1.2 * MM, 0.2 * MM * 0.1 * MM
    print(f"channel: L = {route.length / length - 1:+.2e}, A = {route.cross_section / area - 1:+.2e} relative error")
    assert route.length == pytest.approx(length, rel=0.05)
    assert route.cross_section == pytest.approx(area, rel=0.05)
    assert route.conductance == pytest.approx(p * area / length, rel=0.05)
    assert route.materials == ["channel (epoxy)"] and route.reaches == "cavity_wall"
    assert route.polyline[0][0] == pytest.approx(0.0, abs=1e-12)
    assert route.polyline[-1][0] == pytest.approx(length, abs=1e-9)
    # the same block with an impermeable channel is hermetic
    assert analyse_leak_paths(mesh, np.zeros(len(perm)), ["a", "b"], np.zeros(len(perm), int)).verdict == "hermetic"


def test_channel_of_two_materials_in_series(session: None) -> None:
    """0.2 x 0.1 mm inlet 0.5 mm long (P1), then a wider 0.4 x 0.2 mm section 0.7 mm long (P2).

    Cross-section: the narrow inlet (0.02 mm^2); series conductance G = A / (L1/P1 + L2/P2) along the path.
    """
    mesh = channel_mesh(0.1, split=0.5)
    p1, p2 = 1e-14, 4e-14
    perm = np.select([mesh.cell_region == 1, mesh.cell_region == 3], [p1, p2], 0.0)
    labels = ["inlet", "block", "wide"]
    route = analyse_leak_paths(mesh, perm, labels, mesh.cell_region - 1).routes[0]
    area = 0.2 * MM * 0.1 * MM
    assert route.length == pytest.approx(1.2 * MM, rel=0.05)
    assert route.cross_section == pytest.approx(area, rel=0.05)
    assert route.cross_section_at < 0.5 * MM
    assert route.conductance == pytest.approx(area / (0.5 * MM / p1 + 0.7 * MM / p2), rel=0.05)
    assert route.materials == ["inlet", "wide"]


# ---- the sealed_cavity variants ---------------------------------------------------------------------
def expected_length(case: Case, z: float) -> float:
    """Frame width left at height z between the slanted edge and the cavity (the same on x and y faces)."""
    p = case.geometry
    (ax, ay), (cx, cy) = p.inner_half(z), p.cavity_half()  # type: ignore[attr-defined]
    return float(min(ax - cx, ay - cy))


def test_full_metallization_is_hermetic(meshes: dict[str, tuple[Case, TaggedMesh]], tmp_path: Path) -> None:
    case, tagged = meshes["full"]
    section = leak_paths_only(case, tagged, tmp_path, MPI.COMM_SELF)
    assert section["verdict"] == "hermetic" and section["routes"] == []
    assert pv.read(tmp_path / "leak_paths.vtp").n_points == 0


def test_defect_opens_the_bondline_route(meshes: dict[str, tuple[Case, TaggedMesh]], tmp_path: Path) -> None:
    case, tagged = meshes["defect"]
    section = leak_paths_only(case, tagged, tmp_path, MPI.COMM_SELF)
    assert section["verdict"] == "not hermetic"
    (route,) = section["routes"]  # the quarter model's frame + bondline ring is one component
    z = case.geometry.levels()  # type: ignore[attr-defined]
    # exposed from the cover top up to metal_end = frame_bottom + defect_gap; the shortest way is level at metal_end
    expected = expected_length(case, z["metal_end"])
    print(f"defect route: L = {route['length_m'] * 1e6:.2f} um, expected {expected * 1e6:.2f} um")
    assert expected == pytest.approx(100e-6 - (20e-6 + 15e-6 + 20e-6), rel=1e-9)  # width - (cut + bond + gap) tan 45
    assert route["length_m"] == pytest.approx(expected, rel=0.03)
    assert route["start_m"][2] == pytest.approx(z["metal_end"], abs=2e-6)
    assert route["end_m"][2] == pytest.approx(z["metal_end"], abs=2e-6)
    assert set(route["materials"]) <= {"frame (bcb)", "bondline (bcb)"}
    assert route["component_materials"] == ["bondline (bcb)", "frame (bcb)"]
    assert route["reaches"] == "cavity_wall"
    # cross-section: at least the inner perimeter (quarter) x the exposed height, at most the slanted band's area
    p = case.geometry
    cx, cy = p.cavity_half()  # type: ignore[attr-defined]
    exposed = z["metal_end"] - z["cover_top"]
    ox, oy = p.inner_half(z["cover_top"])  # type: ignore[attr-defined]
    assert (cx + cy) * exposed < route["cross_section_m2"] < (ox + oy) * exposed * math.sqrt(2)
    p_bcb = moisture_library().properties["bcb"].permeability(T_85C)
    assert route["conductance_kg_per_s_Pa"] == pytest.approx(
        p_bcb * route["cross_section_m2"] / route["length_m"], rel=1e-9
    )  # one material (BCB, P = D S of data/moisture.toml at 85 C)
    assert route["equivalent_leak_atm_cm3_per_s"] == pytest.approx(
        permeation_equivalent_leak(route["conductance_kg_per_s_Pa"], T_85C) / ATM_CC_PER_S, rel=1e-12
    )
    # the files: one polyline with path_id and conductance; the CSV row matches
    poly = pv.read(tmp_path / "leak_paths.vtp")
    assert poly.n_lines == 1 and set(poly.point_data["path_id"]) == {0}
    assert poly.point_data["conductance"][0] == pytest.approx(route["conductance_kg_per_s_Pa"], rel=1e-6)
    with (tmp_path / "leak_paths.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and float(rows[0]["length_m"]) == pytest.approx(route["length_m"], rel=1e-6)


def test_partial_opens_the_frame_at_the_die_face(meshes: dict[str, tuple[Case, TaggedMesh]], tmp_path: Path) -> None:
    case, tagged = meshes["partial"]
    section = leak_paths_only(case, tagged, tmp_path, MPI.COMM_SELF)
    (route,) = section["routes"]
    z = case.geometry.levels()  # type: ignore[attr-defined]
    # partial removes the metal below the die back: the frame is exposed up to the die face, where it is narrowest
    expected = expected_length(case, z["die_face"])
    assert expected == pytest.approx(100e-6 - (20e-6 + 15e-6 + 30e-6), rel=1e-9)
    assert route["length_m"] == pytest.approx(expected, rel=0.03)
    assert route["start_m"][2] == pytest.approx(z["die_face"], abs=2e-6)
    assert route["component_materials"] == ["bondline (bcb)", "frame (bcb)"]


# ---- cracking ----------------------------------------------------------------------------------------
def test_stress_measures() -> None:
    s = np.zeros((3, 3, 3))
    s[0, 0, 0] = 100.0  # uniaxial
    s[1] = np.diag([50.0, 50.0, 50.0])  # hydrostatic: no von Mises
    s[2, 0, 1] = s[2, 1, 0] = 30.0  # pure shear: sqrt(3) tau, principal tau
    assert von_mises(s) == pytest.approx([100.0, 0.0, math.sqrt(3) * 30.0])
    assert max_principal(s) == pytest.approx([100.0, 50.0, 30.0])
    history = StressHistory()
    history.add(s)
    history.add(-s)
    m = history.measures()
    assert m["von_mises_range"] == pytest.approx([200.0, 0.0, 2 * math.sqrt(3) * 30.0])
    assert m["von_mises_peak"] == pytest.approx(von_mises(s))
    assert m["max_principal_peak"] == pytest.approx([100.0, 50.0, 30.0])


def _crack_run(tagged: TaggedMesh, folder: Path, stress_pa: float) -> tuple[dict[str, Any], float]:
    """Leak paths with the cells a synthetic metallization stress cracks; returns the section and max utilisation."""
    case = sealed_case(
        "full",
        crack=[
            {"roles": ["metallization"], "measure": "von_mises_range", "strength": "150 MPa"},
            {"roles": ["frame", "bondline"], "measure": "max_principal_peak", "strength": "60 MPa"},
        ],
    )
    n = tagged.mesh.topology.index_map(3).size_local
    tags = np.zeros(n, dtype=np.int64)
    tags[tagged.cell_tags.indices] = tagged.cell_tags.values
    metal = tagged.description.region("metallization").tag
    stress = np.zeros((n, 3, 3))
    stress[tags == metal, 0, 0] = stress_pa  # synthetic: uniaxial stress in the metallization at the hot step
    history = StressHistory()
    history.add(np.zeros((n, 3, 3)))
    history.add(stress)
    role_of = {r.tag: r.role for r in tagged.description.regions}
    roles = np.array([role_of[int(t)] for t in tags])
    crack = cracked_cells(history.measures(), roles, case.hermeticity.crack)
    return find_leak_paths(case, tagged, folder, MPI.COMM_SELF, T_85C, crack.cracked), float(crack.utilisation.max())


def test_cracked_metallization_opens_a_route(meshes: dict[str, tuple[Case, TaggedMesh]], tmp_path: Path) -> None:
    _, tagged = meshes["full"]
    below, utilisation = _crack_run(tagged, tmp_path, 120e6)
    assert below["verdict"] == "hermetic"
    assert utilisation == pytest.approx(120 / 150, rel=1e-9)
    above, _ = _crack_run(tagged, tmp_path, 200e6)
    assert above["verdict"] == "not hermetic"
    route = above["routes"][0]
    assert route["materials"][0] == "metallization (copper), cracked"  # enters through the cracked coating
    assert set(route["materials"][1:]) <= {"frame (bcb)", "bondline (bcb)"}
    assert above["files"] == ["leak_paths_cracked.vtp", "leak_paths_cracked.csv"]
    assert (tmp_path / "leak_paths_cracked.vtp").is_file()


def test_crack_criteria_are_validated() -> None:
    with pytest.raises(CaseError, match=r"hermeticity\.crack: role 'underfill' is unknown; allowed roles: die"):
        sealed_case("full", crack=[{"roles": ["underfill"], "measure": "von_mises_peak", "strength": "1 MPa"}])
    with pytest.raises(CaseError, match="measure"):
        sealed_case("full", crack=[{"roles": ["frame"], "measure": "tresca", "strength": "1 MPa"}])
    with pytest.raises(CaseError, match="strength"):
        sealed_case("full", crack=[{"roles": ["frame"], "measure": "von_mises_peak", "strength": "-1 MPa"}])
    assert cracked_cells({"von_mises_peak": np.array([2.0, 2.0])}, np.array(["a", "b"]), []).cracked.sum() == 0


def test_routes_file_writers_with_no_route(tmp_path: Path) -> None:
    from postprocess.leak_paths import LeakAnalysis

    empty = LeakAnalysis("hermetic", [], 0, 0)
    write_leak_polylines(tmp_path / "a.vtp", empty)
    write_leak_table(tmp_path / "a.csv", empty)
    assert pv.read(tmp_path / "a.vtp").n_points == 0
    assert (tmp_path / "a.csv").read_text().startswith("route_id,length_m")


# ---- MPI: 2 ranks give the serial routes ---------------------------------------------------------------
@pytest.mark.mpi
def test_two_ranks_find_the_serial_routes(tmp_path: Path) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    case = sealed_case("defect")
    folder = Path(comm.bcast(str(tmp_path), root=0))
    if comm.rank == 0:
        (folder / "d").mkdir()
    comm.barrier()
    distributed = leak_paths_only(case, mesh_geometry(case.geometry, case.mesh, comm), folder / "d", comm)
    own = folder / f"s{comm.rank}"
    own.mkdir(parents=True, exist_ok=True)
    serial = leak_paths_only(case, mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF), own, MPI.COMM_SELF)
    assert distributed["verdict"] == serial["verdict"] == "not hermetic"
    assert len(distributed["routes"]) == len(serial["routes"]) == 1
    for a, b in zip(distributed["routes"], serial["routes"], strict=True):
        for key in ("length_m", "cross_section_m2", "conductance_kg_per_s_Pa", "volume_m3"):
            assert a[key] == pytest.approx(b[key], rel=1e-12), key
        assert a["materials"] == b["materials"] and a["cells"] == b["cells"]


# ---- the pipeline and the command line ---------------------------------------------------------------------
def test_cli_leak_paths(tmp_path: Path) -> None:
    import tomli_w

    from fem_package.cli import main

    case_file = tmp_path / "defect.toml"
    case_file.write_text(tomli_w.dumps(sealed_raw("defect")), encoding="utf-8")
    assert main(["leak-paths", str(case_file), "--out", str(tmp_path / "out"), "-q"]) == 0
    import json

    section = json.loads((tmp_path / "out" / "leak_paths.json").read_text())
    assert section["verdict"] == "not hermetic" and len(section["routes"]) == 1
    assert section["temperature_K"] == pytest.approx(T_85C)
    assert section["routes"][0]["equivalent_leak_atm_cm3_per_s"] > 0
    assert main(["leak-paths", str(tmp_path / "missing.toml")]) == 2
