"""Quasi-static linear thermo-elasticity with temperature-dependent properties.

Find u in V (vector Lagrange, degree 1 or 2) with the symmetry and support conditions, such that

    integral_Omega sigma(u) : eps(v) dx = 0   for all v in V_0,
    sigma(u) = lambda tr(eps(u) - eps_th) I + 2 mu (eps(u) - eps_th),   eps(u) = sym(grad u),

where lambda, mu and the free thermal strain eps_th are evaluated cell by cell at the
step's uniform temperature or at each cell's own temperature (an array, e.g. from heat
conduction; see :mod:`solvers.material_fields`). Each step is an independent elastic
solution: the material has no memory in this model.
The bilinear form is split into a = (C eps(u), eps(v)) and L = (C eps_th, eps(v)).

Further Dirichlet conditions (:meth:`ThermoelasticProblem.add_dirichlet`, e.g. a submodel's
cut-face displacement from :mod:`solvers.submodel`) may change their values between steps
but not their degrees of freedom: the matrix (unit rows on constrained dofs) stays valid,
only the lifting b = L - A g and the prescribed values in b are renewed, as every solve does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fem_package.case.solver import SolverSettings
from fem_package.fenics import MPI, PETSc, dolfinx, ufl
from fem_package.tagged_mesh import TaggedMesh
from solvers.linear_solver import converged_reason, make_ksp
from solvers.material_fields import CellProperties, RegionMaterial


@dataclass
class StepStats:
    """Solver statistics of one load step."""

    iterations: int
    reason: str
    assemble_seconds: float
    solve_seconds: float
    reassembled: bool
    preconditioner_rebuilt: bool


@dataclass
class SolveTimings:
    """Accumulated timings of a whole run (s)."""

    setup: float = 0.0
    assemble: float = 0.0
    solve: float = 0.0
    steps: list[StepStats] = field(default_factory=list)


def _same_temperature(a: float | np.ndarray | None, b: float | np.ndarray | None) -> bool:
    """True when two step temperatures (uniform values or per-cell arrays) are identical."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    return a is not None and a == b


def _describe(temperature: float | np.ndarray) -> str:
    """'398.15 K', or the range of a per-cell temperature field."""
    if isinstance(temperature, np.ndarray):
        return f"{temperature.min():.2f}..{temperature.max():.2f} K (per cell)"
    return f"{temperature:.2f} K"


def _near(point: np.ndarray, tol: float) -> Any:
    """Marker of the mesh vertices within ``tol`` of ``point``."""
    return lambda x: np.linalg.norm(x.T - point, axis=1) < tol


def dirichlet_conditions(V: Any, tagged: TaggedMesh) -> list[Any]:
    """Zero normal displacement on symmetry planes and zero components at the point supports."""
    mesh = tagged.mesh
    fdim = mesh.topology.dim - 1
    zero = dolfinx.default_scalar_type(0.0)
    bcs = []
    for plane in tagged.description.symmetry_planes:
        facets = tagged.facet_tags.find(tagged.description.boundary_tag(plane.boundary))
        dofs = dolfinx.fem.locate_dofs_topological(V.sub(plane.component), fdim, facets)
        bcs.append(dolfinx.fem.dirichletbc(zero, dofs, V.sub(plane.component)))
    mesh.topology.create_connectivity(0, mesh.topology.dim)
    comm = mesh.comm
    size = comm.allreduce(float(np.abs(mesh.geometry.x).max()), op=MPI.MAX)
    for support in tagged.description.supports:
        vertices = dolfinx.mesh.locate_entities(mesh, 0, _near(np.asarray(support.point), 1e-9 * max(size, 1e-12)))
        if comm.allreduce(len(vertices)) == 0:
            raise RuntimeError(f"no mesh vertex at support point {support.point}")
        for c in support.components:
            dofs = dolfinx.fem.locate_dofs_topological(V.sub(c), 0, vertices)
            bcs.append(dolfinx.fem.dirichletbc(zero, dofs, V.sub(c)))
    return bcs


