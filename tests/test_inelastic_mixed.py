"""The mixed u-p form of the history solver (solvers.inelastic.mixed_problem) against closed forms and its peers.

1. Confined compression (oedometer) of a nu = 0.4999 block through the inelastic solver:
   sigma_zz = (K + 4/3 mu) eps, sigma_xx = (K - 2/3 mu) eps, mean stress K eps. The homogeneous
   state is exact in any conforming formulation, so the locking of the displacement form shows on
   the heated thick-walled ring bonded to a rigid housing (Lame; Timoshenko & Goodier, "Theory of
   Elasticity", 3rd ed., sec. 28 and 150; closed form in tests/test_mixed_thermoelastic.py).
2. The assembled block tangent equals the finite-difference derivative of the block residual
   at a state where J2 points yield in pressure cells.
3. chi = 0 everywhere (compressible): the mixed solution is the displacement one; an elastic
   gel through the history solver is the elastic mixed solution (solvers.mixed_thermoelastic).
4. A gallium cube (phase-change law) in a gel, both in a rigid frictionless box, heated above the
   melting point: both nearly incompressible, so the mean stress is one hydrostatic p with
   V_m (beta + p / K_m) + V_g p / K_g = 0 (the box keeps its volume), i.e.
   p = -beta V_m / (V_m / K_m + V_g / K_g), beta the volume change on melting (the gel's shear
   stresses are O(G_gel beta) = 1e-4 of p).
5. Two ranks give the serial answer; the field split solves a molten core as MUMPS does; a run
   (fem_package.pipeline) of a gel stack takes the mixed form and records it in the summary.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fem_package.case.solver import SolverSettings
from fem_package.console import Console
from fem_package.constitutive_data import J2Parameters, law_for
from fem_package.fenics import MPI, PETSc, dolfinx
from fem_package.materials import Material, get
from fem_package.pipeline.inelastic import run_inelastic
from solvers.constitutive.base import ConstitutiveModel, LinearElastic, bulk_shear, from_mandel
from solvers.constitutive.j2_plasticity import J2Plasticity
from solvers.constitutive.select import model_from
from solvers.inelastic.mixed_problem import MixedInelasticProblem
from solvers.inelastic.problem import InelasticProblem
from solvers.inelastic.stepping import HistorySolver
from solvers.material_fields import RegionMaterial, lame
from solvers.mixed_thermoelastic import MixedThermoelasticProblem
from tests.conftest import laminate_case, run_case
from tests.test_mixed_thermoelastic import (
    GEL,
    T_REF,
    material,
    oedometer,
    ring_stress_errors,
    tagged_box_mesh,
    thick_cylinder,
)

DIRECT = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}


def history(
    cls: type[InelasticProblem],
    tagged: Any,
    regions: list[RegionMaterial],
    models: Any = None,
    **settings: Any,
) -> HistorySolver:
    rtol = settings.pop("rtol", 1e-12)  # the Newton linear solves too: these tests compare solutions tightly
    solver_settings = SolverSettings(
        **{"physics": "inelastic", "rtol": rtol, "inelastic": {"newton": {"krylov_rtol": rtol}}, **settings}
    )
    problem = cls(tagged, regions, solver_settings, models or (lambda m: LinearElastic(m)))
    return HistorySolver(problem, solver_settings.inelastic)


def cell_stresses(solver: HistorySolver) -> np.ndarray:
    """(n_owned_cells, 3, 3) volume-average stress of each cell."""
    pts = solver.problem.points
    return from_mandel(pts.cell_average(pts.stress))


def press_top(solver: HistorySolver, tagged: Any, d: float) -> None:
    """Prescribe u_z = d on the oedometer's top face."""
    p = solver.problem
    top = tagged.facet_tags.find(tagged.description.boundary_tag("z1"))
    dofs = dolfinx.fem.locate_dofs_topological(p.V.sub(2), 2, top)
    p.add_dirichlet(dolfinx.fem.dirichletbc(dolfinx.default_scalar_type(d), dofs, p.V.sub(2)))


