"""Solver-deck export checked against the real peer: CalculiX (``ccx``) solves the exported deck.

The deck holds the mesh flipstack solves (C3D10 = straight-edged P2, C3D4 = P1), so the two
codes discretize identically and their nodal displacements must agree to solver precision;
the tests demand 1 % (max |u| and the RMS over nodes of |u_ccx - u_flipstack|, nodes matched by
coordinates). A wrong secant-CTE conversion (tangent alpha written as secant: ~10 % for silicon
between 25 and -40 C), a wrong stress-free temperature or a wrong node order would fail them.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import meshio
import numpy as np
import pytest

from fem_package.case import Case, validate_case
from fem_package.cli import main
from fem_package.fenics import MPI
from fem_package.materials import Property
from fem_package.pipeline import region_materials
from fem_package.pipeline.export import deck_model, export_deck
from fem_package.secant_expansion import secant_cte
from fem_package.solver_deck import C3D10_EDGES, EdgeMidpoints, oriented, split_by_group, write_deck
from fem_package.tagged_mesh import TaggedMesh
from solvers.thermoelastic import ThermoelasticProblem
from tests.conftest import REPO, external_tool, laminate_case

# 25 C -> -40 C -> 125 C: both sides of the stress-free temperature, a step at it (T = T_ref)
THREE_STEPS = {"profile": "custom", "points": [["0 s", "25 C"], ["1 s", "-40 C"], ["2 s", "125 C"]]}
TWO_STEPS = {"profile": "custom", "points": [["0 s", "-40 C"], ["1 s", "125 C"]]}
TOLERANCE = 1e-3
"""Relative tolerance: the issue asks for 1 %; the codes agree to ~2e-7 (the 7 digits ccx prints)."""


def bimetal(degree: int = 2) -> Case:
    """Si die on FR-4 (orthotropic, temperature-dependent CTE of silicon), coarse quarter model."""
    return laminate_case(
        [
            {"name": "board", "material": "fr4", "thickness": "0.8 mm"},
            {"name": "die", "material": "silicon", "thickness": "0.5 mm"},
        ],
        mesh={"max_size": "0.5 mm"},
        load={**THREE_STEPS, "steps_per_ramp": 1},
        solver={"degree": degree, "rtol": 1e-11},
    )


def tiny_solder_bump() -> Case:
    """One-bump quarter model with underfill (cure 165 C) beside parts stress-free at 25 C."""
    return validate_case(
        {
            "geometry": {
                "type": "solder_bump",
                "symmetry": "quarter",
                "die_length": "1.2 mm",
                "die_width": "1.2 mm",
                "die_thickness": "200 um",
                "substrate_length": "2 mm",
                "substrate_width": "2 mm",
                "substrate_thickness": "300 um",
                "pitch": "400 um",
                "bump_diameter": "200 um",
                "standoff": "120 um",
                "rows": 1,
                "underfill": True,
            },
            "load": {**TWO_STEPS, "steps_per_ramp": 1},
            "mesh": {"max_size": "500 um", "joint_size": "100 um"},
            "solver": {"degree": 2, "rtol": 1e-11},
        }
    )


def run_ccx(deck: Path) -> float:
    """Run CalculiX on ``deck`` in its folder; returns the wall time (s)."""
    ccx = external_tool("ccx")
    t0 = time.perf_counter()
    result = subprocess.run([ccx, "-i", deck.stem], cwd=deck.parent, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - t0
    assert result.returncode == 0 and "Job finished" in result.stdout, result.stdout[-3000:] + result.stderr
    return seconds


def ccx_displacements(dat: Path, n_nodes: int) -> list[np.ndarray]:
    """Per step, the (n_nodes, 3) displacements printed by ``*NODE PRINT`` (node i in row i - 1)."""
    blocks = re.split(r"^ displacements \(vx,vy,vz\) for set \S+ and time .*$", dat.read_text(), flags=re.M)[1:]
    out = []
    for block in blocks:
        rows = np.array([line.split() for line in block.strip().splitlines()], dtype=float)
        u = np.full((n_nodes, 3), np.nan)
        u[rows[:, 0].astype(int) - 1] = rows[:, 1:]
        out.append(u)
    return out


def flipstack_displacements(case: Case, tagged: TaggedMesh) -> tuple[np.ndarray, list[np.ndarray]]:
    """Node coordinates of flipstack's Lagrange space and its displacement there at every load step."""
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    x = problem.V.tabulate_dof_coordinates()
    out = []
    for step in case.load.steps():
        problem.solve(step.temperature)
        out.append(problem.u.x.array.reshape(-1, 3)[: len(x)].copy())
    return x, out


