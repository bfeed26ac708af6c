"""Benchmark: Newton of the inelastic solver on the default baseline case (``flipstack run`` without a case).

The default case (``fem_package.case.case.DEFAULT_CASE``: SAC305 bumps with Anand, copper pads
with J2, capillary underfill with its Prony series, silicon and FR-4 elastic) is solved with
``[solver] physics = "inelastic"`` through its load steps with the models
:func:`solvers.constitutive.select.model_for` gives. It prints per load step the increments,
Newton iterations, Krylov iterations and seconds, then

- the fraction of Newton time spent in the constitutive update (strain evaluation at the
  quadrature points + the models' update + copying stress and tangent; target <= 25 %),
- Newton iterations per increment and per load step (target <= 6 per increment),
- time per Newton iteration split into update / assembly / linear solve, and per cycle.

``--compare`` runs the first ``--steps`` load steps twice in one process, with a fixed Krylov
tolerance and with the Eisenstat-Walker forcing (``[solver.inelastic.newton] krylov_forcing``),
and prints the ratio (the machine is shared: compare within one run). ``--compare-cooldown`` runs
them with the cure mismatch applied at once (``[solver.inelastic] assembly_cooldown = 0``) and with
the default cool-down ramp. Run ``.venv/bin/python bench/inelastic_newton.py [--cycles N] [--steps N]
[--degree 1|2] [--compare | --compare-cooldown]`` or under mpiexec.
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from typing import Any

import numpy as np

from fem_package.case import DEFAULT_CASE, validate_case
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from geometries import mesh_geometry
from solvers.inelastic.problem import InelasticProblem
from solvers.inelastic.stepping import HistorySolver


def run(args: argparse.Namespace, forcing: bool, tagged: Any = None, cooldown: float | None = None) -> dict[str, Any]:
    """Solve the default case's load steps; print progress; return the totals."""
    raw = copy.deepcopy(DEFAULT_CASE)
    raw.setdefault("load", {})["cycles"] = args.cycles
    raw["solver"] = {
        "physics": "inelastic",
        "degree": args.degree,
        "inelastic": {"newton": {"krylov_forcing": forcing}},
    }
    if cooldown is not None:
        raw["solver"]["inelastic"]["assembly_cooldown"] = cooldown
    case = validate_case(raw)
    comm = MPI.COMM_WORLD
    say = print if comm.rank == 0 else (lambda *a, **k: None)
    if tagged is None:
        tagged = mesh_geometry(case.geometry, case.mesh, comm)
    t0 = time.perf_counter()
    problem = InelasticProblem(tagged, region_materials(case, tagged), case.solver)
    solver = HistorySolver(problem, case.solver.inelastic)
    setup = time.perf_counter() - t0
    models = sorted({g.model.name for g in problem.points.groups})
    say(
        f"default case, physics inelastic, krylov_forcing {forcing}, assembly_cooldown "
        f"{case.solver.inelastic.assembly_cooldown:g} s: {problem.num_dofs} dofs, P{args.degree}, "
    )
    say(f"  {comm.size} rank(s), models {models}, set-up {setup:.1f} s, load average {os.getloadavg()[0]:.1f}")
    per_step, per_increment, krylov = [], [], 0
    total = update = assemble = solve = 0.0
    steps = case.load.steps()[: args.steps] if args.steps else case.load.steps()
    wall = time.perf_counter()
    for step in steps:
        t = time.perf_counter()
        result = solver.solve_step(step.time, step.temperature)
        its = [s.iterations for s in result.increments]
        per_step.append(sum(its))
        per_increment += its
        kry = sum(sum(s.krylov_iterations) for s in result.increments)
        krylov += kry
        for s in result.increments:
            total += s.total_seconds
            update += s.update_seconds
            assemble += s.assemble_seconds
            solve += s.solve_seconds
        say(
            f"  step {step.index:3d} cycle {step.cycle} {step.segment:<10} T {step.temperature - 273.15:7.1f} C: "
            f"Newton {its} cuts {result.cuts} Krylov {kry} {time.perf_counter() - t:6.1f} s"
        )
    wall = time.perf_counter() - wall
    n_its = max(sum(per_increment), 1)
    say(f"  {len(per_step)} load steps, {len(per_increment)} increments, {wall:.1f} s")
    say(f"  Newton iterations per increment: max {max(per_increment)}, mean {np.mean(per_increment):.2f}")
    say(f"  Newton iterations per load step: max {max(per_step)}, mean {np.mean(per_step):.2f}")
    say(f"  Krylov iterations per Newton iteration: {krylov / n_its:.1f}")
    say(
        f"  per Newton iteration: {total / n_its:.3f} s = update {update / n_its:.3f} + assembly "
        f"{assemble / n_its:.3f} + linear solve {solve / n_its:.3f} (+ rest)"
    )
    say(f"  constitutive update fraction of Newton time: {update / total:.1%} (target <= 25 %)")
    cycles = max(s.cycle for s in steps) if steps else 0
    if cycles:
        say(f"  {wall / cycles:.1f} s per cycle ({cycles} cycle(s), the initial load included)")
    return {"wall": wall, "newton": float(n_its), "krylov": float(krylov), "tagged": tagged}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1, help="thermal cycles of the default profile")
    parser.add_argument("--steps", type=int, default=0, help="only the first N load steps (0: all)")
    parser.add_argument("--degree", type=int, default=2, choices=(1, 2), help="displacement degree")
    parser.add_argument("--compare", action="store_true", help="fixed Krylov tolerance vs Eisenstat-Walker")
    parser.add_argument(
        "--compare-cooldown", action="store_true", help="instant cure mismatch (cooldown 0) vs the default cooldown"
    )
    args = parser.parse_args()
    if args.compare_cooldown:
        instant = run(args, False, cooldown=0.0)
        ramped = run(args, False, instant["tagged"])
        if MPI.COMM_WORLD.rank == 0:
            print(
                f"default cooldown / instant: wall {ramped['wall'] / instant['wall']:.2f}, Newton iterations "
                f"{ramped['newton'] / instant['newton']:.2f}, "
                f"Krylov iterations {ramped['krylov'] / instant['krylov']:.2f}"
            )
        return
    if not args.compare:
        run(args, True)
        return
    fixed = run(args, False)
    forced = run(args, True, fixed["tagged"])
    if MPI.COMM_WORLD.rank == 0:
        print(
            f"Eisenstat-Walker / fixed: wall {forced['wall'] / fixed['wall']:.2f}, Newton iterations "
            f"{forced['newton'] / fixed['newton']:.2f}, Krylov iterations {forced['krylov'] / fixed['krylov']:.2f}"
        )


if __name__ == "__main__":
    main()