def test_confined_compression_and_ring_lock_only_the_displacement_form() -> None:
    e, nu, alpha = GEL
    lam, mu = lame(e, nu)
    bulk = lam + 2 * mu / 3
    d, height = 1e-6, 1e-3
    eps = -d / height
    oedo = {}
    for name, cls in (("displacement", InelasticProblem), ("mixed", MixedInelasticProblem)):
        tagged = oedometer(2)
        solver = history(cls, tagged, [RegionMaterial(1, material(*GEL), T_REF)])
        press_top(solver, tagged, -d)
        solver.solve_step(0.0, T_REF)
        s = cell_stresses(solver)
        oedo[name] = (
            float(np.abs(s[:, 2, 2] / ((bulk + 4 * mu / 3) * eps) - 1).max()),
            float(np.abs(s[:, 0, 0] / ((bulk - 2 * mu / 3) * eps) - 1).max()),
        )
        if name == "mixed":
            p = solver.problem.p.x.array  # type: ignore[attr-defined]
            np.testing.assert_allclose(p, bulk * eps, rtol=0.01)
    print(f"oedometer nu = 0.4999, largest relative error (sigma_zz, sigma_xx): {oedo}")
    assert max(oedo["mixed"]) < 0.01

    dt = 100.0
    ring, seconds, newton = {}, {}, {}
    for name, cls in (("displacement P2", InelasticProblem), ("mixed", MixedInelasticProblem)):
        solver = history(cls, thick_cylinder(4, 8), [RegionMaterial(1, material(*GEL), T_REF)])
        t0 = time.perf_counter()
        result = solver.solve_step(0.0, T_REF + dt)
        seconds[name] = time.perf_counter() - t0
        newton[name] = [(s.iterations, sum(s.krylov_iterations)) for s in result.increments]
        ring[name] = ring_stress_errors(solver.problem, e, nu, alpha, dt, cell_stresses(solver))
    print(f"heated ring nu = 0.4999, rms stress errors (rr, tt): {ring}; (Newton, Krylov) per increment {newton}")
    print(f"  seconds of the step: {seconds}")
    assert max(ring["mixed"]) < 0.015
    assert min(ring["displacement P2"]) > 3 * max(ring["mixed"])  # measured: 0.08 vs 0.012 (elastic test: P2 locks)


def two_region_box(n: int, comm: Any = MPI.COMM_WORLD) -> Any:
    """Unit (1 mm) box held normal on all six faces (a rigid frictionless box); 'inner' is the corner cube
    [0, 0.5 mm]^3, an octant of a centred cube (x, y, z = 0 are symmetry planes)."""
    size = 1e-3
    mesh = dolfinx.mesh.create_box(comm, [[0, 0, 0], [size, size, size]], [n, n, n], dolfinx.mesh.CellType.tetrahedron)
    tol = 1e-9 * size
    faces = {
        f"{a}{k}": (lambda x, i=i, k=k: np.abs(x[i] - k * size) < tol) for i, a in enumerate("xyz") for k in (0, 1)
    }
    planes = [(f"{a}{k}", i) for i, a in enumerate("xyz") for k in (0, 1)]
    return tagged_box_mesh(mesh, faces, planes, lambda mid: np.all(mid < 0.5 * size, axis=1))


def residual_and_tangent(problem: MixedInelasticProblem, x: np.ndarray, t_old: np.ndarray, t_new: np.ndarray) -> Any:
    """The block residual (R_u, R_p) at unknowns ``x`` (no boundary conditions), and the block tangent there."""
    problem.restore_unknowns(x)
    assert problem.update_points(t_old, t_new, 1.0)
    b = dolfinx.fem.petsc.assemble_vector(problem.residual_forms)
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    tangent = dolfinx.fem.petsc.assemble_matrix(problem.tangent_forms)
    tangent.assemble()
    return b, tangent


def test_block_tangent_is_the_derivative_of_the_block_residual() -> None:
    """J2 copper-like block (nu 0.34, a pressure cell with the threshold at 0.3) beside a compressible elastic one."""
    metal, filler = material(100e9, 0.34, 17e-6), material(5e9, 0.2, 30e-6)

    def models(m: Material) -> ConstitutiveModel:
        return J2Plasticity(m, J2Parameters("test", 20e6, 1e9, 0.5)) if m is metal else LinearElastic(m)

    tagged = two_region_box(2)
    regions = [RegionMaterial(1, filler, T_REF), RegionMaterial(2, metal, T_REF)]
    solver = history(
        MixedInelasticProblem, tagged, regions, models, incompressible_poisson_ratio=0.3, mixed_linear_solver="direct"
    )
    problem = solver.problem
    assert isinstance(problem, MixedInelasticProblem)
    solver.solve_step(0.0, T_REF + 60.0)  # converged, committed; the metal yields under the filler's expansion
    t_old, t_new = solver.temperature, solver.temperature + 60.0
    problem.begin_increment(t_new)
    chi = problem.chi.x.array[: problem.num_owned_cells]
    assert 0 < chi.sum() < chi.size  # pressure cells and displacement cells
    x = 1.5 * problem.unknowns()  # a trial state of the next increment
    n_u = problem.u.x.array.size
    rng = np.random.default_rng(7)
    direction = rng.standard_normal(x.size)
    direction[:n_u] *= np.abs(x[:n_u]).max()
    direction[n_u:] *= np.abs(x[n_u:]).max()
    _, tangent = residual_and_tangent(problem, x, t_old, t_new)
    yielding = int((problem.points.trial.equivalent_inelastic_strain > 0).sum())  # type: ignore[union-attr]
    dvec = tangent.createVecRight()
    problem.restore_unknowns(direction)
    dolfinx.fem.petsc.assign([problem.u, problem.p], dvec)
    jd = tangent.createVecLeft()
    tangent.mult(dvec, jd)
    h = 1e-6
    plus, _ = residual_and_tangent(problem, x + h * direction, t_old, t_new)
    minus, _ = residual_and_tangent(problem, x - h * direction, t_old, t_new)
    fd = (plus.array - minus.array) / (2 * h)
    error = np.linalg.norm(fd - jd.array) / np.linalg.norm(jd.array)
    print(f"block tangent vs central difference (h = {h:g}): relative error {error:.2e}, {yielding} yielding points")
    assert yielding > 0
    assert error < 1e-5