def match_nodes(a: np.ndarray, b: np.ndarray, scale: float) -> np.ndarray:
    """For each row of ``a``, the index of the row of ``b`` at the same point (within 1e-7 scale)."""
    key_a = np.round(a / (1e-7 * scale)).astype(np.int64)
    key_b = np.round(b / (1e-7 * scale)).astype(np.int64)
    order = np.lexsort(key_b.T[::-1])
    sorted_b = key_b[order]
    lo = np.zeros(len(a), dtype=np.int64)
    hi = np.full(len(a), len(b))
    for _ in range(int(np.ceil(np.log2(len(b) + 1))) + 1):  # binary search on the lexicographic order
        mid = (lo + hi) // 2
        m = sorted_b[np.minimum(mid, len(b) - 1)]
        less = (m[:, 0] < key_a[:, 0]) | (
            (m[:, 0] == key_a[:, 0]) & ((m[:, 1] < key_a[:, 1]) | ((m[:, 1] == key_a[:, 1]) & (m[:, 2] < key_a[:, 2])))
        )
        less &= mid < len(b)
        lo = np.where(less, mid + 1, lo)
        hi = np.where(less, hi, mid)
    found = order[np.minimum(lo, len(b) - 1)]
    assert np.all(np.abs(b[found] - a).max(axis=1) < 1e-6 * scale), "deck nodes and flipstack nodes differ"
    return found


def agreement(case: Case, folder: Path, element: str) -> list[tuple[float, float, float, float]]:
    """Export, run ccx, solve with flipstack; per step (max |u| and RMS rel. differences, max |u| flipstack, ccx)."""
    deck = folder / "model.inp"
    stats, tagged = export_deck(case, deck, element)
    seconds = run_ccx(deck)
    nodes = meshio.read(deck, file_format="abaqus").points
    assert len(nodes) == stats.nodes
    u_ccx = ccx_displacements(deck.with_suffix(".dat"), stats.nodes)
    x, u_fs = flipstack_displacements(case, tagged)
    scale = float(np.abs(x).max())
    index = match_nodes(x, nodes, scale)
    assert len(u_ccx) == len(u_fs) == len(case.load.steps())
    rows = []
    for a, b in zip(u_ccx, u_fs, strict=True):
        a = a[index]
        ref = np.linalg.norm(b, axis=1)
        d_max = abs(np.linalg.norm(a, axis=1).max() - ref.max()) / max(ref.max(), 1e-300)
        d_rms = np.sqrt(np.mean(np.sum((a - b) ** 2, axis=1))) / max(np.sqrt(np.mean(ref**2)), 1e-300)
        rows.append((d_max, d_rms, ref.max(), float(np.linalg.norm(a, axis=1).max())))
    print(f"{element}: ccx {seconds:.2f} s, {stats.nodes} nodes, {stats.tied_nodes} tied; per step", rows)
    return rows


def assert_agree(rows: list[tuple[float, float, float, float]], steps: Case) -> None:
    temps = [s.temperature for s in steps.load.steps()]
    for (d_max, d_rms, u_max, u_max_ccx), t in zip(rows, temps, strict=True):
        if abs(t - 298.15) < 1e-9 and steps.geometry.type == "laminate":
            assert u_max < 1e-15 and u_max_ccx < 1e-15  # at the stress-free temperature nothing moves
            continue
        assert u_max > 1e-7, f"T = {t} K: hardly any displacement ({u_max} m); the check would be empty"
        assert d_max < TOLERANCE and d_rms < TOLERANCE, f"T = {t} K: max {d_max:.2e}, rms {d_rms:.2e}"


@pytest.mark.calculix
def test_bimetal_c3d10_agrees_with_calculix(tmp_path: Path) -> None:
    case = bimetal()
    assert_agree(agreement(case, tmp_path, "C3D10"), case)


@pytest.mark.calculix
def test_bimetal_c3d4_agrees_with_calculix(tmp_path: Path) -> None:
    case = bimetal(degree=1)
    assert_agree(agreement(case, tmp_path, "C3D4"), case)


@pytest.mark.calculix
def test_temperature_dependent_cte_free_expansion_agrees_with_calculix(tmp_path: Path) -> None:
    # A free silicon block: u = eps_th(T) x. Silicon's tangent CTE falls from 2.57e-6 (25 C) to 1.95e-6 /K
    # (-40 C); writing it as the secant CTE would be off by 16 % at -40 C and 10 % at 125 C.
    case = laminate_case(
        [{"name": "block", "material": "silicon", "thickness": "0.5 mm"}],
        length="1 mm",
        width="1 mm",
        mesh={"max_size": "0.5 mm"},
        load={**TWO_STEPS, "steps_per_ramp": 1},
        solver={"degree": 1, "rtol": 1e-12},
    )
    rows = agreement(case, tmp_path, "C3D4")
    assert_agree(rows, case)
    silicon = case.material_of("block")
    for (_, _, u_max, _), step in zip(rows, case.load.steps(), strict=True):
        eps = silicon.thermal_strain(step.temperature, 298.15)[0]
        tangent = silicon["cte"](step.temperature) * (step.temperature - 298.15)
        assert abs(eps - tangent) > 0.05 * abs(eps)  # the table's curvature matters here
        assert u_max == pytest.approx(abs(eps) * np.sqrt(0.5e-3**2 + 0.5e-3**2 + 0.5e-3**2), rel=1e-9)


