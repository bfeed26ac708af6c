"""Benchmark: Newton of the inelastic solver on the default baseline case (``flipstack run`` without a case).

The default case (``fem_package.case.case.DEFAULT_CASE``) is solved with ``[solver] physics =
"inelastic"`` through its load steps, each material with the model
:func:`solvers.constitutive.select.model_for` gives it (whatever laws exist at the time: until
the solder gets a creep law every model is linear elastic). It prints

- the fraction of Newton time spent in the constitutive update (strain evaluation at the
  quadrature points + the models' update + copying stress and tangent; target <= 25 %),
- Newton iterations per increment and per load step (target <= 6 per increment),
- time per Newton iteration split into update / assembly / linear solve.

Run ``.venv/bin/python bench/inelastic_newton.py [--cycles N]`` or under mpiexec.
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np

from fem_package.case import DEFAULT_CASE, validate_case
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from geometries import mesh_geometry
from solvers.inelastic.problem import InelasticProblem
from solvers.inelastic.stepping import HistorySolver


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1, help="thermal cycles of the default profile")
    args = parser.parse_args()
    raw = copy.deepcopy(DEFAULT_CASE)
    raw.setdefault("load", {})["cycles"] = args.cycles
    raw["solver"] = {"physics": "inelastic"}
    case = validate_case(raw)
    comm = MPI.COMM_WORLD
    tagged = mesh_geometry(case.geometry, case.mesh, comm)
    t0 = time.perf_counter()
    problem = InelasticProblem(tagged, region_materials(case, tagged), case.solver)
    solver = HistorySolver(problem, case.solver.inelastic)
    setup = time.perf_counter() - t0
    models = sorted({g.model.name for g in problem.points.groups})
    per_step, per_increment = [], []
    total = update = assemble = solve = 0.0
    for step in case.load.steps():
        result = solver.solve_step(step.time, step.temperature)
        its = [s.iterations for s in result.increments]
        per_step.append(sum(its))
        per_increment += its
        for s in result.increments:
            total += s.total_seconds
            update += s.update_seconds
            assemble += s.assemble_seconds
            solve += s.solve_seconds
    if comm.rank == 0:
        n_its = max(sum(per_increment), 1)
        print(f"default case, physics inelastic: {problem.num_dofs} dofs, {comm.size} rank(s), models {models}")
        print(f"  set-up {setup:.2f} s; {len(per_step)} load steps, {len(per_increment)} increments")
        print(f"  Newton iterations per increment: max {max(per_increment)}, mean {np.mean(per_increment):.2f}")
        print(f"  Newton iterations per load step: max {max(per_step)}, mean {np.mean(per_step):.2f}")
        print(
            f"  per Newton iteration: {total / n_its:.3f} s = update {update / n_its:.3f} + assembly "
            f"{assemble / n_its:.3f} + linear solve {solve / n_its:.3f} (+ rest)"
        )
        print(f"  constitutive update fraction of Newton time: {update / total:.1%} (target <= 25 %)")


if __name__ == "__main__":
    main()