def test_compressible_mixed_is_the_displacement_solution_and_an_elastic_gel_the_elastic_mixed_one() -> None:
    e, nu, alpha = 1e9, 0.3, 20e-6
    fields = []
    for cls in (InelasticProblem, MixedInelasticProblem):
        solver = history(cls, thick_cylinder(3, 6), [RegionMaterial(1, material(e, nu, alpha), T_REF)])
        for k, dt in enumerate((60.0, 100.0)):
            solver.solve_step(float(k), T_REF + dt)
        fields.append((solver.problem.u.x.array.copy(), cell_stresses(solver)))
    (u_d, s_d), (u_m, s_m) = fields
    du = np.abs(u_m - u_d).max() / np.abs(u_d).max()
    ds = np.abs(s_m - s_d).max() / np.abs(s_d).max()

    gel = material(*GEL)
    reference = MixedThermoelasticProblem(
        thick_cylinder(3, 6), [RegionMaterial(1, gel, T_REF)], SolverSettings(rtol=1e-12, mixed_linear_solver="direct")
    )
    reference.solve(T_REF + 100.0)
    solver = history(MixedInelasticProblem, thick_cylinder(3, 6), [RegionMaterial(1, gel, T_REF)])
    result = solver.solve_step(0.0, T_REF + 100.0)
    problem = solver.problem
    assert isinstance(problem, MixedInelasticProblem)
    du_el = np.abs(problem.u.x.array - reference.u.x.array).max() / np.abs(reference.u.x.array).max()
    dp_el = np.abs(problem.p.x.array - reference.p.x.array).max() / np.abs(reference.p.x.array).max()
    print(
        f"chi = 0: mixed vs displacement |du| {du:.2e}, |dsigma| {ds:.2e}; elastic gel: history mixed vs elastic mixed "
        f"|du| {du_el:.2e}, |dp| {dp_el:.2e}, Newton {[s.iterations for s in result.increments]}"
    )
    assert du < 1e-9 and ds < 1e-9
    assert problem.num_pressure_cells == problem.mesh.topology.index_map(3).size_global
    assert du_el < 1e-8 and dp_el < 1e-8


def fusible_in_gel(
    n: int, linear_solver: str, comm: Any = MPI.COMM_WORLD, cls: Any = MixedInelasticProblem, **settings: Any
) -> Any:
    """Gallium (phase-change law, CTE 0) cube octant in a gel (CTE 0) in the rigid box; solver at 20 C."""
    gallium = get("gallium").with_overrides({"cte": 0.0})
    gel = material(GEL[0], GEL[1], 0.0)

    def models(m: Material) -> ConstitutiveModel:
        return model_from(m, law_for("gallium")) if m is gallium else LinearElastic(m)

    regions = [RegionMaterial(1, gel, 293.15), RegionMaterial(2, gallium, 293.15)]
    tagged = two_region_box(n, comm)
    return history(cls, tagged, regions, models, mixed_linear_solver=linear_solver, **settings), gallium, gel


def region_mean_stress(solver: HistorySolver, tag: int) -> tuple[float, float]:
    """Volume average and largest deviation from it of the mean stress over the cells of region ``tag``."""
    p = solver.problem
    cells = np.flatnonzero(p.cells.cell_region[: p.num_owned_cells] == tag - 1)
    s = cell_stresses(solver)[cells]
    mean = np.trace(s, axis1=1, axis2=2) / 3
    w = p.points.volume_weights.sum(axis=1)[cells]
    comm = p.mesh.comm
    avg = comm.allreduce(float(w @ mean)) / comm.allreduce(float(w.sum()))
    spread = comm.allreduce(float(np.abs(mean - avg).max(initial=0.0)), op=MPI.MAX)
    return avg, spread