@pytest.mark.calculix
@pytest.mark.slow
def test_solder_bump_with_cured_underfill_agrees_with_calculix(tmp_path: Path) -> None:
    # underfill stress-free at 165 C, the rest at 25 C: interface nodes are duplicated and tied
    case = tiny_solder_bump()
    assert case.stress_free_temperature("underfill") != case.stress_free_temperature("die")
    assert_agree(agreement(case, tmp_path, "C3D10"), case)


def test_deck_round_trips_through_meshio(tmp_path: Path) -> None:
    case = tiny_solder_bump()
    from geometries import mesh_geometry

    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)
    model = deck_model(case, tagged)
    for element, cell_type, width in (("C3D10", "tetra10", 10), ("C3D4", "tetra", 4)):
        deck = tmp_path / f"{element}.inp"
        stats = write_deck(model, deck, element)
        back = meshio.read(deck, file_format="abaqus")
        assert len(back.points) == stats.nodes
        assert [c.type for c in back.cells] == [cell_type] * len(back.cells)
        assert sum(len(c.data) for c in back.cells) == len(model.cells) == stats.elements
        assert all(c.data.shape[1] == width for c in back.cells)
        names = {r.name for r in model.regions if np.any(model.cell_tags == r.tag)}
        assert set(back.cell_sets) >= names
        for r in model.regions:  # each element set holds exactly its region's cells
            if r.name in names:
                assert sum(len(ids) for ids in back.cell_sets[r.name]) == int(np.sum(model.cell_tags == r.tag))
        np.testing.assert_allclose(back.points[: len(model.points)], model.points, rtol=0, atol=1e-15)
        text = deck.read_text()
        assert text.count("*STEP") == len(case.load.steps())
        assert "ZERO=4.381500000000e+02" in text  # the underfill's own stress-free temperature
        assert stats.tied_nodes > 0 and text.count("\n*EQUATION\n") == 1


def test_secant_cte_reproduces_the_tangent_integral() -> None:
    alpha = Property(np.array([200.0, 300.0, 500.0]), np.array([1e-6, 3e-6, 4e-6]), "test table")
    t_ref = 298.15
    temps = np.array([150.0, 233.15, 298.15, 298.15 + 1e-12, 350.0, 600.0])
    sec = secant_cte(alpha, t_ref, temps)
    np.testing.assert_allclose(sec * (temps - t_ref), alpha.integrals(t_ref, temps), rtol=1e-12, atol=1e-20)
    assert sec[2] == pytest.approx(alpha(t_ref)) and sec[3] == pytest.approx(alpha(t_ref))
    # 233.15 K: the mean of alpha over [233.15, 298.15] (trapezoids on the table), not alpha(233.15)
    a_233 = alpha(233.15)
    mean = 0.5 * (a_233 + alpha(t_ref))  # alpha is linear on [200, 300] K
    assert sec[1] == pytest.approx(mean, rel=1e-12) and abs(sec[1] - a_233) > 0.1 * a_233


def test_c3d10_midpoints_and_orientation() -> None:
    points = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], dtype=float)
    cells = np.array([[0, 2, 1, 3], [1, 2, 3, 4]])  # the first one negatively oriented
    good = oriented(points, cells)
    x = points[good]
    vol = np.einsum("ij,ij->i", np.cross(x[:, 1] - x[:, 0], x[:, 2] - x[:, 0]), x[:, 3] - x[:, 0])
    assert np.all(vol > 0) and set(good[0]) == set(cells[0])
    mids = EdgeMidpoints(points, good)
    ten = mids.cells(good)
    assert len(mids.points) == 5 + 9  # 6 + 6 edges, 3 shared
    for k, (i, j) in enumerate(C3D10_EDGES):
        np.testing.assert_allclose(mids.points[ten[:, 4 + k]], 0.5 * (points[good[:, i]] + points[good[:, j]]))


def test_nodes_shared_across_groups_are_copied_once_per_group() -> None:
    cells = np.array([[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]])
    new, origin = split_by_group(cells, np.array([0, 1, 1]), 6)
    assert new[0].tolist() == [0, 1, 2, 3]
    assert sorted(origin.tolist()) == [1, 2, 3]  # shared by group 0 and group 1
    assert set(new[1].tolist()) - {4} == set(range(6, 9)) and new[2][2] == 4 and new[2][0] >= 6
    assert origin[new[1][0] - 6] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "vtk"], "--format 'vtk': unknown export format; allowed: inp"),
        (["--element", "C3D8"], "--element 'C3D8': unknown element type; allowed: C3D10, C3D4"),
        (["--out", "deck.txt"], "must end in .inp"),
    ],
)
def test_export_rejects_bad_format_or_element(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ["--out", str(tmp_path / "deck.inp")] if "--out" not in args else []
    code = main(["export", str(REPO / "examples" / "laminate_die_on_board.toml"), *out, *args])
    captured = capsys.readouterr()
    assert code == 2, captured.out + captured.err
    assert message in " ".join((captured.out + captured.err).split())
    assert not list(tmp_path.iterdir())