class CellwiseStepProblem:
    """What the displacement and the mixed thermo-elastic problems share: per-cell material
    properties, the list of Dirichlet conditions and the bookkeeping of when a step must be solved."""

    bcs: list[Any]
    _moduli_key: tuple[float, ...] | None
    _last_temperature: float | np.ndarray | None

    def _set_up_cells(self, tagged: TaggedMesh, regions: list[RegionMaterial], settings: SolverSettings) -> Any:
        """Keep mesh and settings, build the per-cell properties; returns the mesh."""
        mesh = tagged.mesh
        self.mesh = mesh
        self.settings = settings
        cell_map = mesh.topology.index_map(mesh.topology.dim)
        self.num_owned_cells = cell_map.size_local
        self.cells = CellProperties(tagged.cell_tags, cell_map.size_local + cell_map.num_ghosts, regions)
        return mesh

    timings: SolveTimings
    ksp: Any

    def _set_properties(self, temperature: float | np.ndarray) -> None:
        raise NotImplementedError

    def _start_step(self, temperature: float | np.ndarray) -> bool | None:
        """None when ``temperature`` equals the last step's (the solution is kept; a zero step is recorded);
        else sets the cell properties and returns whether the moduli changed (the matrix must be re-assembled).

        Both decisions are taken on every rank together: a per-cell temperature array and its moduli are
        rank-local, and a rank that skipped the step or the (collective) assembly while another did not
        would deadlock the run.
        """
        comm = self.mesh.comm
        if comm.allreduce(_same_temperature(temperature, self._last_temperature), op=MPI.LAND):
            self.timings.steps.append(StepStats(0, "UNCHANGED_TEMPERATURE", 0.0, 0.0, False, False))
            return None
        self._last_temperature = temperature.copy() if isinstance(temperature, np.ndarray) else temperature
        self._set_properties(temperature)
        key = self.cells.moduli_key(temperature)
        changed = bool(comm.allreduce(key != self._moduli_key, op=MPI.LOR))
        self._moduli_key = key
        return changed

    def _finish_step(
        self,
        temperature: float | np.ndarray,
        its: int,
        reason: str,
        t0: float,
        t1: float,
        reassemble: bool,
        rebuild: bool,
        formulation: str = "",
    ) -> StepStats:
        """Raise if the linear solve failed, else record the step's statistics (set-up from t0 to t1, solve since)."""
        t2 = time.perf_counter()
        if self.ksp.getConvergedReason() < 0:
            raise RuntimeError(
                f"linear solver failed at T = {_describe(temperature)}: {converged_reason(self.ksp)} after {its} "
                f"iterations{formulation}; check the materials or set [solver] petsc_options"
            )
        stats = StepStats(its, reason, t1 - t0, t2 - t1, reassemble, rebuild)
        self.timings.assemble += stats.assemble_seconds
        self.timings.solve += stats.solve_seconds
        self.timings.steps.append(stats)
        return stats

    def add_dirichlet(self, bc: Any) -> None:
        """Add a ``DirichletBC`` on ``self.V`` (or a sub-space); the next solve re-assembles the matrix."""
        self.bcs.append(bc)
        self._moduli_key = None
        self._last_temperature = None

    def dirichlet_values_changed(self) -> None:
        """The prescribed values (not the constrained dofs) changed: solve the next step whatever its temperature."""
        self._last_temperature = None

    @staticmethod
    def strain(w: Any) -> Any:
        """Small-strain tensor eps(w) = sym(grad w)."""
        return ufl.sym(ufl.grad(w))