def test_melting_gallium_in_a_confined_gel_builds_the_hydrostatic_pressure() -> None:
    results = {}
    for name, cls in (("displacement", InelasticProblem), ("mixed", MixedInelasticProblem)):
        # CG + GAMG stalls on the molten displacement form (K/G = 1e6 after melting): MUMPS
        direct = {"petsc_options": DIRECT} if name == "displacement" else {}
        solver, gallium, gel = fusible_in_gel(4, "direct", cls=cls, **direct)
        model = solver.problem.points.groups[1].model
        solid = solver.solve_step(0.0, 293.15)  # stress-free, solid
        t0 = time.perf_counter()
        molten = solver.solve_step(60.0, model.liquidus + 10.0)  # melts
        seconds = time.perf_counter() - t0
        results[name] = (region_mean_stress(solver, 2), region_mean_stress(solver, 1), seconds, molten)
        assert not solid.increments or max(s.iterations for s in solid.increments) <= 1
    beta = law_for("gallium").beta  # type: ignore[union-attr]
    t_hot = np.array([model.liquidus + 10.0])
    k_m, k_g = bulk_shear(gallium, t_hot)[0][0], bulk_shear(gel, t_hot)[0][0]
    v_m, v_g = 1.0 / 8.0, 7.0 / 8.0
    exact = -beta * v_m / (v_m / k_m + v_g / k_g)
    for name, ((p_m, spread_m), (p_g, spread_g), seconds, res) in results.items():
        its = [s.iterations for s in res.increments]
        krylov = sum(sum(s.krylov_iterations) for s in res.increments)
        print(
            f"{name}: mean stress gallium {p_m / 1e6:.4f} MPa (spread {spread_m / 1e6:.3f}), "
            f"gel {p_g / 1e6:.4f} MPa (spread {spread_g / 1e6:.3f}), exact {exact / 1e6:.4f} MPa; Newton {its}, "
            f"Krylov {krylov}, {seconds:.2f} s"
        )
    (p_m, spread_m), (p_g, spread_g), _, _ = results["mixed"]
    assert exact > 1e6  # gallium contracts on melting: the confined gel is pulled into tension
    assert p_m == pytest.approx(exact, rel=0.01) and p_g == pytest.approx(exact, rel=0.01)
    assert spread_m < 0.02 * exact and spread_g < 0.02 * exact


def test_checkpoint_arrays_carry_the_pressure_field() -> None:
    """Restored after melting, a second solver has the first's pressure and continues exactly as the first."""
    first, _, _ = fusible_in_gel(2, "direct")
    hot = first.problem.points.groups[1].model.liquidus + 10.0
    first.solve_step(0.0, 293.15)
    first.solve_step(60.0, hot)
    arrays = {k: np.array(v, copy=True) for k, v in first.state_arrays().items()}
    second, _, _ = fusible_in_gel(2, "direct")
    second.restore(arrays)
    p1, p2 = first.problem.p, second.problem.p  # type: ignore[attr-defined]
    assert np.abs(arrays["p"]).max() > 1e6
    np.testing.assert_array_equal(p2.x.array, p1.x.array)
    for solver in (first, second):
        solver.solve_step(120.0, hot + 20.0)
    np.testing.assert_array_equal(p2.x.array, p1.x.array)
    np.testing.assert_array_equal(second.problem.u.x.array, first.problem.u.x.array)


