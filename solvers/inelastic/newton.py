"""Newton's method with a backtracking line search for one load increment t_n -> t_n+1.

Iteration k: with sigma_q, C_q from the constitutive update at u_k,

    solve  a_k(du, v) = -R(u_k; v),  du = g - u_k on the Dirichlet boundary
           (CG + GAMG with the rigid-body near-nullspace; the boundary increment is lifted with
           the tangent, so a changed prescribed displacement enters as a linear predictor),
    u_k+1 = u_k + alpha du,  alpha = 1, 1/2, 1/4, ... until ||R(u_k+1)|| <= (1 - c alpha) ||R(u_k)||

(Armijo-type sufficient decrease of the residual norm, c = 1e-4; Dennis & Schnabel 1996,
"Numerical Methods for Unconstrained Optimization and Nonlinear Equations", sec. 6.3).
Converged when u_k = g on the Dirichlet boundary and

    ||R_k|| <= max(rtol * max(||R_0||, F_ref), atol)     or     ||alpha du|| <= increment_tol ||u_k+1||,

with F_ref the largest initial residual of the run so far (a dwell with a tiny creep increment
then converges on the scale of the thermal load, not on its own). The multigrid hierarchy is
kept across iterations and increments until CG needs more than twice the iterations it needed
right after a rebuild. Nothing is committed here: the caller commits the material points when
:meth:`NewtonSolver.solve` returns, or restores the unknowns when it raises :class:`NotConverged`.

The same iteration solves the mixed u-p problem (:mod:`solvers.inelastic.mixed_problem`): its
unknowns are (u, p), its residual and tangent the block ones, its linear solver GMRES with a
Schur-complement field split or MUMPS (a failed field split is replaced by MUMPS for the rest of
the run); the increment criterion looks at the displacement.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from fem_package.case.inelastic import NewtonSettings
from solvers.inelastic.problem import InelasticProblem
from solvers.linear_solver import converged_reason

ARMIJO = 1e-4
MAX_BACKTRACKS = 6
EW_MAX = 1e-2
"""Loosest relative Krylov tolerance of a Newton iteration (Eisenstat-Walker forcing)."""
STALL_WINDOW, STALL_FACTOR = 3, 0.5
"""An increment whose residual has not halved over the last 3 iterations is cut at once."""
DIRICHLET_RTOL = 1e-12
"""Largest ||g - u_D|| / ||u|| of a converged increment (the prescribed values are met to round-off)."""


class NotConverged(RuntimeError):
    """Newton did not converge (iteration limit, model refused, linear solver failed)."""


@dataclass
class NewtonStats:
    """Statistics of one converged increment."""

    iterations: int
    residuals: list[float]
    krylov_iterations: list[int]
    line_search_steps: list[float]
    update_seconds: float
    assemble_seconds: float
    solve_seconds: float
    total_seconds: float
    preconditioner_rebuilds: int = 0
    cuts: int = 0
    substeps: int = 1

    def as_dict(self) -> dict[str, object]:
        return {
            "iterations": self.iterations,
            "residuals": self.residuals,
            "krylov_iterations": self.krylov_iterations,
            "line_search": self.line_search_steps,
            "update_s": self.update_seconds,
            "assemble_s": self.assemble_seconds,
            "solve_s": self.solve_seconds,
            "total_s": self.total_seconds,
            "preconditioner_rebuilds": self.preconditioner_rebuilds,
            "cuts": self.cuts,
            "substeps": self.substeps,
        }


@dataclass
class NewtonSolver:
    """Solves one increment of an :class:`InelasticProblem` (displacement or mixed u-p: the problem says what the
    unknowns are, :class:`solvers.inelastic.mixed_problem.MixedInelasticProblem`)."""

    problem: InelasticProblem
    settings: NewtonSettings
    reference_residual: float = 0.0
    history: list[NewtonStats] = field(default_factory=list)
    _fresh_rate: float | None = None

    def solve(self, temperature_old: np.ndarray, temperature: np.ndarray, dt: float) -> NewtonStats:
        """Equilibrium at t_n+1 = t_n + dt, temperatures per owned cell; ``u`` holds the start guess."""
        p, s = self.problem, self.settings
        timer = p.timer
        t_start = time.perf_counter()
        before = (timer.strain + timer.update, timer.assemble, timer.solve)
        p.begin_increment(temperature)
        if not p.update_points(temperature_old, temperature, dt):
            raise NotConverged(f"at the start of the increment: {p.failure}")
        r0 = p.assemble_residual()
        self.reference_residual = max(self.reference_residual, r0)
        tol = max(s.residual_rtol * self.reference_residual, s.residual_atol)
        residuals, krylov, alphas, rebuilds = [r0], [], [], 0
        r = r0
        it = 0
        eta = EW_MAX
        while r > tol or not self._dirichlet_met():
            if it >= s.max_iterations:
                raise NotConverged(f"{it} iterations, residual {r:.3e} > {tol:.3e} (started at {r0:.3e})")
            it += 1
            p.assemble_tangent()
            eta = self._forcing(residuals, eta, tol)
            its, rebuilt = self._linear_solve(eta)
            krylov.append(its)
            rebuilds += rebuilt
            x0 = p.unknowns()
            alpha, r_new = 1.0, np.inf
            for _ in range(MAX_BACKTRACKS + 1):
                p.step_unknowns(x0, alpha)
                ok = p.update_points(temperature_old, temperature, dt)
                r_new = p.assemble_residual() if ok else np.inf
                if not s.line_search or r_new <= (1.0 - ARMIJO * alpha) * r:
                    break
                alpha *= 0.5
            if not np.isfinite(r_new):
                p.restore_unknowns(x0)
                raise NotConverged(f"iteration {it}: {p.failure}")
            alphas.append(alpha)
            residuals.append(r_new)
            r = r_new
            du_norm = alpha * float(p.du.x.petsc_vec.norm())
            u_norm = float(p.u.x.petsc_vec.norm())
            if self._dirichlet_met() and (r <= tol or du_norm <= s.increment_tol * u_norm):
                break
            if len(residuals) > STALL_WINDOW and r > STALL_FACTOR * residuals[-1 - STALL_WINDOW]:
                raise NotConverged(
                    f"stagnated at iteration {it}: residual {r:.3e} > {STALL_FACTOR:g} x the residual "
                    f"{STALL_WINDOW} iterations before ({residuals[-1 - STALL_WINDOW]:.3e}); tolerance {tol:.3e}"
                )
        update = timer.strain + timer.update - before[0]
        stats = NewtonStats(
            iterations=it,
            residuals=residuals,
            krylov_iterations=krylov,
            line_search_steps=alphas,
            update_seconds=update,
            assemble_seconds=timer.assemble - before[1],
            solve_seconds=timer.solve - before[2],
            total_seconds=time.perf_counter() - t_start,
            preconditioner_rebuilds=rebuilds,
        )
        return stats

    def forget_preconditioner(self) -> None:
        """Rebuild the multigrid hierarchy at the next linear solve (and restart the reuse heuristic).

        Called after every checkpoint: a resumed run starts with a fresh hierarchy, so the
        uninterrupted run must too, or the two take different inexact Krylov solves from there.
        The Krylov solver is replaced by a new one: an old one carries state a resumed run's new
        one does not have (measured: a reset solver still left 9e-9 relative between the two).
        """
        self._fresh_rate = None
        self.problem.ksp = self.problem.new_krylov_solver()

    def _dirichlet_met(self) -> bool:
        """True when u takes the prescribed values g at the Dirichlet dofs (to round-off)."""
        p = self.problem
        return p.dirichlet_gap <= DIRICHLET_RTOL * max(float(p.u.x.petsc_vec.norm()), 1e-300)

    def _forcing(self, residuals: list[float], eta_old: float, tol: float) -> float:
        """Relative Krylov tolerance of the next linear solve (Eisenstat & Walker 1996, choice 2).

        eta_k = 0.9 (r_k / r_k-1)^2, safeguarded by 0.9 eta_k-1^2 when that exceeds 0.1, capped at
        EW_MAX, and never tighter than needed to reach the Newton tolerance (0.5 tol / r_k) nor than
        ``krylov_rtol``. With ``krylov_forcing = false`` always ``krylov_rtol``: the Newton residual test sets
        the accuracy, and a Krylov solve far below it is wasted (default case, cool-down and one cycle:
        1e-6 instead of 1e-8 took 24 % fewer Krylov iterations, the same Newton iterations, and moved the
        solder's dissipation by 0.15 %, within the Newton tolerance's effect).
        """
        floor = self.settings.krylov_rtol
        if not self.settings.krylov_forcing:
            return floor
        r = residuals[-1]
        if len(residuals) == 1:
            eta = EW_MAX
        else:
            eta = 0.9 * (r / residuals[-2]) ** 2
            if 0.9 * eta_old**2 > 0.1:
                eta = max(eta, 0.9 * eta_old**2)
        eta = min(eta, EW_MAX)
        eta = max(eta, 0.5 * tol / r if r > 0 else floor)
        return max(min(eta, EW_MAX), floor)

    def _linear_solve(self, eta: float) -> tuple[int, int]:
        """Solve A du = b to relative tolerance ``eta``; (Krylov iterations, 1 if the preconditioner was rebuilt)."""
        p = self.problem
        t0 = time.perf_counter()
        p.ksp.setTolerances(rtol=eta)
        pc = p.ksp.getPC()
        # a direct solve (preonly) with a kept factorization would solve with the old tangent: never keep it
        direct = p.ksp.getType() == "preonly"
        rebuild = self._fresh_rate is None or not p.settings.reuse_preconditioner or direct
        pc.setReusePreconditioner(not rebuild)
        p.ksp.solve(p.b, p.increment)
        its = p.ksp.getIterationNumber()
        # iterations per decade of residual reduction: comparable across the varying tolerances eta
        decades = max(-np.log10(eta), 1.0)
        stale = p.ksp.getConvergedReason() < 0 or its > 2 * decades * max(self._fresh_rate or 0.0, 5.0 / 8.0)
        if not rebuild and stale:
            pc.setReusePreconditioner(False)
            p.ksp.solve(p.b, p.increment)
            its, rebuild = p.ksp.getIterationNumber(), True
        if p.ksp.getConvergedReason() < 0 and p.switch_to_direct():  # a mixed problem's fieldsplit failed
            p.ksp.solve(p.b, p.increment)
            its, rebuild = p.ksp.getIterationNumber(), True
        if rebuild and its > 0:
            self._fresh_rate = its / decades
        p.distribute_increment()
        p.timer.solve += time.perf_counter() - t0
        if p.ksp.getConvergedReason() < 0:
            raise NotConverged(f"linear solver: {converged_reason(p.ksp)} after {its} iterations")
        return its, int(rebuild)