class ThermoelasticProblem(CellwiseStepProblem):
    """Set-up once, then ``solve(temperature)`` per load step.

    Conditions beyond the geometry's symmetry planes and supports are added with
    :meth:`add_dirichlet`; when their values change, :meth:`dirichlet_values_changed` makes
    the next step solve even at an unchanged temperature.
    """

    def __init__(self, tagged: TaggedMesh, regions: list[RegionMaterial], settings: SolverSettings):
        t0 = time.perf_counter()
        mesh = self._set_up_cells(tagged, regions, settings)

        self.V = dolfinx.fem.functionspace(mesh, ("Lagrange", settings.degree, (3,)))
        Q = dolfinx.fem.functionspace(mesh, ("DG", 0))
        Q3 = dolfinx.fem.functionspace(mesh, ("DG", 0, (3,)))
        self.lmbda = dolfinx.fem.Function(Q, name="lambda")
        self.mu = dolfinx.fem.Function(Q, name="mu")
        self.eps_th_diag = dolfinx.fem.Function(Q3, name="thermal_strain")
        self.u = dolfinx.fem.Function(self.V, name="displacement")

        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        self.eps_th = ufl.diag(self.eps_th_diag)
        self.a = dolfinx.fem.form(ufl.inner(self.elastic_stress(self.strain(u)), self.strain(v)) * ufl.dx)
        self.L = dolfinx.fem.form(ufl.inner(self.elastic_stress(self.eps_th), self.strain(v)) * ufl.dx)

        self.bcs = dirichlet_conditions(self.V, tagged)
        self.A = dolfinx.fem.petsc.create_matrix(self.a)
        self.b = dolfinx.fem.petsc.create_vector(self.V)
        self.ksp = make_ksp(
            self.A, self.V, "thermoelastic_", settings.rtol, settings.max_iterations, dict(settings.petsc_options)
        )
        self._moduli_key: tuple[float, ...] | None = None
        self._first_iterations: int | None = None
        self._last_temperature: float | np.ndarray | None = None
        self.timings = SolveTimings(setup=time.perf_counter() - t0)

    def elastic_stress(self, e: Any) -> Any:
        """Isotropic Hooke's law C : e = lambda tr(e) I + 2 mu e."""
        return self.lmbda * ufl.tr(e) * ufl.Identity(3) + 2.0 * self.mu * e

    def stress(self) -> Any:
        """UFL stress of the current solution, sigma = C : (eps(u) - eps_th)."""
        return self.elastic_stress(self.strain(self.u) - self.eps_th)

    def mechanical_strain(self) -> Any:
        """UFL mechanical (total minus thermal) strain of the current solution."""
        return self.strain(self.u) - self.eps_th

    @property
    def num_dofs(self) -> int:
        """Global number of displacement degrees of freedom."""
        im = self.V.dofmap.index_map
        return int(im.size_global * self.V.dofmap.index_map_bs)

    def _set_properties(self, temperature: float | np.ndarray) -> None:
        lam, mu, eps = self.cells.at(temperature)
        self.lmbda.x.array[:] = lam
        self.mu.x.array[:] = mu
        self.eps_th_diag.x.array[:] = eps.ravel()

    def _assemble_matrix(self) -> None:
        self.A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
        self.A.assemble()

    def _assemble_rhs(self) -> None:
        with self.b.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.L)
        dolfinx.fem.petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(self.b, self.bcs)

    def solve(self, temperature: float | np.ndarray) -> StepStats:
        """Solve the step at uniform ``temperature`` (K) or per-cell temperatures; the solution is in ``self.u``.

        A per-cell array has one value per local cell (owned then ghost, the DG0 layout).

        A step at the previous step's temperature keeps the solution (the model has no
        memory). The matrix is re-assembled only when the moduli changed. With
        ``reuse_preconditioner`` the multigrid hierarchy of the last rebuild is kept
        until CG needs more than twice the iterations it needed right after a rebuild.
        """
        t0 = time.perf_counter()
        reassemble = self._start_step(temperature)
        if reassemble is None:  # a dwell: same temperature, same properties, same (history-free) solution
            return self.timings.steps[-1]
        rebuild = self._first_iterations is None or not self.settings.reuse_preconditioner
        if reassemble:
            self._assemble_matrix()
        self._assemble_rhs()
        t1 = time.perf_counter()
        self.ksp.getPC().setReusePreconditioner(not rebuild)
        self.ksp.solve(self.b, self.u.x.petsc_vec)
        its = self.ksp.getIterationNumber()
        stale = self.ksp.getConvergedReason() < 0 or its > 2 * max(self._first_iterations or 0, 5)
        if not rebuild and stale:
            # The kept hierarchy no longer fits the changed moduli (its Chebyshev smoothers
            # use eigenvalue estimates of the old matrix): rebuild it and solve again.
            self.ksp.getPC().setReusePreconditioner(False)
            self.ksp.solve(self.b, self.u.x.petsc_vec)
            its, rebuild = self.ksp.getIterationNumber(), True
        if rebuild and its > 0:  # a zero right-hand side returns before the preconditioner is built
            self._first_iterations = its
        self.u.x.scatter_forward()
        return self._finish_step(temperature, its, converged_reason(self.ksp), t0, t1, reassemble, rebuild)
