"""Prescribed temperature maps: expressions, CSV point clouds, the XDMF of another run, bad input.

"Cell temperature" is the cell average of the map (what the mechanics' DG0 fields hold):
for an expression the average over the tetrahedron (degree-5 Stroud rule), for a cloud the
mean of the values interpolated to the cell's vertices (= the exact average of a linear field).
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import gmsh
import numpy as np
import pytest

from fem_package.case import CaseError, validate_case
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from fem_package.pipeline.thermal import MapTemperatures, TemperatureMapWarning
from fem_package.temperature_map import TemperatureExpression, tetrahedron_quadrature
from geometries import mesh_geometry
from postprocess.xdmf_results import XdmfResults
from solvers.thermoelastic import ThermoelasticProblem
from tests.conftest import REPO, fresh_gmsh, laminate_case, run_case

LAYERS = [
    {"name": "lower", "material": "silicon", "thickness": "0.4 mm"},
    {"name": "upper", "material": "copper", "thickness": "0.3 mm"},
]


def test_tetrahedron_rule_integrates_monomials_exactly() -> None:
    # integral of x^a y^b z^c over the unit tetrahedron = a! b! c! / (a + b + c + 3)!, average = 6 times it
    bary, w = tetrahedron_quadrature(3)
    x = bary[:, 1:]
    for a, b, c in [(0, 0, 0), (1, 0, 0), (2, 1, 0), (1, 1, 1), (3, 0, 2), (0, 5, 0)]:
        exact = 6 * math.factorial(a) * math.factorial(b) * math.factorial(c) / math.factorial(a + b + c + 3)
        assert w @ (x[:, 0] ** a * x[:, 1] ** b * x[:, 2] ** c) == pytest.approx(exact, rel=1e-12)


@pytest.fixture(scope="module")
def tube(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hollow cylinder r = 1..2 mm, height 1 mm, coarse (gmsh, mm coordinates)."""
    path = tmp_path_factory.mktemp("tube") / "tube.msh"
    with fresh_gmsh():
        gmsh.model.add("tube")
        occ = gmsh.model.occ
        outer, inner = occ.addCylinder(0, 0, 0, 0, 0, 1, 2), occ.addCylinder(0, 0, 0, 0, 0, 1, 1)
        (vol,), _ = occ.cut([(3, outer)], [(3, inner)])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [vol[1]], 1, name="tube")
        gmsh.option.setNumber("Mesh.MeshSizeMax", 0.4)
        gmsh.model.mesh.generate(3)
        gmsh.write(str(path))
    return path


def test_expression_gives_cell_average_thermal_strains_on_a_tube(tube: Path) -> None:
    text = "300 + 2e4*(sqrt(x**2 + y**2) + z)"
    case = validate_case(
        {
            "geometry": {
                "type": "file",
                "path": str(tube),
                "length_unit": "1 mm",
                "groups": {"tube": {"material": "copper"}},
            },
            "materials": {"overrides": {"copper": {"cte": "17 ppm/K"}}},
            "solver": {"degree": 1},
            "thermal": {"mode": "prescribed", "map": {"source": "expression", "expression": text}},
        }
    )
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_WORLD)
    cells = MapTemperatures(case, tagged, MPI.COMM_WORLD).at(0.0)
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    problem.solve(cells)
    eps = problem.eps_th_diag.x.array.reshape(-1, 3)

    vertices = tagged.mesh.geometry.x[tagged.mesh.geometry.dofmaps[0]][:, :4]
    reference = TemperatureExpression.parse(text)
    bary, w = tetrahedron_quadrature(8)  # degree 15: the exact cell average of r + z to round-off
    exact = np.einsum(
        "cq,q->c", reference(np.einsum("qv,cvd->cqd", bary, vertices).reshape(-1, 3), 0.0).reshape(len(vertices), -1), w
    )
    expected = 17e-6 * (exact - case.stress_free_temperature("tube"))
    err = np.abs(eps - expected[:, None]).max() / np.abs(expected).max()
    midpoint = reference(vertices.mean(axis=1), 0.0)
    mid_err = np.abs(17e-6 * (midpoint - exact)).max() / np.abs(expected).max()
    print(f"tube: {len(vertices)} cells, thermal strain error {err:.2e} (centroid value instead: {mid_err:.2e})")
    assert err < 1e-7
    assert mid_err > 100 * err  # the check can tell the cell average from the centroid value
    assert cells.min() > 300 + 2e4 * 1e-3 - 1e-6 and cells.max() < 300 + 2e4 * 3e-3


@pytest.fixture(scope="module")
def laminate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    case = laminate_case(LAYERS, mesh={"max_size": "0.4 mm"})
    return case, mesh_geometry(case.geometry, case.mesh, MPI.COMM_WORLD), tmp_path_factory.mktemp("csv")


def linear(p: np.ndarray) -> np.ndarray:
    return 300.0 + 2e4 * p[:, 0] - 1e4 * p[:, 1] + 5e4 * p[:, 2]


def write_csv(path: Path, points: np.ndarray, values: np.ndarray, times: np.ndarray | None = None) -> Path:
    header = "x,y,z,T" + (",t" if times is not None else "")
    rows = np.column_stack([points, values] + ([times] if times is not None else []))
    np.savetxt(path, rows, delimiter=",", header=header, comments="", fmt="%.17g")
    return path


def map_case(case: Any, **map_settings: Any) -> Any:
    return validate_case({**case.model_dump(mode="json"), "thermal": {"mode": "prescribed", "map": map_settings}})


