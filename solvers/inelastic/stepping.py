"""Time stepping with history: load steps -> increments -> Newton, with adaptive step cutting.

:meth:`HistorySolver.solve_step` takes the solution from its last converged time to the next
load step (t, T). The increments come from :func:`solvers.inelastic.increments.subdivide`.
An increment whose Newton iteration fails (iteration limit, a model refusing the increment,
a failed linear solve) is cut in half: the unknowns (displacement, and the mean stress of a
mixed problem) are restored to the last converged ones (the material points were not
committed) and the half is retried; after two converged sub-increments in a row the size
doubles again, never beyond the planned increment. Below the minimum step (``min_step``
seconds, or 2^-10 of an increment without time, the initial load from the stress-free state)
the run stops with :class:`StepFailure` naming the time and temperature.

The very first step loads the virgin material from its stress-free temperature (each
region's own) to the first load temperature. Where these differ (an underfill cured at 165 C in
a stack assembled at 25 C) the change is a ramp over ``[solver.inelastic] assembly_cooldown``
seconds ending at the first load step's time, so rate-dependent materials relax while the
mismatch builds up, as they do in the oven's cool-down. Applied at constant time (dt = 0,
cooldown 0) it is an elastic jump that leaves solder far above its saturation stress, and the
first increment of the first ramp then has to relax all of it (measured on the default case:
7 cuts and 12 Newton iterations in that increment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fem_package.case.inelastic import InelasticSettings
from solvers.constitutive.phase_change import PhaseChange
from solvers.inelastic.increments import Temperature, equal_temperatures, ramp_direction, subdivide
from solvers.inelastic.newton import NewtonSolver, NewtonStats, NotConverged
from solvers.inelastic.problem import InelasticProblem

MIN_FRACTION_WITHOUT_TIME = 2.0**-10
"""Smallest fraction of a time-less increment (the initial load) a cut may reach."""


class StepFailure(RuntimeError):
    """The increment could not be solved even at the minimum step."""


def describe_temperature(t: np.ndarray) -> str:
    """'398.15 K (125.0 C)' or the range of per-cell temperatures."""
    lo, hi = float(np.min(t)), float(np.max(t))
    if hi - lo < 1e-9:
        return f"{lo:.2f} K ({lo - 273.15:.1f} C)"
    return f"{lo:.2f}..{hi:.2f} K ({lo - 273.15:.1f}..{hi - 273.15:.1f} C, per cell)"


@dataclass
class StepResult:
    """Newton statistics of the increments of one load step."""

    increments: list[NewtonStats] = field(default_factory=list)
    cuts: int = 0

    @property
    def iterations(self) -> int:
        return sum(s.iterations for s in self.increments)

    def as_dict(self) -> dict[str, Any]:
        its = [s.iterations for s in self.increments]
        return {
            "increments": len(self.increments),
            "cuts": self.cuts,
            "newton_iterations": its,
            "max_newton_iterations": max(its, default=0),
            "krylov_iterations": sum(sum(s.krylov_iterations) for s in self.increments),
            "preconditioner_rebuilds": sum(s.preconditioner_rebuilds for s in self.increments),
            "residuals": [s.residuals for s in self.increments],
            "update_s": sum(s.update_seconds for s in self.increments),
            "assemble_s": sum(s.assemble_seconds for s in self.increments),
            "solve_s": sum(s.solve_seconds for s in self.increments),
            "total_s": sum(s.total_seconds for s in self.increments),
        }


class HistorySolver:
    """The converged state (time, temperature, u, material points) and how to advance it."""

    def __init__(self, problem: InelasticProblem, settings: InelasticSettings):
        self.problem = problem
        self.settings = settings
        self.newton = NewtonSolver(problem, settings.newton)
        self.time: float | None = None
        self.temperature = problem.stress_free_temperatures()[: problem.num_owned_cells].copy()
        self.phase_ranges = phase_change_ranges(problem)
        self.direction: int | None = None
        """:func:`ramp_direction` of the last load step (None before the first): decides a ramp's graded start."""

    def solve_step(self, time: float, temperature: Temperature) -> StepResult:
        """Advance from the last converged state to ``time`` at ``temperature`` (uniform or per local cell)."""
        target = self.problem.cell_temperatures(temperature)
        comm = self.problem.mesh.comm
        t0 = time if self.time is None else self.time
        cooldown = self.settings.assembly_cooldown
        if self.time is None and cooldown > 0 and not equal_temperatures(self.temperature, target, comm):
            t0 = time - cooldown
        plan = subdivide(t0, self.temperature, time, target, self.settings, self.phase_ranges, comm, self.direction)
        self.direction = ramp_direction(self.temperature, target, comm)
        # the virgin state's time is the start of the cool-down: its first increment has dt > 0
        self.time = t0
        result = StepResult()
        for t1, temp1 in plan:
            self._advance(t0, t1, np.asarray(temp1, dtype=float), result)
            t0 = t1
        self.time = time
        return result

    def _advance(self, t0: float, t1: float, temp1: np.ndarray, result: StepResult) -> None:
        """From the converged (t0 = self.time, self.temperature) to (t1, temp1), cutting on failure."""
        temp0 = self.temperature
        dt = t1 - t0
        min_fraction = self.settings.newton.min_step / dt if dt > 0 else MIN_FRACTION_WITHOUT_TIME
        s, ds, streak = 0.0, 1.0, 0
        p = self.problem
        while s < 1.0 - 1e-12:
            ds = min(ds, 1.0 - s)
            ta, tb = t0 + s * dt, t0 + (s + ds) * dt
            temp_a, temp_b = temp0 + s * (temp1 - temp0), temp0 + (s + ds) * (temp1 - temp0)
            x_converged = p.unknowns()
            try:
                stats = self.newton.solve(temp_a, temp_b, tb - ta)
            except NotConverged as exc:
                p.restore_unknowns(x_converged)
                p.points.discard()
                result.cuts += 1
                ds *= 0.5
                streak = 0
                if ds < min_fraction * (1.0 - 1e-9):
                    raise StepFailure(
                        f"Newton did not converge at t = {tb:.6g} s, T = {describe_temperature(temp_b)} "
                        f"(increment from t = {ta:.6g} s) even after cutting the step below the minimum "
                        f"[solver.inelastic.newton] min_step = {self.settings.newton.min_step:g} s: {exc}"
                    ) from None
                continue
            p.points.commit()
            stats.cuts = result.cuts
            result.increments.append(stats)
            s += ds
            self.time, self.temperature = t0 + s * dt if s < 1.0 - 1e-12 else t1, temp_b
            streak += 1
            if streak >= 2 and ds < 1.0:
                ds, streak = 2.0 * ds, 0
        self.time, self.temperature = t1, temp1

    # checkpoint --------------------------------------------------------------------------------------------------
    def state_arrays(self) -> dict[str, np.ndarray]:
        """Everything that defines the converged state on this rank, for a checkpoint."""
        pts = self.problem.points
        out = {
            **self.problem.solution_arrays(),
            "temperature": self.temperature.copy(),
            "time": np.array([np.nan if self.time is None else self.time]),
            "reference_residual": np.array([self.newton.reference_residual]),
            "ramp_direction": np.array([np.nan if self.direction is None else self.direction]),
            "inelastic_strain": pts.committed.inelastic_strain,
            "equivalent_inelastic_strain": pts.committed.equivalent_inelastic_strain,
            "dissipation": pts.committed.dissipation,
        }
        for i, g in enumerate(pts.groups):
            out[f"state_{i}"] = g.state
        return out

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of :meth:`state_arrays` (same mesh partition)."""
        p, pts = self.problem, self.problem.points
        if arrays["dissipation"].shape != pts.committed.dissipation.shape:
            raise ValueError("the checkpoint belongs to another mesh or partition")
        p.restore_solution(arrays)
        self.temperature = arrays["temperature"].copy()
        t = float(arrays["time"][0])
        self.time = None if np.isnan(t) else t
        self.newton.reference_residual = float(arrays["reference_residual"][0])
        direction = float(arrays["ramp_direction"][0]) if "ramp_direction" in arrays else np.nan
        self.direction = None if np.isnan(direction) else int(direction)
        pts.committed.inelastic_strain[:] = arrays["inelastic_strain"]
        pts.committed.equivalent_inelastic_strain[:] = arrays["equivalent_inelastic_strain"]
        pts.committed.dissipation[:] = arrays["dissipation"]
        for i, g in enumerate(pts.groups):
            g.state = arrays[f"state_{i}"].copy()


def phase_change_ranges(problem: InelasticProblem) -> list[tuple[float, float]]:
    """(solidus, liquidus) in K over which each model that melts changes its solid fraction.

    Only materials with the phase-change law count: a solder's melting range (Anand) lies far
    above any service temperature and must not refine its ramps. The model's range, not the
    material's: a eutectic melts over the model's numerical mushy zone
    (:data:`solvers.constitutive.phase_change.MIN_MELTING_RANGE`), which the ramp refinement must cover.
    """
    out = set()
    for g in problem.points.groups:
        if isinstance(g.model, PhaseChange):
            out.add((g.model.solidus, g.model.liquidus))
    return sorted(out)
