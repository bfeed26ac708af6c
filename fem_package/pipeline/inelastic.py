"""Mechanics stage, ``[solver] physics = "inelastic"``: thermal cycles with history until the critical joint settles.

The mechanics keeps each material's internal variables (:mod:`solvers.inelastic`), so creep,
plasticity and relaxation accumulate over the cycles. The temperature of every cell comes from
the thermal stage (:mod:`fem_package.pipeline.thermal`) at each load step: the chamber value,
a prescribed map or the conduction solution with power cycling. Between two load steps the
Newton increments (:mod:`solvers.inelastic.increments`) interpolate the cell temperatures
linearly in time.

Cycle 0 is the start and the initial ramp of the profile; cycles 1, 2, ... are the load steps'
cycles (the profile's, or the power cycles with ``[thermal.power]``). With a preset chamber
profile and a chamber or prescribed temperature, cycling goes on beyond ``[load] cycles`` by
repeating the last cycle shifted by the period (a prescribed map is evaluated at the time of
the repeated cycle) until :class:`solvers.inelastic.cycles.CycleConvergence` stops. A
conduction run cannot be repeated that way (its temperature at a later time depends on the
heat flow up to then): it runs its scheduled cycles. A custom profile without power cycling is
one pass.

After every cycle the state (mechanics, thermal stage, metrics, leak-path history) is
checkpointed in the work folder ``.<out>.work`` beside ``--out`` (:mod:`fem_package.checkpoint`);
each cycle's fields go to their own XDMF part there. ``flipstack run CASE --out DIR --resume``
continues a killed run after its last complete cycle and ends with the results of an
uninterrupted run. The parts become one time series in ``results.xdmf``
(:func:`fem_package.pipeline.step_output.publish_time_series`); the work folder is removed
after the results folder is in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from fem_package import checkpoint
from fem_package.case import Case, CaseError
from fem_package.console import Console
from fem_package.pipeline.global_model import global_geometry_of
from fem_package.pipeline.mechanics import MechanicsResult, StepSolution
from fem_package.pipeline.model import RunModel
from fem_package.pipeline.step_output import RESULTS, StepOutput
from fem_package.thermal_profile import LoadStep
from fem_package.units import celsius

INELASTIC_FIELDS = {
    "equivalent_inelastic_strain": "accumulated equivalent inelastic strain sum sqrt(2/3 d eps_in : d eps_in) [-], "
    "cell data",
    "inelastic_energy_density_J_m3": "inelastic (dissipated) energy density accumulated since the start [J/m^3], "
    "cell data",
}
"""Fields an inelastic run writes besides the elastic ones."""


def cycle_steps(steps: list[LoadStep], cycle: int, period: float | None) -> list[LoadStep]:
    """The load steps of ``cycle``: the profile's own, or its last cycle shifted by whole periods."""
    own = [s for s in steps if s.cycle == cycle]
    last = max(s.cycle for s in steps)
    if own or period is None or cycle <= last:
        return own
    template = [s for s in steps if s.cycle == last]
    shift = cycle - last
    return [
        replace(s, index=s.index + shift * len(template), time=s.time + shift * period, cycle=cycle) for s in template
    ]


def repeat_period(case: Case) -> float | None:
    """Period by which the last cycle may be repeated beyond the schedule; None when it cannot be."""
    if case.thermal.mode == "conduction":  # the heat flow at a later time is not that of the last cycle
        return None
    return case.load.period


def _describe_cycle(record: Any) -> str:
    """'bump_0003 dissipates 1.2e+05 J/m^3 (change 3.10%)' or 'no inelastic dissipation'."""
    if record.critical is None:
        return "no inelastic dissipation"
    change = f" (change {record.change:.2%})" if record.change is not None else ""
    return f"{record.critical} dissipates {record.energy_density[record.critical]:.4g} J/m^3{change}"


def _region_values(names: list[str], values: np.ndarray, keep: list[int]) -> dict[str, float]:
    return {names[i]: float(values[i]) for i in keep}


