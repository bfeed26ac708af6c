"""Mixed u-p thermo-elasticity against closed-form solutions, and the locking it removes.

1. Confined compression (oedometer) of a nu = 0.4999 block, lateral faces held normal, base
   held: heating with a free top gives sigma_xx = sigma_yy = -E alpha dT / (1 - nu), sigma_zz = 0;
   pressing the top by d gives sigma_zz = (lambda + 2 mu) eps, sigma_xx = lambda eps, eps = -d/H.
2. Thick-walled cylinder (Lame, plane strain, a <= r <= b) of a nearly incompressible material
   bonded to a rigid housing at r = b, free at r = a, heated by dT. With eps_zz = 0 and
   u_r = A r + B / r: u_r(b) = 0 gives B = -A b^2, sigma_rr(a) = 0 gives
       A = 3 K alpha dT / (2 (lambda + mu) + 2 mu b^2 / a^2),
       sigma_rr = 2 (lambda + mu) A - 2 mu B / r^2 - 3 K alpha dT,
       sigma_tt = 2 (lambda + mu) A + 2 mu B / r^2 - 3 K alpha dT
   (Timoshenko & Goodier, "Theory of Elasticity", 3rd ed., sec. 28 and 150). On a coarse mesh
   the displacement formulation locks (P1 far off, P2 measurably off); the mixed one does not.
3. Compressible material: the mixed and displacement formulations agree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fem_package.case.solver import SolverSettings
from fem_package.fenics import MPI, dolfinx
from fem_package.materials import Material, Property
from fem_package.model_description import Boundary, ModelDescription, Region, SymmetryPlane
from fem_package.tagged_mesh import TaggedMesh
from solvers.formulation import choose_formulation
from solvers.material_fields import RegionMaterial, lame
from solvers.mixed_thermoelastic import MixedThermoelasticProblem
from solvers.stress_recovery import StressRecovery
from solvers.thermoelastic import ThermoelasticProblem

T_REF = 298.15


def material(e: float, nu: float, cte: float) -> Material:
    def c(v: float) -> Property:
        return Property.constant(v, "test value")

    return Material("test", "test material", "test", {"youngs_modulus": c(e), "poisson_ratio": c(nu), "cte": c(cte)})


def tagged_box_mesh(
    mesh: Any,
    faces: dict[str, Callable[[np.ndarray], np.ndarray]],
    planes: list[tuple[str, int]],
    inner: Callable[[np.ndarray], np.ndarray] | None = None,
) -> TaggedMesh:
    """Region 'block' (tag 1) on ``mesh``, and region 'inner' (tag 2) where ``inner(cell midpoints)`` holds;
    named boundary faces; zero displacement components on them."""
    tdim = mesh.topology.dim
    cmap = mesh.topology.index_map(tdim)
    n = cmap.size_local + cmap.num_ghosts
    tags = np.ones(n, dtype=np.int32)
    if inner is not None:
        mid = dolfinx.mesh.compute_midpoints(mesh, tdim, np.arange(n, dtype=np.int32))
        tags[inner(mid)] = 2
    cell_tags = dolfinx.mesh.meshtags(mesh, tdim, np.arange(n, dtype=np.int32), tags)
    mesh.topology.create_connectivity(tdim - 1, tdim)
    indices, values = [], []
    for tag, marker in enumerate(faces.values(), start=1):
        facets = dolfinx.mesh.locate_entities_boundary(mesh, tdim - 1, marker)
        indices.append(facets)
        values.append(np.full(len(facets), tag, dtype=np.int32))
    idx, val = np.concatenate(indices), np.concatenate(values)
    order = np.argsort(idx)
    facet_tags = dolfinx.mesh.meshtags(mesh, tdim - 1, idx[order], val[order])
    description = ModelDescription(
        "test",
        "quarter",
        [Region("block", 1, "block", "test")] + ([Region("inner", 2, "inner", "test")] if inner is not None else []),
        [Boundary(name, tag) for tag, name in enumerate(faces, start=1)],
        [SymmetryPlane(name, component) for name, component in planes],
        [],
    )
    return TaggedMesh(mesh, cell_tags, facet_tags, description, {})


def oedometer(n: int, comm: Any = MPI.COMM_WORLD) -> TaggedMesh:
    """Unit cube (1 mm): x, y faces held normal, base held vertically, top free."""
    size = 1e-3
    mesh = dolfinx.mesh.create_box(comm, [[0, 0, 0], [size, size, size]], [n, n, n], dolfinx.mesh.CellType.tetrahedron)
    tol = 1e-9 * size
    faces = {
        "x0": lambda x: np.abs(x[0]) < tol,
        "x1": lambda x: np.abs(x[0] - size) < tol,
        "y0": lambda x: np.abs(x[1]) < tol,
        "y1": lambda x: np.abs(x[1] - size) < tol,
        "z0": lambda x: np.abs(x[2]) < tol,
        "z1": lambda x: np.abs(x[2] - size) < tol,
    }
    return tagged_box_mesh(mesh, faces, [("x0", 0), ("x1", 0), ("y0", 1), ("y1", 1), ("z0", 2)])


A_IN, B_OUT, HEIGHT = 1e-3, 2e-3, 0.25e-3


def thick_cylinder(
    nr: int, nt: int, comm: Any = MPI.COMM_WORLD, inner: Callable[[np.ndarray], np.ndarray] | None = None
) -> TaggedMesh:
    """Quarter of a ring a <= r <= b (a box in (r, theta, z) mapped to x, y, z), one layer thick;
    region 'inner' (tag 2) where ``inner(cell midpoints)`` holds."""
    mesh = dolfinx.mesh.create_box(
        comm, [[A_IN, 0, 0], [B_OUT, np.pi / 2, HEIGHT]], [nr, nt, 1], dolfinx.mesh.CellType.tetrahedron
    )
    x = mesh.geometry.x
    r, t = x[:, 0].copy(), x[:, 1].copy()
    x[:, 0], x[:, 1] = r * np.cos(t), r * np.sin(t)
    tol = 1e-9 * B_OUT
    faces = {
        "outer": lambda x: np.abs(np.hypot(x[0], x[1]) - B_OUT) < 1e-6 * B_OUT,
        "y0": lambda x: np.abs(x[1]) < tol,
        "x0": lambda x: np.abs(x[0]) < tol,
        "z0": lambda x: np.abs(x[2]) < tol,
        "z1": lambda x: np.abs(x[2] - HEIGHT) < tol,
    }
    planes = [("outer", 0), ("outer", 1), ("outer", 2), ("y0", 1), ("x0", 0), ("z0", 2), ("z1", 2)]
    return tagged_box_mesh(mesh, faces, planes, inner)


def lame_cylinder(e: float, nu: float, alpha: float, dt: float) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """sigma_rr(r), sigma_tt(r) of the heated ring bonded at r = b, free at r = a (module docstring)."""
    lam, mu = lame(e, nu)
    k = lam + 2 * mu / 3
    a_coef = 3 * k * alpha * dt / (2 * (lam + mu) + 2 * mu * B_OUT**2 / A_IN**2)
    b_coef = -a_coef * B_OUT**2

    def s_rr(r: Any) -> Any:
        return 2 * (lam + mu) * a_coef - 2 * mu * b_coef / r**2 - 3 * k * alpha * dt

    def s_tt(r: Any) -> Any:
        return 2 * (lam + mu) * a_coef + 2 * mu * b_coef / r**2 - 3 * k * alpha * dt

    return s_rr, s_tt


def solve(cls: Any, tagged: TaggedMesh, mat: Material, temperature: float, **settings: Any) -> Any:
    problem = cls(tagged, [RegionMaterial(1, mat, T_REF)], SolverSettings(**{"rtol": 1e-10, **settings}))
    problem.solve(temperature)
    return problem


def midpoints(problem: Any) -> np.ndarray:
    """Midpoints of the owned cells."""
    return dolfinx.mesh.compute_midpoints(problem.mesh, 3, np.arange(problem.num_owned_cells, dtype=np.int32))


def cell_stress(problem: Any) -> tuple[np.ndarray, np.ndarray]:
    """Cell midpoints and cell stresses (owned cells)."""
    return midpoints(problem), StressRecovery(problem).evaluate().stress


def ring_stress_errors(
    problem: Any, e: float, nu: float, alpha: float, dt: float, stress: np.ndarray | None = None
) -> tuple[float, float]:
    """RMS error of sigma_rr and sigma_tt over the cells, relative to the largest |sigma_tt|.

    ``stress``: the owned cells' (n, 3, 3) stresses, else the problem's recovered ones.
    """
    mid, s = cell_stress(problem) if stress is None else (midpoints(problem), stress)
    r = np.hypot(mid[:, 0], mid[:, 1])
    c, si = mid[:, 0] / r, mid[:, 1] / r
    s_rr = c * c * s[:, 0, 0] + 2 * c * si * s[:, 0, 1] + si * si * s[:, 1, 1]
    s_tt = si * si * s[:, 0, 0] - 2 * c * si * s[:, 0, 1] + c * c * s[:, 1, 1]
    ref_rr, ref_tt = lame_cylinder(e, nu, alpha, dt)
    scale = abs(ref_tt(A_IN))
    comm = problem.mesh.comm
    count = comm.allreduce(len(r))

    def rms(values: np.ndarray) -> float:
        return float(np.sqrt(comm.allreduce(float((values**2).sum())) / count) / scale)

    return rms(s_rr - ref_rr(r)), rms(s_tt - ref_tt(r))


GEL = (1e6, 0.4999, 3e-4)  # E = 1 MPa, nu = 0.4999 (K/G = 5000), alpha = 300 ppm/K: a soft silicone


@pytest.mark.parametrize("solver", ["direct", "fieldsplit"])
def test_confined_heating_of_an_incompressible_block(solver: str) -> None:
    e, nu, alpha = GEL
    problem = solve(MixedThermoelasticProblem, oedometer(2), material(*GEL), T_REF + 50.0, mixed_linear_solver=solver)
    _, s = cell_stress(problem)
    expected = -e * alpha * 50.0 / (1 - nu)
    print(f"oedometer heating ({solver}): sigma_xx {s[:, 0, 0].mean():.6g} Pa, analytic {expected:.6g} Pa")
    for i in (0, 1):
        np.testing.assert_allclose(s[:, i, i], expected, rtol=0.01)
    assert np.abs(s[:, 2, 2]).max() < 0.01 * abs(expected)
    assert np.abs(s[:, 0, 1]).max() < 0.01 * abs(expected)


def test_confined_compression_of_an_incompressible_block() -> None:
    e, nu, _ = GEL
    tagged = oedometer(2)
    problem = MixedThermoelasticProblem(tagged, [RegionMaterial(1, material(*GEL), T_REF)], SolverSettings(rtol=1e-10))
    d = 1e-6  # 0.1 % of the height
    top = tagged.facet_tags.find(tagged.description.boundary_tag("z1"))
    dofs = dolfinx.fem.locate_dofs_topological(problem.V.sub(2), 2, top)
    problem.add_dirichlet(dolfinx.fem.dirichletbc(dolfinx.default_scalar_type(-d), dofs, problem.V.sub(2)))
    problem.solve(T_REF + 1e-9)
    _, s = cell_stress(problem)
    lam, mu = lame(e, nu)
    eps = -d / 1e-3
    np.testing.assert_allclose(s[:, 2, 2], (lam + 2 * mu) * eps, rtol=0.01)
    np.testing.assert_allclose(s[:, 0, 0], lam * eps, rtol=0.01)
    mean_stress = problem.p.x.array  # the pressure field is the mean stress, (lambda + 2 mu / 3) * eps
    np.testing.assert_allclose(mean_stress, (lam + 2 * mu / 3) * eps, rtol=0.01)


def test_thick_cylinder_shows_locking_only_without_the_pressure_field() -> None:
    e, nu, alpha = GEL
    dt = 100.0
    mat = material(*GEL)
    errors = {}
    for name, cls, degree in [
        ("P1", ThermoelasticProblem, 1),
        ("P2", ThermoelasticProblem, 2),
        ("mixed", MixedThermoelasticProblem, 2),
    ]:
        problem = solve(cls, thick_cylinder(4, 8), mat, T_REF + dt, degree=degree, mixed_linear_solver="direct")
        errors[name] = ring_stress_errors(problem, e, nu, alpha, dt)
    print("thick cylinder nu = 0.4999, rms stress errors (rr, tt):", errors)
    assert max(errors["mixed"]) < 0.015
    assert min(errors["P1"]) > 0.5  # locked: wrong by more than the stress itself
    assert min(errors["P2"]) > 0.04  # and P2 is still several times worse than the mixed solution
    assert min(errors["P2"]) > 5 * max(errors["mixed"])


def test_mixed_equals_displacement_for_a_compressible_material() -> None:
    e, nu, alpha = 1e9, 0.3, 20e-6
    mat = material(e, nu, alpha)
    fields = []
    for cls in (ThermoelasticProblem, MixedThermoelasticProblem):
        # threshold 0: every cell's mean stress is the pressure field (plain Taylor-Hood)
        problem = solve(cls, thick_cylinder(4, 8), mat, T_REF + 100.0, incompressible_poisson_ratio=0.0)
        fields.append((StressRecovery(problem).evaluate(), problem))
    (f_disp, p_disp), (f_mixed, p_mixed) = fields
    assert p_mixed.num_pressure_cells == p_mixed.mesh.topology.index_map(3).size_global
    assert f_mixed.displacement_max == pytest.approx(f_disp.displacement_max, rel=0.005)
    vm = np.abs(f_disp.von_mises).max()
    rel = np.abs(f_mixed.von_mises - f_disp.von_mises).max() / vm
    print(f"compressible: max |u| {f_mixed.displacement_max:.6g} vs {f_disp.displacement_max:.6g}; von Mises {rel:.2%}")
    # cell by cell the two differ by their discretization errors; the analytic ring checks both
    assert max(ring_stress_errors(p_mixed, e, nu, alpha, 100.0)) < 0.015
    assert max(ring_stress_errors(p_disp, e, nu, alpha, 100.0)) < 0.015
    assert np.mean(f_mixed.von_mises) == pytest.approx(np.mean(f_disp.von_mises), rel=0.005)


def test_auto_formulation_follows_the_poisson_ratio() -> None:
    gel, metal = material(*GEL), material(100e9, 0.35, 17e-6)
    table = Material(
        "melting",
        "a metal whose Poisson ratio rises on melting",
        "test",
        {**metal.properties, "poisson_ratio": Property(np.array([300.0, 320.0]), np.array([0.35, 0.4999]), "t")},
    )
    auto = SolverSettings()
    assert choose_formulation(auto, [metal], [250.0, 400.0]) == "displacement"
    assert choose_formulation(auto, [metal, gel], [250.0, 400.0]) == "mixed"
    assert choose_formulation(auto, [table], [250.0, 298.0]) == "displacement"
    assert choose_formulation(auto, [table], [250.0, 398.0]) == "mixed"
    assert choose_formulation(SolverSettings(formulation="displacement"), [gel], [300.0]) == "displacement"
    assert choose_formulation(SolverSettings(formulation="mixed"), [metal], [300.0]) == "mixed"


def test_mixed_residual_vanishes_at_the_solution() -> None:
    """The shared UFL residual (for the nonlinear driver) is the one the linear solver satisfies."""
    from fem_package.fenics import ufl
    from solvers.mixed_forms import mixed_residuals

    problem = solve(MixedThermoelasticProblem, thick_cylinder(3, 6), material(*GEL), T_REF + 100.0)
    v, q = ufl.TestFunction(problem.V), ufl.TestFunction(problem.Q)
    f_u, f_p = mixed_residuals(
        problem.u,
        problem.p,
        v,
        q,
        problem.mu,
        problem.inverse_bulk,
        problem.eps_th,
        problem.chi,
        problem.bulk_in_displacement,
    )
    r_u = dolfinx.fem.assemble_vector(dolfinx.fem.form(f_u))
    r_p = dolfinx.fem.assemble_vector(dolfinx.fem.form(f_p))
    constrained = np.concatenate([bc.dof_indices()[0] for bc in problem.bcs])
    free = np.setdiff1d(np.arange(r_u.array.size), constrained)
    # the terms the residual balances: deviatoric internal forces, and the thermal volume change
    load_u = dolfinx.fem.assemble_vector(
        dolfinx.fem.form(ufl.inner(2 * problem.mu * ufl.dev(problem.strain(problem.u)), ufl.grad(v)) * ufl.dx)
    )
    load_p = dolfinx.fem.assemble_vector(dolfinx.fem.form(ufl.tr(problem.eps_th) * q * ufl.dx))
    assert np.abs(load_u.array).max() > 0 and np.abs(load_p.array).max() > 0
    assert np.abs(r_u.array[free]).max() < 1e-6 * np.abs(load_u.array).max()
    assert np.abs(r_p.array).max() < 1e-6 * np.abs(load_p.array).max()


LIQUID_METAL_GEL = Path(__file__).resolve().parents[1] / "examples" / "liquid_metal_gel.toml"


def small_liquid_metal_gel() -> Any:
    """The example case, shrunk to one ring of masses on a coarse mesh."""
    import tomllib

    from fem_package.case import validate_case

    raw = tomllib.loads(LIQUID_METAL_GEL.read_text(encoding="utf-8"))
    raw["geometry"].update(
        {"die_length": "1 mm", "die_width": "1 mm", "substrate_length": "1.6 mm", "substrate_width": "1.6 mm"}
    )
    raw["geometry"].update({"array": "full"})
    raw["mesh"].update({"max_size": "800 um", "joint_size": "150 um"})
    raw["load"].update({"steps_per_ramp": 1, "cycles": 1})
    raw["output"]["picture"] = False
    raw["solver"]["rtol"] = 1e-12
    return validate_case(raw)


@pytest.mark.slow
def test_liquid_metal_gel_example_runs_mixed(tmp_path: Path) -> None:
    from tests.conftest import run_case

    summary = run_case(small_liquid_metal_gel(), tmp_path / "out")
    assert summary["run"]["formulation"] == "mixed" and summary["run"]["degree"] == 2
    gel = summary["regions"]["gel"]
    assert 0 < gel["peak_von_mises"] < 1e6  # a 5 kPa gel strained by ~1e-2 carries kPa, not MPa
    assert summary["critical_joint"] is not None


@pytest.mark.mpi
@pytest.mark.parametrize("solver", ["direct", "fieldsplit"])
def test_distributed_mixed_solution_equals_serial(solver: str) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    e, nu, alpha = GEL
    results = []
    for c in (comm, MPI.COMM_SELF):
        problem = solve(
            MixedThermoelasticProblem,
            thick_cylinder(4, 8, c),
            material(*GEL),
            T_REF + 100.0,
            mixed_linear_solver=solver,
        )
        fields = StressRecovery(problem).evaluate()
        p_max = c.allreduce(float(np.abs(problem.p.x.array).max()), op=MPI.MAX)
        results.append((fields.displacement_max, p_max, ring_stress_errors(problem, e, nu, alpha, 100.0)))
    (u_dist, p_dist, err_dist), (u_serial, p_serial, err_serial) = results
    assert u_dist == pytest.approx(u_serial, rel=1e-8)
    assert p_dist == pytest.approx(p_serial, rel=1e-6)
    np.testing.assert_allclose(err_dist, err_serial, rtol=1e-5)