def test_field_split_solves_a_molten_core_as_the_direct_solver_does() -> None:
    """Ring: gallium core (r < 1.5 mm, phase-change law) in a gel, bonded outside, heated through the melting point.

    The liquid's shear modulus (1e-6 of the solid's) enters the Schur-complement weight chi / G_q.
    Through the 1 K melting zone GMRES takes 78-270 iterations per increment; in the increment that
    ends fully molten it broke down (reason -5 after 400 iterations, measured) and the run fell back
    to MUMPS, as it is built to. Before the melting zone (a step at the melting point) the field split
    solved the molten state in 250. Asserted: the field split carries the solid and melting
    increments, any fall-back happens only where the core is fully liquid, and the answers agree.
    """
    gallium, gel = get("gallium"), material(*GEL)

    def models(m: Material) -> ConstitutiveModel:
        return model_from(m, law_for("gallium")) if m is gallium else LinearElastic(m)

    regions = [RegionMaterial(1, gel, 293.15), RegionMaterial(2, gallium, 293.15)]
    out = {}
    for kind in ("direct", "fieldsplit"):
        tagged = thick_cylinder(4, 8, inner=lambda mid: np.hypot(mid[:, 0], mid[:, 1]) < 1.5e-3)
        # GMRES needed 100-450 iterations here (GAMG's random eigenvalue estimates vary them): room to 5000
        settings = {"mixed_linear_solver": kind, "rtol": 1e-10, "max_iterations": 5000}
        solver = history(MixedInelasticProblem, tagged, regions, models, **settings)
        problem = solver.problem
        assert isinstance(problem, MixedInelasticProblem)
        t0 = time.perf_counter()
        result = solver.solve_step(0.0, 313.15)
        out[kind] = (
            problem.u.x.array.copy(),
            problem.p.x.array.copy(),
            problem.linear_solver,
            [(s.iterations, s.krylov_iterations) for s in result.increments],
            time.perf_counter() - t0,
            problem.num_pressure_cells,
        )
    (u_d, p_d, *info_d), (u_f, p_f, *info_f) = out.values()
    du = np.abs(u_f - u_d).max() / np.abs(u_d).max()
    dp = np.abs(p_f - p_d).max() / np.abs(p_d).max()
    print(f"molten core: fieldsplit vs direct |du| {du:.1e}, |dp| {dp:.1e}; direct {info_d}; fieldsplit {info_f}")
    split_its = [kry for _, kry in info_f[1][:-2]]  # solid and melting increments (the last two end molten)
    assert all(k[0] > 1 for k in split_its), info_f  # GMRES with the field split, not a factorization
    assert info_f[-1] == problem.mesh.topology.index_map(3).size_global  # gel and liquid: all pressure cells
    assert du < 1e-6 and dp < 1e-6


def gel_stack(physics: str, formulation: str = "auto") -> Any:
    """A silicon die on a silicone-gel layer (nu 0.499, E 5 kPa) heated by 60 K, one pass."""
    return laminate_case(
        [
            {"name": "die", "material": "silicon", "thickness": "0.3 mm"},
            {"name": "gel", "material": "silicone_gel", "thickness": "0.3 mm"},
        ],
        length="1 mm",
        width="1 mm",
        mesh={"max_size": "0.5 mm"},
        output={"picture": False},
        solver={"physics": physics, "rtol": 1e-12, "formulation": formulation, "inelastic": {"substeps_per_ramp": 1}},
        load={"profile": "custom", "points": [["0 s", "25 C"], ["60 s", "85 C"]], "steps_per_ramp": 1},
    )


def test_inelastic_run_takes_the_mixed_form_for_a_gel_and_records_it(tmp_path: Path) -> None:
    def elastic(m: Material) -> ConstitutiveModel:
        return LinearElastic(m)

    console = Console(verbosity=0)
    inelastic = run_inelastic(
        gel_stack("inelastic"), tmp_path / "mixed", True, console, comm=MPI.COMM_SELF, models=elastic
    )
    forced = run_inelastic(
        gel_stack("inelastic", "displacement"), tmp_path / "disp", True, console, comm=MPI.COMM_SELF, models=elastic
    )
    reference = run_case(gel_stack("elastic"), tmp_path / "elastic")
    run = inelastic["run"]
    print(f"gel stack run keys: {run['formulation']}, P{run['degree']}, {run.get('mixed_linear_solver')}")
    assert (run["formulation"], run["degree"], run["mixed_linear_solver"]) == ("mixed", 2, "direct")
    assert forced["run"]["formulation"] == "displacement" and "mixed_linear_solver" not in forced["run"]
    assert reference["run"]["formulation"] == "mixed"
    for region in ("die", "gel"):  # the history solver's mixed form is the elastic mixed solution
        ours, theirs = inelastic["regions"][region], reference["regions"][region]
        assert ours["peak_von_mises"] == pytest.approx(theirs["peak_von_mises"], rel=1e-6)


@pytest.mark.mpi
def test_distributed_mixed_history_equals_serial() -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    out = []
    for c in (comm, MPI.COMM_SELF):
        solver, _, _ = fusible_in_gel(4, "direct", c)
        model = solver.problem.points.groups[1].model
        solver.solve_step(0.0, 293.15)
        solver.solve_step(60.0, model.liquidus + 10.0)
        p = solver.problem
        u_max = c.allreduce(float(np.abs(p.u.x.array).max()), op=MPI.MAX)
        p_max = c.allreduce(float(np.abs(p.p.x.array).max()), op=MPI.MAX)
        out.append((u_max, p_max, region_mean_stress(solver, 1)[0], region_mean_stress(solver, 2)[0]))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-7)
