"""Solver-deck export with non-uniform temperatures, checked against CalculiX (``ccx``).

A Si die on FR-4 under a prescribed linear field T = a + b z + c t (a through-thickness
gradient, rising in time): the deck gives every node the map's value; flipstack averages it
per cell. For a field linear in each cell the C3D4 element (one integration point at the
centroid) sees exactly flipstack's cell temperature, so the codes must agree to the digits
ccx prints (measured: 3e-8 .. 2e-7). C3D10 (four integration points) sees the linear variation
inside the element, which flipstack's one temperature per cell does not have: a discretization
difference, measured 2.4e-3 (max |u|) and 3.2e-3 (RMS) on this 0.5 mm mesh, 1.8e-3 and 2.4e-3
at 0.15 mm; the test bounds it by 5e-3.
"""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest

from fem_package.case import Case
from fem_package.console import Console
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from fem_package.pipeline.export import export_deck
from fem_package.pipeline.thermal import ThermalStage, thermal_steps
from solvers.thermoelastic import ThermoelasticProblem
from tests.conftest import laminate_case
from tests.test_solver_deck import ccx_displacements, match_nodes, run_ccx

EXPRESSION = "323.15 + 4e4*z + 0.2*t"
"""K: 50 C at z = 0 (board bottom), +40 K per mm upwards, +0.2 K/s."""


def gradient_case(degree: int) -> Case:
    return laminate_case(
        [
            {"name": "board", "material": "fr4", "thickness": "0.8 mm"},
            {"name": "die", "material": "silicon", "thickness": "0.5 mm"},
        ],
        mesh={"max_size": "0.5 mm"},
        load={"profile": "custom", "points": [["0 s", "25 C"], ["100 s", "25 C"]], "steps_per_dwell": 1},
        solver={"degree": degree, "rtol": 1e-11},
        thermal={"mode": "prescribed", "map": {"source": "expression", "expression": EXPRESSION}},
    )


def compare(case: Case, folder: Path, element: str) -> list[tuple[float, float, float]]:
    """Per step: max |u| and RMS relative differences ccx vs flipstack, and flipstack's max |u|."""
    deck = folder / "model.inp"
    stats, tagged = export_deck(case, deck, element)
    text = deck.read_text()
    assert "Non-uniform temperatures ([thermal] mode = prescribed)" in text
    run_ccx(deck)
    nodes = meshio.read(deck, file_format="abaqus").points
    u_ccx = ccx_displacements(deck.with_suffix(".dat"), stats.nodes)
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    stage = ThermalStage(case, tagged, problem.cells.regions, MPI.COMM_SELF, Console(verbosity=0))
    x = problem.V.tabulate_dof_coordinates()
    index = match_nodes(x, nodes, float(np.abs(x).max()))
    rows = []
    for step, a in zip(thermal_steps(case), u_ccx, strict=True):
        problem.solve(stage.temperature(step))
        b = problem.u.x.array.reshape(-1, 3)[: len(x)]
        a = a[index]
        ref = np.linalg.norm(b, axis=1)
        d_max = abs(np.linalg.norm(a, axis=1).max() - ref.max()) / ref.max()
        d_rms = np.sqrt(np.mean(np.sum((a - b) ** 2, axis=1))) / np.sqrt(np.mean(ref**2))
        rows.append((d_max, d_rms, float(ref.max())))
    print(f"{element}: {stats.nodes} nodes; per step (max, rms, |u|max):", rows)
    return rows


@pytest.mark.calculix
def test_linear_temperature_field_c3d4_agrees_with_calculix(tmp_path: Path) -> None:
    rows = compare(gradient_case(1), tmp_path, "C3D4")
    assert len(rows) == 2
    for d_max, d_rms, u_max in rows:
        assert u_max > 1e-7
        assert d_max < 1e-5 and d_rms < 1e-5  # identical thermal strains: solver precision (ccx prints 7 digits)


@pytest.mark.calculix
def test_linear_temperature_field_c3d10_agrees_with_calculix(tmp_path: Path) -> None:
    rows = compare(gradient_case(2), tmp_path, "C3D10")
    for d_max, d_rms, u_max in rows:
        assert u_max > 1e-7
        # discretization difference (see the module docstring); a wrong node temperature or CTE
        # convention gives errors of order 1e-1
        assert d_max < 5e-3 and d_rms < 5e-3


def test_node_values_are_the_map_and_the_deck_lists_them(tmp_path: Path) -> None:
    case = gradient_case(2)
    deck = tmp_path / "model.inp"
    stats, _ = export_deck(case, deck, "C3D10")
    mesh = meshio.read(deck, file_format="abaqus")
    text = deck.read_text()
    last = text.rsplit("*TEMPERATURE\n", 1)[1].split("*NODE FILE")[0].split("\n")[:-1]
    values = np.array([float(line.split(",")[1]) for line in last])
    assert len(values) == stats.nodes
    exact = 323.15 + 4e4 * mesh.points[:, 2] + 0.2 * 100.0  # midside nodes too: the field is linear
    np.testing.assert_allclose(values, exact, rtol=1e-11)