class InelasticMechanics:
    """Set-up (problem with quadrature-point state, history solver, work folder), then :meth:`run` over the cycles.

    ``models`` replaces :func:`solvers.constitutive.select.model_for` (tests); ``after_cycle(k)`` is
    called after cycle k is checkpointed (tests simulate a kill there).
    """

    physics = "inelastic"

    def __init__(
        self,
        model: RunModel,
        out: Path,
        comm: Any,
        console: Console,
        resume: bool = False,
        models: Callable[[Any], Any] | None = None,
        after_cycle: Callable[[int], None] | None = None,
    ):
        from solvers.constitutive.select import model_for
        from solvers.inelastic.fields import InelasticFields
        from solvers.inelastic.mixed_problem import MixedInelasticProblem
        from solvers.inelastic.problem import InelasticProblem
        from solvers.inelastic.stepping import HistorySolver

        case = model.case
        check_inelastic(case)
        self.model, self.comm, self.console = model, comm, console
        self.resume, self.after_cycle = resume, after_cycle
        self.work = checkpoint.work_folder(out)
        checkpoint.prepare(self.work, resume, comm)
        self.formulation = inelastic_formulation(case, model, models or model_for)
        problem_class = MixedInelasticProblem if self.formulation == "mixed" else InelasticProblem
        self.problem = problem_class(model.tagged, model.regions, case.solver, models or model_for)
        self.problem.u.name = "displacement_m"
        self.solver = HistorySolver(self.problem, case.solver.inelastic)
        self.fields = InelasticFields(self.problem)
        desc = model.tagged.description
        self.model_names = {r.name: g.model.name for r, g in zip(desc.regions, self.problem.points.groups, strict=True)}
        self.degree = self.problem.displacement_degree(case.solver)
        label = "mixed u-p P2/P1" if self.formulation == "mixed" else f"P{self.degree}"
        console.info(
            f"inelastic {label}: {self.problem.num_dofs} dofs, models "
            + ", ".join(sorted(set(self.model_names.values())))
            + f"; load {case.load.describe()}"
        )

    def _checkpoint(self, cycle: int, thermal: Any, output: StepOutput, record: dict[str, Any]) -> None:
        thermal_arrays, thermal_record = thermal.state()
        arrays = {**self.solver.state_arrays(), **output.state_arrays(), **thermal_arrays}
        checkpoint.save(self.work, cycle, arrays, {**record, "thermal": thermal_record}, self.comm)
        # a resumed run starts here with a fresh multigrid hierarchy: so does this one, to take the same steps
        self.solver.newton.forget_preconditioner()

    def run(self, steps: list[LoadStep], thermal: Any, output: StepOutput, folder: Path) -> MechanicsResult:
        """Cycle until the energy per cycle settles (or the schedule ends); returns the mechanics' summary share."""
        from solvers.inelastic.cycles import CycleConvergence
        from solvers.inelastic.stepping import StepFailure

        case, console, comm = self.model.case, self.console, self.comm
        settings = case.solver.inelastic
        metrics, pts, work = self.model.metrics, self.problem.points, self.work
        desc = self.model.tagged.description
        names = [r.name for r in desc.regions]
        joint_regions = [i for i, r in enumerate(desc.regions) if r.joint_id is not None]
        tracked = joint_regions or list(range(len(desc.regions)))
        period = repeat_period(case)
        last_scheduled = max(s.cycle for s in steps)
        cyclic = last_scheduled >= 1
        if not cyclic:
            min_cycles = max_cycles = 1
        elif period is not None:
            min_cycles = case.load.cycles
            max_cycles = max(settings.max_cycles, min_cycles)
        else:  # the scheduled cycles, all of them
            min_cycles = max_cycles = last_scheduled
        convergence = CycleConvergence(settings.cycle_tolerance, min_cycles, max_cycles)
        done_steps: list[LoadStep] = []
        step_records: list[dict[str, Any]] = []
        newton_records: list[dict[str, Any]] = []
        parts: list[str] = []
        cycle = 0
        restored = checkpoint.load(work, case.digest(), comm) if self.resume else None
        if self.resume and restored is None:
            console.info(f"--resume: no checkpoint in {work}; starting from the beginning")
        if restored is not None:
            record, arrays = restored
            if "thermal" not in record:
                raise CaseError(
                    f"--resume: the checkpoint in {str(work)!r} was written by an older flipstack without the "
                    "thermal stage's state; run without --resume to start over"
                )
            self.solver.restore(arrays)
            output.restore(arrays)
            thermal.restore(arrays, record["thermal"])
            done_steps = [LoadStep(**s) for s in record["steps"]]
            step_records, newton_records, parts = record["records"], record["newton"], record["parts"]
            convergence = CycleConvergence.from_dict(record["convergence"], min_cycles)
            cycle = int(record["next_cycle"])
            console.info(f"--resume: continuing after cycle {cycle - 1} from {work}")
        self.resumed = restored is not None

        finished = bool(convergence.records) and convergence.done()
        while not finished:
            todo = cycle_steps(steps, cycle, period)
            if not todo:
                break
            shift = (cycle - last_scheduled) * period if period is not None and cycle > last_scheduled else 0.0
            w0 = pts.cell_average(pts.committed.dissipation)
            p0 = pts.cell_average(pts.committed.equivalent_inelastic_strain)
            part = f"{RESULTS}-cycle{cycle:03d}"
            output.open_part(work, part)
            with console.progress(f"cycle {cycle}", len(todo)) as bar:
                for step in todo:
                    temperature = thermal.temperature(step, field_time=step.time - shift if shift else None)
                    try:
                        result = self.solver.solve_step(step.time, temperature)
                    except StepFailure as exc:
                        raise RuntimeError(
                            f"{exc}\nThe state after cycle {cycle - 1} is kept in {work}: "
                            "'flipstack run CASE --out DIR --resume' continues from there (same case file)."
                            if cycle > 0
                            else str(exc)
                        ) from None
                    values = self.fields.evaluate()
                    rec = {
                        "increments": len(result.increments),
                        "iterations": result.iterations,
                        "cuts": result.cuts,
                        "max_displacement_m": values.displacement_max,
                    }
                    output.add(step, temperature, StepSolution(values, [self.problem.u, *self.fields.functions], rec))
                    done_steps.append(step)
                    step_records.append(rec)
                    newton_records.append({"index": step.index, **result.as_dict()})
                    bar.advance(f"cycle {cycle}  T = {celsius(step.temperature):6.1f} C")
                    console.detail(
                        f"  step {step.index}: T = {celsius(step.temperature):.1f} C, {len(result.increments)} "
                        f"increments, Newton {[s.iterations for s in result.increments]}, {result.cuts} cuts"
                    )
            output.close_part()
            parts.append(part)
            output.end_cycle(  # the cycle's per-cell dissipation and inelastic strain (fatigue life)
                pts.cell_average(pts.committed.dissipation) - w0,
                pts.cell_average(pts.committed.equivalent_inelastic_strain) - p0,
            )
            if cycle >= 1 or not cyclic:
                dw = metrics.region_average(pts.cell_average(pts.committed.dissipation) - w0)
                dp = metrics.region_average(pts.cell_average(pts.committed.equivalent_inelastic_strain) - p0)
                rec_c = convergence.add(cycle, _region_values(names, dw, tracked), _region_values(names, dp, tracked))
                finished = convergence.done() or not cyclic
                if not cyclic:
                    convergence.reason = "custom profile: one pass"
                elif period is None and finished and not convergence.as_dict()["converged"]:
                    convergence.reason = (
                        f"the {last_scheduled} scheduled cycle(s) done (a {case.thermal.mode} run is not repeated "
                        f"beyond its schedule; last change {_pct(rec_c.change)})"
                    )
                console.info(f"cycle {cycle}: {_describe_cycle(rec_c)}")
            cycle += 1
            record = {
                "case_hash": case.digest(),
                "next_cycle": cycle,
                "steps": [asdict(s) for s in done_steps],
                "records": step_records,
                "newton": newton_records,
                "parts": parts,
                "convergence": convergence.as_dict(),
            }
            self._checkpoint(cycle, thermal, output, record)
            if self.after_cycle is not None:
                self.after_cycle(cycle - 1)
        self.convergence = convergence
        return self._result(done_steps, step_records, newton_records, [work / f"{p}.xdmf" for p in parts], tracked)

    def _result(
        self,
        steps: list[LoadStep],
        step_records: list[dict[str, Any]],
        newton_records: list[dict[str, Any]],
        parts: list[Path],
        tracked: list[int],
    ) -> MechanicsResult:
        from postprocess.summary import FIELDS
        from solvers.inelastic.mixed_problem import MixedInelasticProblem

        metrics, pts, convergence = self.model.metrics, self.problem.points, self.convergence
        problem = self.problem
        solver = {"mixed_linear_solver": problem.linear_solver} if isinstance(problem, MixedInelasticProblem) else {}
        names = [r.name for r in self.model.tagged.description.regions]
        final_w = metrics.region_average(pts.cell_average(pts.committed.dissipation))
        final_p = metrics.region_average(pts.cell_average(pts.committed.equivalent_inelastic_strain))
        per_region = {
            names[i]: {
                "model": self.model_names[names[i]],
                "energy_density_per_cycle_J_m3": [r.energy_density[names[i]] for r in convergence.records],
                "inelastic_strain_per_cycle": [r.inelastic_strain[names[i]] for r in convergence.records],
                "accumulated_energy_density_J_m3": float(final_w[i]),
                "accumulated_inelastic_strain": float(final_p[i]),
            }
            for i in tracked
        }
        newton_its = [max(n["newton_iterations"], default=0) for n in newton_records]
        update_s = sum(n["update_s"] for n in newton_records)
        total_s = sum(n["total_s"] for n in newton_records)
        last = convergence.records[-1] if convergence.records else None
        timer = self.problem.timer
        return MechanicsResult(
            physics=self.physics,
            dofs=self.problem.num_dofs,
            steps=steps,
            step_records=step_records,
            parts=parts,
            timings={
                "strain": timer.strain,
                "constitutive_update": timer.update,
                "assemble": timer.assemble,
                "solve": timer.solve,
            },
            fields={**FIELDS, **INELASTIC_FIELDS},
            run={"resumed": self.resumed, "degree": self.degree, "formulation": self.formulation, **solver},
            region_info={name: {"model": m} for name, m in self.model_names.items()},
            joint_info={name: {k: v for k, v in info.items() if k != "model"} for name, info in per_region.items()},
            sections={
                "inelastic": {
                    "critical": last.critical if last else None,
                    "cycle_convergence": convergence.as_dict(),
                    "per_region": per_region,
                    "newton": {
                        "max_iterations_per_increment": max(newton_its, default=0),
                        "mean_iterations_per_increment": float(
                            np.mean([i for n in newton_records for i in n["newton_iterations"]] or [0])
                        ),
                        "update_fraction": update_s / total_s if total_s > 0 else 0.0,
                        "steps": newton_records,
                    },
                }
            },
        )

    def cleanup(self) -> None:
        """Remove the work folder (checkpoint and cycle parts) once the results folder is in place."""
        checkpoint.remove(self.work, self.comm)
        last = self.convergence.records[-1] if self.convergence.records else None
        if last is not None and last.critical is not None:
            self.console.info(
                f"{len(self.convergence.records)} cycle(s): {self.convergence.reason}; critical {last.critical}: "
                f"{last.energy_density[last.critical]:.4g} J/m^3 per cycle"
            )


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2%}"