@pytest.mark.parametrize("method", ["nearest", "linear"])
def test_csv_linear_field_is_exact_at_the_nodes(laminate: tuple[Any, Any, Path], method: str) -> None:
    case, tagged, folder = laminate
    nodes = tagged.mesh.geometry.x
    csv = write_csv(folder / f"nodes_{method}.csv", nodes, linear(nodes))
    mapped = MapTemperatures(map_case(case, source="csv", file=str(csv), method=method), tagged, MPI.COMM_WORLD)
    centroids = nodes[tagged.mesh.geometry.dofmaps[0]][:, :4].mean(axis=1)
    err = np.abs(mapped.at(0.0) - linear(centroids)).max()
    print(f"csv {method}: max error of the cell averages {err:.2e} K")
    assert err < 1e-9
    assert mapped.outside_regions == []


def test_csv_linear_between_points_time_series_and_outside_warning(laminate: tuple[Any, Any, Path]) -> None:
    case, tagged, folder = laminate
    rng = np.random.default_rng(1)
    # a cloud covering only the lower layer (z <= 0.4 mm), scattered points plus the box corners
    corners = np.array([[x, y, z] for x in (0, 1e-3) for y in (0, 1e-3) for z in (0, 0.4e-3)])
    cloud = np.vstack([corners, rng.uniform([0, 0, 0], [1e-3, 1e-3, 0.4e-3], size=(60, 3))])
    times = np.repeat([0.0, 10.0], len(cloud))
    values = np.concatenate([linear(cloud), linear(cloud) + 20.0])
    csv = write_csv(folder / "lower.csv", np.vstack([cloud, cloud]), values, times)
    with pytest.warns(TemperatureMapWarning, match=r"regions outside the point cloud.*: upper$"):
        mapped = MapTemperatures(map_case(case, source="csv", file=str(csv)), tagged, MPI.COMM_WORLD)
    assert mapped.outside_regions == ["upper"]
    lower = np.zeros(len(mapped.at(0.0)), dtype=bool)
    lower[tagged.cell_tags.indices[tagged.cell_tags.values == tagged.description.region("lower").tag]] = True
    centroids = tagged.mesh.geometry.x[tagged.mesh.geometry.dofmaps[0]][:, :4].mean(axis=1)
    err = np.abs(mapped.at(5.0)[lower] - (linear(centroids[lower]) + 10.0)).max()
    print(f"csv linear, scattered cloud, halfway in time: max error {err:.2e} K")
    assert err < 1e-8


def test_xdmf_round_trip(tmp_path: Path) -> None:
    sections: dict[str, Any] = {
        "mesh": {"max_size": "0.5 mm"},
        "solver": {"degree": 1},
        "output": {"picture": False},
        "load": {"profile": "custom", "points": [["0 s", "25 C"], ["20 s", "45 C"]], "steps_per_ramp": 2},
    }
    first = laminate_case(
        LAYERS,
        thermal={
            "mode": "prescribed",
            "map": {"source": "expression", "expression": "300 + 1e4*x + 3e4*z*(1 + 0.05*t)"},
        },
        **sections,
    )
    run_case(first, tmp_path / "first")
    xdmf = str(tmp_path / "first" / "results.xdmf")
    series = laminate_case(LAYERS, thermal={"mode": "prescribed", "map": {"source": "xdmf", "file": xdmf}}, **sections)
    one = laminate_case(
        LAYERS,
        thermal={"mode": "prescribed", "map": {"source": "xdmf", "file": xdmf, "step": 1, "method": "nearest"}},
        **sections,
    )
    run_case(series, tmp_path / "series")
    run_case(one, tmp_path / "one")
    a, b, c = (XdmfResults.open(tmp_path / name / "results.xdmf") for name in ("first", "series", "one"))
    assert a.times == b.times == [0.0, 10.0, 20.0]
    errors = [np.abs(b.read("temperature_K", t) - a.read("temperature_K", t)).max() for t in a.times]
    errors += [np.abs(c.read("temperature_K", t) - a.read("temperature_K", 10.0)).max() for t in a.times]
    print(f"xdmf round trip: max difference {max(errors):.2e} K")
    assert max(errors) < 1e-9
    assert np.ptp(a.read("temperature_K", 20.0)) > 10  # a real field, not a uniform one


def test_bad_input_names_key_and_value(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match=r"thermal\.map\.expression = '300 \+ q\*z': unknown name\(s\) q;"):
        laminate_case(
            LAYERS, thermal={"mode": "prescribed", "map": {"source": "expression", "expression": "300 + q*z"}}
        )
    with pytest.raises(CaseError, match=r"open\(\)"):
        laminate_case(LAYERS, thermal={"mode": "prescribed", "map": {"source": "expression", "expression": "open(x)"}})
    csv = tmp_path / "no_t.csv"
    csv.write_text("x,y,z,temperature\n0,0,0,300\n")
    with pytest.raises(CaseError, match=r"thermal\.map: file = .*no_t\.csv': missing column\(s\) T;.*found x, y, z"):
        laminate_case(LAYERS, thermal={"mode": "prescribed", "map": {"source": "csv", "file": str(csv)}})
    case_file = tmp_path / "bad.toml"
    case_file.write_text(
        '[geometry]\ntype = "laminate"\nlength = "1 mm"\nwidth = "1 mm"\n'
        'layers = [{ name = "a", material = "silicon", thickness = "1 mm" }]\n'
        '[thermal]\nmode = "prescribed"\n[thermal.map]\nsource = "expression"\nexpression = "300 + import(x)"\n'
    )
    # this checkout's CLI (python -m from the repository root), not an installed one
    result = subprocess.run(
        [sys.executable, "-m", "fem_package.cli", "run", str(case_file), "--out", str(tmp_path / "out")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "thermal.map.expression" in result.stderr and "import" in result.stderr
