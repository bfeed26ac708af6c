"""Benchmark: thermal-cycle solve of the default case, flipstack's step strategy against a naive loop.

Both variants run in this process on the same mesh and the same load steps:

* ``naive``: every step re-assembles the matrix and rebuilds the GAMG hierarchy
  (what a straightforward dolfinx loop does);
* ``flipstack``: the default strategy of :class:`solvers.thermoelastic.ThermoelasticProblem`
  (dwell steps keep the solution, the matrix is re-assembled only when the moduli change, the
  multigrid hierarchy is kept until CG needs twice its first iteration count).

It prints wall-clock seconds of each and their ratio (naive / flipstack), plus the largest
relative difference of the displacement between the two (must be ~rtol). Run it with
``.venv/bin/python bench/thermal_cycle_solver.py [--repeat N] [--cycles N]`` or under mpiexec.
Timings on these machines are noisy; only the ratio measured in one process is meaningful.
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
from solvers.thermoelastic import ThermoelasticProblem


def run_cycle(case, tagged, reuse: bool, naive: bool) -> tuple[float, list[np.ndarray], int]:
    """Solve all steps; returns seconds, the displacement of every step and total CG iterations."""
    settings = case.solver.model_copy(update={"reuse_preconditioner": reuse})
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), settings)
    steps = case.load.steps()
    MPI.COMM_WORLD.Barrier()
    t0 = time.perf_counter()
    solutions, iterations = [], 0
    for step in steps:
        if naive:  # forget what the previous step left: full assembly and a fresh hierarchy
            problem._moduli_key = None
            problem._last_temperature = None
        stats = problem.solve(step.temperature)
        iterations += stats.iterations
        solutions.append(problem.u.x.array.copy())
    MPI.COMM_WORLD.Barrier()
    return time.perf_counter() - t0, solutions, iterations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="timed repetitions of each variant (best is kept)")
    parser.add_argument("--cycles", type=int, default=2, help="thermal cycles of the default profile")
    args = parser.parse_args()
    raw = copy.deepcopy(DEFAULT_CASE)
    raw.setdefault("load", {})["cycles"] = args.cycles
    case = validate_case(raw)
    comm = MPI.COMM_WORLD
    tagged = mesh_geometry(case.geometry, case.mesh, comm)
    results = {}
    for name, reuse, naive in (("naive", False, True), ("flipstack", True, False)):
        best = None
        for _ in range(args.repeat):
            seconds, sols, its = run_cycle(case, tagged, reuse, naive)
            if best is None or seconds < best[0]:
                best = (seconds, sols, its)
        results[name] = best
    diff = 0.0
    for a, b in zip(results["naive"][1], results["flipstack"][1], strict=True):
        scale = comm.allreduce(float(np.abs(a).max()), op=MPI.MAX)
        diff = max(diff, comm.allreduce(float(np.abs(a - b).max()), op=MPI.MAX) / max(scale, 1e-300))
    if comm.rank == 0:
        n_steps = len(case.load.steps())
        print(f"default case, {n_steps} steps ({args.cycles} cycles), {comm.size} rank(s), best of {args.repeat}")
        for name, (seconds, _, its) in results.items():
            print(f"  {name:10s} {seconds:8.2f} s  {its:5d} CG iterations")
        print(f"  ratio naive/flipstack: {results['naive'][0] / results['flipstack'][0]:.2f}")
        print(f"  max relative displacement difference: {diff:.2e}")


if __name__ == "__main__":
    main()
