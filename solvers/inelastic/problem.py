"""Quasi-static thermomechanics with history: residual and tangent at quadrature-point stresses.

Find u in V (vector Lagrange, degree 1 or 2) with the symmetry and support conditions such that

    R(u; v) = integral_Omega sigma_q(u) : eps(v) dx = 0            for all v in V_0,

where sigma_q is the stress the constitutive models return at the quadrature points for the
mechanical strain eps(u) - eps_th(T) and the internal variables at t_n. Newton's method
linearizes with the algorithmic tangent C_q = d sigma_q / d eps (Simo & Hughes 1998,
"Computational Inelasticity", ch. 3-4):

    a(du, v) = integral_Omega (C_q : eps(du)) : eps(v) dx.

Both integrals use the quadrature rule on which sigma_q and C_q live (degree 2, exact for
the elastic P2 stiffness), Mandel notation maps the 6-vectors to tensors in UFL
(:mod:`solvers.inelastic.mandel_ufl`). The point values are numpy arrays filled by
:class:`solvers.inelastic.quadrature_state.MaterialPoints`; the forms only read them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fem_package.case.solver import SolverSettings
from fem_package.fenics import MPI, PETSc, dolfinx, ufl
from fem_package.materials import Material
from fem_package.tagged_mesh import TaggedMesh
from solvers.constitutive.base import ConstitutiveModel, to_mandel
from solvers.constitutive.select import model_for
from solvers.inelastic.mandel_ufl import mandel, matrix, tensor
from solvers.inelastic.quadrature_state import MaterialPoints, UpdateFailed
from solvers.linear_solver import make_ksp
from solvers.material_fields import CellProperties, RegionMaterial
from solvers.thermoelastic import dirichlet_conditions

QUADRATURE_DEGREE = 2
"""Degree of the quadrature rule of the material points (exact for products of P2 strains)."""


@dataclass
class UpdateTimer:
    """Seconds spent in the parts of a Newton iteration."""

    strain: float = 0.0
    update: float = 0.0
    assemble: float = 0.0
    solve: float = 0.0


class InelasticProblem:
    """Set-up of the displacement space, quadrature point fields, forms, Dirichlet conditions and Krylov solver."""

    def __init__(
        self,
        tagged: TaggedMesh,
        regions: list[RegionMaterial],
        settings: SolverSettings,
        models: Callable[[Material], ConstitutiveModel] = model_for,
    ):
        import basix
        import basix.ufl

        mesh = tagged.mesh
        self.mesh = mesh
        self.settings = settings
        tdim = mesh.topology.dim
        cell_map = mesh.topology.index_map(tdim)
        self.num_owned_cells = cell_map.size_local
        self.num_local_cells = cell_map.size_local + cell_map.num_ghosts
        self.cells = CellProperties(tagged.cell_tags, self.num_local_cells, regions)
        self.owned = np.arange(self.num_owned_cells, dtype=np.int32)

        self.V = dolfinx.fem.functionspace(mesh, ("Lagrange", self.displacement_degree(settings), (3,)))
        self.u = dolfinx.fem.Function(self.V, name="displacement")
        self.du = dolfinx.fem.Function(self.V, name="increment")
        cell = mesh.basix_cell()
        points, weights = basix.make_quadrature(cell, QUADRATURE_DEGREE)
        self.quadrature_points = points
        self.nq = len(weights)
        self.S = dolfinx.fem.functionspace(mesh, basix.ufl.quadrature_element(cell, (6,), degree=QUADRATURE_DEGREE))
        self.K = dolfinx.fem.functionspace(mesh, basix.ufl.quadrature_element(cell, (36,), degree=QUADRATURE_DEGREE))
        self.sigma_q = dolfinx.fem.Function(self.S, name="stress_mandel")
        self.tangent_q = dolfinx.fem.Function(self.K, name="tangent_mandel")
        # point row p = c nq + q of the owned cells -> block of the quadrature functions
        self._blocks = self.S.dofmap.list[: self.num_owned_cells].ravel()

        self.dx = ufl.Measure(
            "dx", domain=mesh, metadata={"quadrature_degree": QUADRATURE_DEGREE, "quadrature_scheme": "default"}
        )
        self._strain_expr = dolfinx.fem.Expression(self.strain(self.u), points)
        detj = dolfinx.fem.Expression(abs(ufl.JacobianDeterminant(mesh)), points)
        volume_weights = detj.eval(mesh, self.owned).reshape(self.num_owned_cells, self.nq) * weights[None, :]

        self.bcs = dirichlet_conditions(self.V, tagged)
        self.regions = regions
        self.models = models
        self.points = MaterialPoints.build(
            self.cells.cell_region,
            regions,
            volume_weights,
            models,
            self.stress_free_temperatures()[: self.num_owned_cells],
        )
        self.timer = UpdateTimer()
        self.failure = ""
        self._assembled_tangent: np.ndarray | None = None
        self.dirichlet_gap = 0.0
        self._set_up_system()

    def displacement_degree(self, settings: SolverSettings) -> int:
        """Lagrange degree of the displacement: ``[solver] degree``."""
        return settings.degree

    def _set_up_system(self) -> None:
        """Residual and tangent forms, matrix, vectors and the Krylov solver (CG + GAMG)."""
        v, w = ufl.TestFunction(self.V), ufl.TrialFunction(self.V)
        eps = self.strain
        self.residual_form = dolfinx.fem.form(ufl.inner(tensor(self.sigma_q), eps(v)) * self.dx)
        self.tangent_form = dolfinx.fem.form(ufl.dot(matrix(self.tangent_q) * mandel(eps(w)), mandel(eps(v))) * self.dx)
        self.A = dolfinx.fem.petsc.create_matrix(self.tangent_form)
        self.b = dolfinx.fem.petsc.create_vector(self.V)
        self.ksp = self.new_krylov_solver()

    def new_krylov_solver(self) -> Any:
        """A fresh CG + GAMG solver for ``A`` (``[solver]`` tolerances and PETSc options), destroying the old one."""
        old = getattr(self, "ksp", None)
        if old is not None:
            old.destroy()
        s = self.settings
        return make_ksp(self.A, self.V, "inelastic_", s.rtol, s.max_iterations, dict(s.petsc_options))

    @staticmethod
    def strain(w: Any) -> Any:
        """Small-strain tensor eps(w) = sym(grad w)."""
        return ufl.sym(ufl.grad(w))

    def add_dirichlet(self, bc: Any) -> None:
        """Add a ``DirichletBC`` on ``self.V`` (or a sub-space); its values are imposed at each increment."""
        self.bcs.append(bc)
        self._assembled_tangent = None

    # what NewtonSolver and HistorySolver see of the unknowns ------------------------------------------------------
    def begin_increment(self, temperature: np.ndarray) -> None:
        """Called with the end temperatures (per owned cell, K) before an increment's first update; nothing here."""

    def unknowns(self) -> np.ndarray:
        """A copy of the unknowns' local values (here the displacement)."""
        return self.u.x.array.copy()

    def restore_unknowns(self, saved: np.ndarray) -> None:
        """Set the unknowns to values from :meth:`unknowns`."""
        self.u.x.array[:] = saved

    def step_unknowns(self, saved: np.ndarray, alpha: float) -> None:
        """Unknowns = ``saved`` + alpha * (the last Newton increment)."""
        self.u.x.array[:] = saved + alpha * self.du.x.array

    @property
    def increment(self) -> Any:
        """The PETSc vector the linear solve writes the Newton increment into."""
        return self.du.x.petsc_vec

    def distribute_increment(self) -> None:
        """After the linear solve: du = g - u at the Dirichlet dofs exactly (Krylov meets the identity rows only
        to its tolerance), ghosts updated."""
        dolfinx.fem.petsc.set_bc(self.du.x.petsc_vec, self.bcs, x0=self.u.x.petsc_vec, alpha=1.0)
        self.du.x.scatter_forward()

    def switch_to_direct(self) -> bool:
        """Replace a failed iterative solver by a direct one; False: there is no other solver to try."""
        return False

    def solution_arrays(self) -> dict[str, np.ndarray]:
        """The unknowns by name, for a checkpoint."""
        return {"u": self.u.x.array.copy()}

    def restore_solution(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of :meth:`solution_arrays` (same mesh partition)."""
        if arrays["u"].shape != self.u.x.array.shape:
            raise ValueError("the checkpoint belongs to another mesh or partition")
        self.u.x.array[:] = arrays["u"]

    @property
    def num_dofs(self) -> int:
        """Global number of displacement degrees of freedom."""
        im = self.V.dofmap.index_map
        return int(im.size_global * self.V.dofmap.index_map_bs)

    def stress_free_temperatures(self) -> np.ndarray:
        """Per local cell, its region's stress-free temperature (K): where the virgin material has no stress."""
        t_ref = np.array([r.stress_free_temperature for r in self.regions])
        return t_ref[self.cells.cell_region]

    def cell_temperatures(self, temperature: float | np.ndarray) -> np.ndarray:
        """Per owned cell temperature (K) from a uniform value or a per-local-cell (DG0 layout) array."""
        if isinstance(temperature, np.ndarray):
            if temperature.shape != (self.num_local_cells,):
                raise ValueError(
                    f"need one temperature per local cell ({self.num_local_cells}), got {temperature.shape}"
                )
            return np.asarray(temperature[: self.num_owned_cells], dtype=float)
        return np.full(self.num_owned_cells, float(temperature))

    def total_strain(self) -> np.ndarray:
        """eps(u) at every owned-cell quadrature point, Mandel (n_points, 6)."""
        t0 = time.perf_counter()
        values = self._strain_expr.eval(self.mesh, self.owned).reshape(-1, 3, 3)
        out = to_mandel(values)
        self.timer.strain += time.perf_counter() - t0
        return out

    def update_points(self, temperature_old: np.ndarray, temperature: np.ndarray, dt: float) -> bool:
        """Constitutive update at the current ``u``; fills sigma_q and C_q. False (on every rank) if a model refused."""
        strain = self.total_strain()
        t0 = time.perf_counter()
        failure = ""
        try:
            stress, tangent = self.points.update(strain, temperature_old, temperature, dt)
        except UpdateFailed as exc:
            failure = str(exc)
        failures = [f for f in self.mesh.comm.allgather(failure) if f]
        ok = not failures
        if ok:
            self.sigma_q.x.array.reshape(-1, 6)[self._blocks] = stress
            self.tangent_q.x.array.reshape(-1, 36)[self._blocks] = tangent.reshape(-1, 36)
        else:
            self.failure = failures[0]
            self.points.discard()
        self.timer.update += time.perf_counter() - t0
        return ok

    def assemble_residual(self) -> float:
        """b = -R(u) - A_{.,D} (g - u_D) on the free dofs, b_D = g - u_D; returns ||b|| over the free dofs.

        The Dirichlet values g are not written into ``u``: a changed g enters the first Newton
        iteration through the lifting term with the tangent of the converged state (the linear
        predictor spreads the boundary increment through the body, instead of a one-element
        boundary layer of huge strain that drives plastic points wrongly). :attr:`dirichlet_gap`
        holds ||g - u_D||; an increment is converged only when it is zero.
        """
        t0 = time.perf_counter()
        with self.b.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.residual_form)
        x0 = self.u.x.petsc_vec
        dolfinx.fem.petsc.apply_lifting(self.b, [self.tangent_form], bcs=[self.bcs], x0=[x0], alpha=-1.0)
        return self._finish_residual(self.bcs, x0, t0)

    def _finish_residual(self, bcs: Any, x0: Any, t0: float) -> float:
        """Sum the ghosts, negate, set b_D = g - u_D; ||b|| over the free dofs, ||g - u_D|| in dirichlet_gap."""
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self.b.scale(-1.0)
        dolfinx.fem.petsc.set_bc(self.b, bcs, x0=x0, alpha=0.0)  # free-dof norm first
        norm = float(self.b.norm())
        dolfinx.fem.petsc.set_bc(self.b, bcs, x0=x0, alpha=1.0)  # g - u there
        self.dirichlet_gap = float(np.sqrt(max(float(self.b.norm()) ** 2 - norm**2, 0.0)))
        self.timer.assemble += time.perf_counter() - t0
        return norm

    def assemble_tangent(self) -> bool:
        """Assemble the tangent matrix when C_q changed since the last assembly; True when assembled."""
        t0 = time.perf_counter()
        c = self.tangent_q.x.array
        changed = self._assembled_tangent is None or not np.array_equal(c, self._assembled_tangent)
        changed = bool(self.mesh.comm.allreduce(changed, op=MPI.LOR))
        if changed:
            for matrix_, forms in self.tangent_systems():
                matrix_.zeroEntries()
                dolfinx.fem.petsc.assemble_matrix(matrix_, forms, bcs=self.bcs)
                matrix_.assemble()
            self._assembled_tangent = c.copy()
        self.timer.assemble += time.perf_counter() - t0
        return changed

    def tangent_systems(self) -> list[tuple[Any, Any]]:
        """(matrix, form) pairs assembled with the tangent: here the tangent alone."""
        return [(self.A, self.tangent_form)]
