"""Quasi-static linear thermo-elasticity in mixed displacement-pressure (u-p) form, free of volumetric locking.

As nu -> 1/2 (silicone gels, elastomers, molten fusible metals that keep their bulk modulus
but lose their shear stiffness) the displacement-only formulation of
:mod:`solvers.thermoelastic` locks: the discrete displacement cannot satisfy the near
incompressibility constraint and comes out far too stiff, with oscillating mean stress.
Here the mean stress of the nearly incompressible cells is an independent field p
(sign convention: p = K tr(eps(u) - eps_th), the mean stress, positive in tension).
Find u in V (vector P2) with the symmetry and support conditions and p in Q (P1) such that

    integral [2 mu dev(e) + (1 - chi) K tr(e) I] : eps(v) + chi p div(v) dx = 0   for all v in V_0,
    integral [chi tr(e) - p / K] q dx = 0                                       for all q in Q,
    e = eps(u) - eps_th,   sigma = 2 mu dev(e) + (chi p + (1 - chi) K tr(e)) I,

(perturbed Lagrangian; Zienkiewicz & Taylor, "The Finite Element Method", vol. 1, 6th ed.,
sec. 11.3). chi is 1 in the cells whose material's Poisson ratio exceeds
``[solver] incompressible_poisson_ratio`` at the step temperature and 0 elsewhere (0 there
gives the displacement formulation: stiff, compressible parts such as silicon keep their own
mean stress next to a gel, which a pressure continuous across the interface would smear).
P2-P1 (Taylor-Hood) satisfies the inf-sup condition on tetrahedra (Boffi, Brezzi & Fortin,
"Mixed Finite Element Methods and Applications", 2013, sec. 8.8), so the error bounds hold
uniformly as K/mu -> infinity, 1/K = 0 included. The UFL residual is
:func:`solvers.mixed_forms.mixed_residuals`.

Linear solver (``[solver] mixed_linear_solver``): a Schur-complement field split with GMRES or a
MUMPS LU factorization (:mod:`solvers.mixed_linear_solver`); the preconditioning matrix here has
the Schur complement replaced by -integral (chi / mu + 1 / K) p q dx. When the iterative solver
fails, the step is solved again with MUMPS and the later steps keep it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from fem_package.case.solver import SolverSettings
from fem_package.fenics import PETSc, dolfinx, ufl
from fem_package.tagged_mesh import TaggedMesh
from solvers.linear_solver import converged_reason
from solvers.material_fields import RegionMaterial
from solvers.mixed_forms import mixed_residuals, mixed_stress
from solvers.mixed_linear_solver import mixed_ksp, mixed_num_dofs, pressure_cell_count, solver_kind
from solvers.thermoelastic import (
    CellwiseStepProblem,
    SolveTimings,
    StepStats,
    dirichlet_conditions,
)


def pressure_cells(poisson_ratio: np.ndarray, threshold: float) -> np.ndarray:
    """chi per cell: 1.0 where the Poisson ratio exceeds ``threshold`` (mean stress from p), else 0.0."""
    return (np.asarray(poisson_ratio) > threshold).astype(float)


class MixedThermoelasticProblem(CellwiseStepProblem):
    """Set-up once, then ``solve(temperature)`` per load step; the interface of ``ThermoelasticProblem``.

    ``u`` is the displacement (P2) on ``V`` and ``p`` the mean-stress field (P1, Pa); further
    Dirichlet conditions on ``V`` come with :meth:`add_dirichlet`.
    """

    def __init__(self, tagged: TaggedMesh, regions: list[RegionMaterial], settings: SolverSettings):
        t0 = time.perf_counter()
        mesh = self._set_up_cells(tagged, regions, settings)

        self.V = dolfinx.fem.functionspace(mesh, ("Lagrange", 2, (3,)))
        self.Q = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
        D = dolfinx.fem.functionspace(mesh, ("DG", 0))
        self.mu = dolfinx.fem.Function(D, name="mu")
        self.inverse_bulk = dolfinx.fem.Function(D, name="inverse_bulk_modulus")
        self.bulk_in_displacement = dolfinx.fem.Function(D, name="bulk_modulus_in_displacement")
        self.chi = dolfinx.fem.Function(D, name="pressure_cells")
        self.eps_th_diag = dolfinx.fem.Function(dolfinx.fem.functionspace(mesh, ("DG", 0, (3,))), name="thermal_strain")
        self.eps_th = ufl.diag(self.eps_th_diag)
        self.u = dolfinx.fem.Function(self.V, name="displacement")
        self.p = dolfinx.fem.Function(self.Q, name="mean_stress_Pa")

        W = ufl.MixedFunctionSpace(self.V, self.Q)
        u, p = ufl.TrialFunctions(W)
        v, q = ufl.TestFunctions(W)
        f_u, f_p = mixed_residuals(
            u, p, v, q, self.mu, self.inverse_bulk, self.eps_th, self.chi, self.bulk_in_displacement
        )
        self.a = dolfinx.fem.form(ufl.extract_blocks(ufl.lhs(f_u + f_p)))
        self.L = dolfinx.fem.form(ufl.extract_blocks(ufl.rhs(f_u + f_p)))
        # Preconditioner: the same blocks with the Schur complement replaced by the weighted mass matrix.
        schur = -(self.chi / self.mu + self.inverse_bulk) * p * q * ufl.dx
        blocks = ufl.extract_blocks(ufl.lhs(f_u + f_p))
        self.a_pc = dolfinx.fem.form([[blocks[0][0], blocks[0][1]], [blocks[1][0], schur]])

        self.bcs = dirichlet_conditions(self.V, tagged)
        self.A = dolfinx.fem.petsc.create_matrix(self.a)
        self.P = dolfinx.fem.petsc.create_matrix(self.a_pc)
        self.b = dolfinx.fem.petsc.create_vector([self.V, self.Q])
        self.x = dolfinx.fem.petsc.create_vector([self.V, self.Q])
        self.linear_solver = solver_kind(settings.mixed_linear_solver, self.num_dofs)
        self.ksp = self._make_ksp(self.linear_solver)
        self._moduli_key: tuple[float, ...] | None = None
        self._first_iterations: int | None = None
        self._last_temperature: float | np.ndarray | None = None
        self.timings = SolveTimings(setup=time.perf_counter() - t0)

    def _make_ksp(self, kind: str) -> Any:
        """KSP for the block system: ``fieldsplit`` (iterative) or ``direct`` (MUMPS)."""
        return mixed_ksp(kind, self.A, self.P, self.V, self.Q, self.settings)

    def stress(self) -> Any:
        """UFL stress of the current solution, sigma = 2 mu dev(e) + (chi p + (1 - chi) K tr(e)) I."""
        return mixed_stress(self.mu, self.p, self.mechanical_strain(), self.chi, self.bulk_in_displacement)

    def mechanical_strain(self) -> Any:
        """UFL mechanical (total minus thermal) strain of the current solution."""
        return self.strain(self.u) - self.eps_th

    @property
    def num_dofs(self) -> int:
        """Global number of degrees of freedom, displacement and pressure."""
        return mixed_num_dofs(self.V, self.Q)

    @property
    def num_pressure_cells(self) -> int:
        """Global number of cells whose mean stress is the pressure field (chi = 1) at the last step."""
        return pressure_cell_count(self.chi, self.num_owned_cells, self.mesh.comm)

    def _set_properties(self, temperature: float | np.ndarray) -> None:
        lam, mu, eps = self.cells.at(temperature)
        bulk = lam + 2.0 * mu / 3.0
        nu = lam / (2.0 * (lam + mu))
        chi = pressure_cells(nu, self.settings.incompressible_poisson_ratio)
        self.mu.x.array[:] = mu
        self.inverse_bulk.x.array[:] = 1.0 / bulk
        self.chi.x.array[:] = chi
        self.bulk_in_displacement.x.array[:] = (1.0 - chi) * bulk
        self.eps_th_diag.x.array[:] = eps.ravel()

    def _assemble_matrices(self) -> None:
        for M, form in ((self.A, self.a), (self.P, self.a_pc)):
            M.zeroEntries()
            dolfinx.fem.petsc.assemble_matrix(M, form, bcs=self.bcs)
            M.assemble()

    def _assemble_rhs(self) -> None:
        with self.b.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.L)
        bcs1 = dolfinx.fem.bcs_by_block(dolfinx.fem.extract_function_spaces(self.a, 1), self.bcs)
        dolfinx.fem.petsc.apply_lifting(self.b, self.a, bcs=bcs1)
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        bcs0 = dolfinx.fem.bcs_by_block(dolfinx.fem.extract_function_spaces(self.L), self.bcs)
        dolfinx.fem.petsc.set_bc(self.b, bcs0)

    def _switch_to_direct(self) -> None:
        self.ksp.destroy()
        self.linear_solver = "direct"
        self.ksp = self._make_ksp("direct")

    def solve(self, temperature: float | np.ndarray) -> StepStats:
        """Solve the step at uniform ``temperature`` (K) or per-cell temperatures; the solution is in ``u``, ``p``.

        A step at the previous step's temperature keeps the solution. The matrices are
        re-assembled only when the moduli changed; the iterative solver keeps its preconditioner
        (``reuse_preconditioner``) until it needs more than twice its first iteration count,
        the direct solver refactors whenever the matrix changed.
        """
        t0 = time.perf_counter()
        reassemble = self._start_step(temperature)
        if reassemble is None:  # same temperature as the last step: the solution is kept
            return self.timings.steps[-1]
        if reassemble:
            self._assemble_matrices()
        self._assemble_rhs()
        t1 = time.perf_counter()
        iterative = self.linear_solver == "fieldsplit"
        rebuild = (
            self._first_iterations is None or not self.settings.reuse_preconditioner or (reassemble and not iterative)
        )
        self.ksp.getPC().setReusePreconditioner(not rebuild)
        self.ksp.solve(self.b, self.x)
        its = self.ksp.getIterationNumber()
        stale = self.ksp.getConvergedReason() < 0 or its > 2 * max(self._first_iterations or 0, 5)
        if iterative and not rebuild and stale:
            self.ksp.getPC().setReusePreconditioner(False)
            self.ksp.solve(self.b, self.x)
            its, rebuild = self.ksp.getIterationNumber(), True
        reason = converged_reason(self.ksp)
        if iterative and self.ksp.getConvergedReason() < 0:
            failed = f"{reason} after {its} fieldsplit iterations"
            self._switch_to_direct()
            self.ksp.solve(self.b, self.x)
            its, rebuild, reason = (
                self.ksp.getIterationNumber(),
                True,
                f"{converged_reason(self.ksp)} (direct; {failed})",
            )
        if rebuild and its > 0:
            self._first_iterations = its
        self.x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        dolfinx.fem.petsc.assign(self.x, [self.u, self.p])
        self.u.x.scatter_forward()
        self.p.x.scatter_forward()
        return self._finish_step(
            temperature, its, reason, t0, t1, reassemble, rebuild, formulation=" (mixed u-p formulation)"
        )
