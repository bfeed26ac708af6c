"""Mixed displacement-pressure (u-p) form of the history solver: free of volumetric locking.

Silicone gels and elastomers (nu up to 0.4999) and molten fusible metals (the phase-change
law keeps the bulk modulus and releases the shear) are nearly incompressible; the displacement
form of :mod:`solvers.inelastic.problem` locks there. Every constitutive model here responds
elastically in volume, sigma_m = K (tr eps - eps_v0) with eps_v0 the thermal and melt
eigenstrains (plastic, creep and viscous flow are isochoric), so the mean stress of the nearly
incompressible cells can be an independent field p (P1, Taylor-Hood with the P2 displacement;
mean stress, positive in tension). With the model's stress sigma_q and tangent C_q at the
quadrature points, sigma_m,q = tr(sigma_q) / 3, K_q = (1/9) 1 : C_q : 1, and chi = 1 in the
pressure cells, 0 elsewhere (per cell, fixed during an increment), find (u, p) such that

    R_u(v) = integral [sigma_q + chi (p - sigma_m,q) I] : eps(v) dx = 0                  for all v in V_0,
    R_p(q) = s integral (chi sigma_m,q - p) / K_q q dx = 0                              for all q in Q,

i.e. dev sigma_q + (chi p + (1 - chi) sigma_m,q) I is the stress the displacement sees, and
p = sigma_m weakly in the pressure cells (p -> 0 weakly elsewhere, where it plays no role). For a
linear elastic model this is the perturbed-Lagrangian form of :mod:`solvers.mixed_thermoelastic`
(R_p = s integral (chi tr(e) - p / K) q dx); for the history models it is the mixed u-p
formulation of small-strain plasticity (Simo, Taylor & Pister 1985, "Variational and projection
methods for the volume constraint in finite deformation elasto-plasticity", CMAME 51; de Souza
Neto, Peric & Owen, "Computational Methods for Plasticity", 2008, ch. 15; Zienkiewicz & Taylor,
"The Finite Element Method", vol. 1, 6th ed., ch. 11). Newton's tangent, with dsigma_q = C_q : deps:

    dR_u = integral [C_q : eps(du) - chi/3 (1 : C_q : eps(du)) I] : eps(v) + chi dp div(v) dx,
    dR_p = s integral [chi (1 : C_q : eps(du)) / (3 K_q) - dp / K_q] q dx,

(K_q does not depend on u: the volumetric response is elastic); where the volumetric response is
isotropic, 1 : C_q = 3 K_q 1, so (1 : C_q : eps(du)) / (3 K_q) = div(du) and the tangent is
symmetric but for the row scale s. s = K_ref / h (largest bulk modulus of the model, mean cell
size) turns the p rows into forces (N) like the u rows: the Newton and Krylov residual norms
then weigh the constraint as much as equilibrium (unscaled, R_p in m^3 is 1e-10 of R_u on a mm
part). The solution does not depend on s.

chi is 1 in the cells whose material's Poisson ratio exceeds ``[solver]
incompressible_poisson_ratio`` at the increment's end temperature, and in the cells of a model
that melts (a ``solid_fraction(T)`` below 1: the phase-change law) there; 0 elsewhere (stiff
compressible parts keep their own mean stress next to a gel). The stress a converged increment
reports at the points (:attr:`MaterialPoints.stress`, output and metrics) is
dev sigma_q + (chi p + (1 - chi) sigma_m,q) I; ``sigma_q`` keeps the models' own stress.

Linear solver (``[solver] mixed_linear_solver``, :mod:`solvers.mixed_linear_solver`): MUMPS, or
GMRES with the Schur-complement field split whose pressure block is
-s integral (chi / G_q + 1 / K_q) p q dx, G_q = (tr C_q - 3 K_q) / 10 the tangent's shear modulus
(the liquid's residual shear of the phase-change law, 1e-6 G, keeps it finite; floored at
1e-12 K_q for a softening tangent). Measured GMRES iterations (rtol 1e-8): gel ring 37-43, gel
around a solid metal core 68-113, around a molten core 100-450 (floors of 1e-7..1e-5 K on G_q did
not help); a 5 kPa gel bonded to silicon (the liquid_metal_gel example) and fully enclosed bodies
exceed 1000, and the solve falls back to MUMPS, which "auto" uses up to 250k unknowns anyway.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from fem_package.case.solver import SolverSettings
from fem_package.fenics import MPI, PETSc, dolfinx, ufl
from solvers.constitutive.base import ConstitutiveModel, bulk_shear
from solvers.inelastic.mandel_ufl import mandel, matrix
from solvers.inelastic.problem import InelasticProblem
from solvers.mixed_linear_solver import mixed_ksp, mixed_num_dofs, pressure_cell_count, solver_kind
from solvers.mixed_thermoelastic import pressure_cells

SHEAR_FLOOR = 1e-12
"""Smallest shear modulus of the Schur-complement weight, relative to the bulk modulus."""


def melting(model: ConstitutiveModel, temperature: np.ndarray) -> np.ndarray:
    """True where a model that melts (one with ``solid_fraction(T)``) is not fully solid at ``temperature``."""
    fraction = getattr(model, "solid_fraction", None)
    if fraction is None:
        return np.zeros(np.shape(temperature), dtype=bool)
    return np.asarray(fraction(temperature)) < 1.0


class MixedInelasticProblem(InelasticProblem):
    """:class:`InelasticProblem` with the mean stress of the nearly incompressible cells as a P1 field ``p`` (Pa).

    The displacement is P2 whatever ``[solver] degree`` says (Taylor-Hood). Newton sees the
    unknowns (u, p) through the interface of :class:`InelasticProblem`.
    """

    def displacement_degree(self, settings: SolverSettings) -> int:
        """Taylor-Hood: quadratic displacement with the linear pressure."""
        return 2

    def _set_up_system(self) -> None:
        mesh = self.mesh
        self.Q = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
        self.p = dolfinx.fem.Function(self.Q, name="mean_stress_Pa")
        self.dp = dolfinx.fem.Function(self.Q, name="mean_stress_increment")
        self.chi = dolfinx.fem.Function(dolfinx.fem.functionspace(mesh, ("DG", 0)), name="pressure_cells")
        self.row_scale = self._row_scale()
        s = dolfinx.fem.Constant(mesh, self.row_scale)

        v, q = ufl.TestFunction(self.V), ufl.TestFunction(self.Q)
        du, dp = ufl.TrialFunction(self.V), ufl.TrialFunction(self.Q)
        one = ufl.as_vector([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
        c = matrix(self.tangent_q)
        sigma, chi, dx = self.sigma_q, self.chi, self.dx
        mean = ufl.dot(one, sigma) / 3.0  # sigma_m,q
        bulk = ufl.dot(one, c * one) / 9.0  # K_q
        shear = ufl.max_value((ufl.tr(c) - 3.0 * bulk) / 10.0, SHEAR_FLOOR * bulk)  # G_q
        e_v, e_du = mandel(self.strain(v)), mandel(self.strain(du))
        volumetric = ufl.dot(one, c * e_du)  # 1 : C_q : eps(du)

        r_u = ufl.dot(sigma + chi * (self.p - mean) * one, e_v) * dx
        r_p = s * (chi * mean - self.p) / bulk * q * dx
        j_uu = ufl.dot(c * e_du - chi / 3.0 * volumetric * one, e_v) * dx
        j_up = chi * dp * ufl.div(v) * dx
        j_pu = s * chi * volumetric / (3.0 * bulk) * q * dx
        j_pp = -s * dp * q / bulk * dx
        schur = -s * (chi / shear + 1.0 / bulk) * dp * q * dx
        self.residual_form = dolfinx.fem.form(r_u)  # the internal forces (reactions)
        self.residual_forms = dolfinx.fem.form([r_u, r_p])
        self.tangent_forms = dolfinx.fem.form([[j_uu, j_up], [j_pu, j_pp]])
        self.preconditioner_forms = dolfinx.fem.form([[j_uu, j_up], [j_pu, schur]])
        self._p_expr = dolfinx.fem.Expression(self.p, self.quadrature_points)

        self.A = dolfinx.fem.petsc.create_matrix(self.tangent_forms)
        self.b = dolfinx.fem.petsc.create_vector([self.V, self.Q])
        self.dx_vec = dolfinx.fem.petsc.create_vector([self.V, self.Q])
        self.x_vec = dolfinx.fem.petsc.create_vector([self.V, self.Q])
        self.linear_solver = solver_kind(self.settings.mixed_linear_solver, self.num_dofs)
        fieldsplit = self.linear_solver == "fieldsplit"
        self.P = dolfinx.fem.petsc.create_matrix(self.preconditioner_forms) if fieldsplit else None
        self.ksp = self.new_krylov_solver()

    def new_krylov_solver(self) -> Any:
        """A fresh solver of the current kind (field split or MUMPS) for ``A``, destroying the old one."""
        old = getattr(self, "ksp", None)
        if old is not None:
            old.destroy()
        return mixed_ksp(self.linear_solver, self.A, self.P, self.V, self.Q, self.settings, "mixed_inelastic")

    def _row_scale(self) -> float:
        """s = K_ref / h: the largest bulk modulus at the stress-free temperatures over the mean cell size (Pa/m)."""
        k_ref = max(float(bulk_shear(r.material, np.array([r.stress_free_temperature]))[0][0]) for r in self.regions)
        comm = self.mesh.comm
        volume = comm.allreduce(float(self.points.volume_weights.sum()))
        cells = comm.allreduce(self.num_owned_cells)
        return k_ref / (volume / cells) ** (1.0 / 3.0)

    @property
    def num_dofs(self) -> int:
        """Global number of unknowns, displacement and mean stress."""
        return mixed_num_dofs(self.V, self.Q)

    @property
    def num_pressure_cells(self) -> int:
        """Global number of cells whose mean stress is the field p (chi = 1) in the last increment."""
        return pressure_cell_count(self.chi, self.num_owned_cells, self.mesh.comm)

    def pressure_cells(self, temperature: np.ndarray) -> np.ndarray:
        """chi per owned cell at ``temperature`` (per owned cell, K): nearly incompressible or melting."""
        chi = np.zeros(self.num_owned_cells)
        for g in self.points.groups:
            t = temperature[g.cells]
            nu = g.region.material["poisson_ratio"].at(t)
            chi[g.cells] = np.maximum(
                pressure_cells(nu, self.settings.incompressible_poisson_ratio), melting(g.model, t)
            )
        return chi

    # the interface NewtonSolver and HistorySolver use --------------------------------------------------------------
    def begin_increment(self, temperature: np.ndarray) -> None:
        """Pick the pressure cells at the increment's end temperature; a change forces a new tangent."""
        n = self.num_owned_cells
        chi = self.pressure_cells(temperature)
        changed = not np.array_equal(chi, self.chi.x.array[:n])
        self.chi.x.array[:n] = chi
        self.chi.x.scatter_forward()
        if self.mesh.comm.allreduce(changed, op=MPI.LOR):
            self._assembled_tangent = None

    def unknowns(self) -> np.ndarray:
        return np.concatenate([self.u.x.array, self.p.x.array])

    def restore_unknowns(self, saved: np.ndarray) -> None:
        n = self.u.x.array.size
        self.u.x.array[:] = saved[:n]
        self.p.x.array[:] = saved[n:]

    def step_unknowns(self, saved: np.ndarray, alpha: float) -> None:
        n = self.u.x.array.size
        self.u.x.array[:] = saved[:n] + alpha * self.du.x.array
        self.p.x.array[:] = saved[n:] + alpha * self.dp.x.array

    @property
    def increment(self) -> Any:
        return self.dx_vec

    def distribute_increment(self) -> None:
        """(du, dp) from the block solution; du = g - u at the Dirichlet dofs exactly."""
        self.dx_vec.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        dolfinx.fem.petsc.assign(self.dx_vec, [self.du, self.dp])
        for bc in self.bcs:
            bc.set(self.du.x.array, self.u.x.array, 1.0)
        self.du.x.scatter_forward()
        self.dp.x.scatter_forward()

    def switch_to_direct(self) -> bool:
        """The field split failed: MUMPS from now on (True), or nothing left to try (False)."""
        if self.linear_solver != "fieldsplit":
            return False
        self.linear_solver = "direct"
        self.ksp = self.new_krylov_solver()
        return True

    def solution_arrays(self) -> dict[str, np.ndarray]:
        return {"u": self.u.x.array.copy(), "p": self.p.x.array.copy()}

    def restore_solution(self, arrays: dict[str, np.ndarray]) -> None:
        super().restore_solution(arrays)
        if "p" not in arrays or arrays["p"].shape != self.p.x.array.shape:
            raise ValueError("the checkpoint has no mean-stress field of this mesh (not a mixed run)")
        self.p.x.array[:] = arrays["p"]

    # residual and tangent ------------------------------------------------------------------------------------------
    def update_points(self, temperature_old: np.ndarray, temperature: np.ndarray, dt: float) -> bool:
        """The models' update at the current u (into sigma_q, C_q); the points' reported stress takes p's mean."""
        if not super().update_points(temperature_old, temperature, dt):
            return False
        t0 = time.perf_counter()
        nq = self.nq
        p_q = self._p_expr.eval(self.mesh, self.owned).reshape(-1)
        chi_q = np.repeat(self.chi.x.array[: self.num_owned_cells], nq)
        stress = self.points.stress
        shift = chi_q * (p_q - stress[:, :3].sum(axis=1) / 3.0)
        stress[:, :3] += shift[:, None]
        self.timer.update += time.perf_counter() - t0
        return True

    def assemble_residual(self) -> float:
        """b = -R(u, p) - J_{., D} (g - u_D) on the free dofs, b_D = g - u_D; ||b|| over the free dofs.

        As :meth:`InelasticProblem.assemble_residual`, with the block residual (R_u, R_p).
        """
        t0 = time.perf_counter()
        dolfinx.fem.petsc.assign([self.u, self.p], self.x_vec)
        with self.b.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.residual_forms)
        bcs1 = dolfinx.fem.bcs_by_block(dolfinx.fem.extract_function_spaces(self.tangent_forms, 1), self.bcs)
        dolfinx.fem.petsc.apply_lifting(self.b, self.tangent_forms, bcs=bcs1, x0=self.x_vec, alpha=-1.0)
        bcs0 = dolfinx.fem.bcs_by_block(dolfinx.fem.extract_function_spaces(self.residual_forms), self.bcs)
        return self._finish_residual(bcs0, self.x_vec, t0)

    def tangent_systems(self) -> list[tuple[Any, Any]]:
        """The block tangent, and the field split's preconditioning matrix (when C_q or chi changed)."""
        systems = [(self.A, self.tangent_forms)]
        if self.linear_solver == "fieldsplit":
            systems.append((self.P, self.preconditioner_forms))
        return systems
