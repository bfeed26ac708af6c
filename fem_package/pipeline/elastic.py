"""Mechanics stage, ``[solver] physics = "elastic"``: one thermo-elastic solve per load step.

Each load step is independent of the others (no history): :class:`solvers.thermoelastic.ThermoelasticProblem`
(P1/P2, CG + GAMG) at the thermal stage's cell temperatures, stress recovered to DG0 cell
averages (:mod:`solvers.stress_recovery`). A submodel case first solves its global model
(:mod:`fem_package.pipeline.global_model`) each step and takes its displacement on the cut faces.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from fem_package.case import CaseError
from fem_package.console import Console
from fem_package.pipeline.global_model import GlobalModel, global_geometry_of
from fem_package.pipeline.mechanics import MechanicsResult, StepSolution
from fem_package.pipeline.model import RunModel
from fem_package.pipeline.step_output import RESULTS, StepOutput
from fem_package.thermal_profile import LoadStep
from fem_package.units import celsius


class ElasticMechanics:
    """Set-up (problem, stress recovery, global model of a submodel), then :meth:`run` over the load steps."""

    physics = "elastic"

    def __init__(self, model: RunModel, folder: Path, comm: Any, console: Console):
        from solvers.formulation import choose_formulation, problem_class
        from solvers.stress_recovery import StressRecovery

        case = model.case
        self.model, self.console = model, console
        if global_geometry_of(case) is not None and case.thermal.mode != "chamber":
            raise CaseError(f"thermal.mode = {case.thermal.mode!r}: submodel geometries run with 'chamber' only")
        temperatures = [p[1] for p in case.load.corner_points()]
        self.formulation = choose_formulation(case.solver, [r.material for r in model.regions], temperatures)
        self.degree = 2 if self.formulation == "mixed" else case.solver.degree  # mixed: Taylor-Hood P2/P1
        self.problem = problem_class(self.formulation)(model.tagged, model.regions, case.solver)
        self.problem.u.name = "displacement_m"
        self.recovery = StressRecovery(self.problem)
        label = "mixed u-p P2/P1" if self.formulation == "mixed" else f"P{self.degree}"
        console.info(f"thermo-elastic {label}: {self.problem.num_dofs} dofs; load {case.load.describe()}")
        self.global_model: GlobalModel | None = None
        if global_geometry_of(case) is not None:  # a submodel: its cut faces follow the global model
            self.global_model = GlobalModel(case, self.problem, model.tagged, folder, comm, console)

    def run(self, steps: list[LoadStep], thermal: Any, output: StepOutput, folder: Path) -> MechanicsResult:
        """Solve every load step at the thermal stage's temperature; fields go to ``folder/results.xdmf``."""
        from postprocess.summary import FIELDS

        problem, recovery, console = self.problem, self.recovery, self.console
        part = output.open_part(folder, RESULTS, [problem.u] if self.model.case.output.vtx else None)
        records = []
        with console.progress("thermal cycle", len(steps)) as bar:
            for step in steps:
                if self.global_model is not None:
                    self.global_model.solve(step)
                temperature = thermal.temperature(step)
                stats = problem.solve(temperature)
                fields = recovery.evaluate()
                record = {
                    "iterations": stats.iterations,
                    "reassembled": stats.reassembled,
                    "preconditioner_rebuilt": stats.preconditioner_rebuilt,
                    "max_displacement_m": fields.displacement_max,
                }
                functions = [problem.u, recovery.stress, recovery.von_mises, recovery.shear]
                output.add(step, temperature, StepSolution(fields, functions, record))
                records.append(record)
                bar.advance(f"thermal cycle  T = {celsius(step.temperature):6.1f} C")
                console.detail(
                    f"  step {step.index}: T = {celsius(step.temperature):.1f} C, "
                    f"{stats.iterations} its, |u|max = {fields.displacement_max:.3e} m"
                )
        output.close_part()
        t = problem.timings
        result = MechanicsResult(
            physics=self.physics,
            dofs=problem.num_dofs,
            steps=list(steps),
            step_records=records,
            parts=[part],
            timings={"setup": t.setup, "assemble": t.assemble, "solve": t.solve},
            fields=dict(FIELDS),
            sections={"solver_steps": [asdict(s) for s in t.steps]},
            run={"degree": self.degree, "formulation": self.formulation},
        )
        if self.global_model is not None:
            result.sections["global"] = self.global_model.summary()
            result.xdmf_extra.append((folder / "results_global.xdmf", list(steps)))
        return result

    def cleanup(self) -> None:
        """Nothing to remove: an elastic run keeps no state outside its results folder."""