def check_inelastic(case: Case) -> None:
    """Inelastic physics needs a geometry that is not a submodel (the global model is solved elastically only)."""
    if global_geometry_of(case) is not None:
        raise CaseError(
            f"solver.physics = 'inelastic': geometry '{case.geometry.type}' is a submodel, which is solved "
            "elastically only; use physics = 'elastic'"
        )


def inelastic_formulation(case: Case, model: RunModel, models: Callable[[Any], Any]) -> str:
    """``[solver] formulation`` of an inelastic run; auto: mixed where a material is nearly incompressible or melts.

    The temperatures are the load profile's corner points and the regions' stress-free
    temperatures (the first step starts from them).
    """
    from solvers.formulation import choose_inelastic_formulation

    temperatures = [p[1] for p in case.load.corner_points()] + [r.stress_free_temperature for r in model.regions]
    materials = list({r.material.key: r.material for r in model.regions}.values())
    return choose_inelastic_formulation(case.solver, materials, temperatures, models)


def run_inelastic(
    case: Case,
    out: Path,
    overwrite: bool,
    console: Console,
    case_file: Path | None = None,
    comm: Any = None,
    resume: bool = False,
    models: Callable[[Any], Any] | None = None,
    after_cycle: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """:func:`fem_package.pipeline.run` of an inelastic case with test hooks (``models``, ``after_cycle``)."""
    from fem_package.pipeline import run

    if case.solver.physics != "inelastic":
        raise ValueError(f"run_inelastic: the case has solver.physics = {case.solver.physics!r}")
    hooks = {"models": models, "after_cycle": after_cycle}
    return run(case, out, overwrite, console, case_file, comm, resume, mechanics_options=hooks)
