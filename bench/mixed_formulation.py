"""Benchmark: mixed u-p solve against the displacement solve on the liquid_metal_gel example.

One mesh of ``examples/liquid_metal_gel.toml`` (shrunk by the options below so it runs in minutes
on 2 cores), its load steps solved by three variants in this process:

* ``displacement``: P2 displacement, CG + GAMG (``solvers.thermoelastic``);
* ``mixed direct``: Taylor-Hood P2/P1, MUMPS LU (``solvers.mixed_thermoelastic``);
* ``mixed fieldsplit``: Taylor-Hood P2/P1, GMRES + Schur-complement fieldsplit (GAMG on u).

Prints for each the unknowns, set-up, assembly and solve seconds, the Krylov iterations per
solved step, the growth of this process's peak resident memory while it ran, and the time ratios
mixed / displacement, all measured in one run (timings on shared machines are noisy; ratios from
one process are what to compare). Also the peak von Mises stress of the gel under each, which shows
how much the displacement formulation locks there.

    PYTHONPATH=. .venv/bin/python bench/mixed_formulation.py [--die 1.5mm] [--max-size 500um] [--joint-size 100um]
"""

from __future__ import annotations

import argparse
import resource
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import validate_case
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from geometries import mesh_geometry
from solvers.mixed_thermoelastic import MixedThermoelasticProblem
from solvers.stress_recovery import StressRecovery
from solvers.thermoelastic import ThermoelasticProblem

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "liquid_metal_gel.toml"


def small_case(die: str, max_size: str, joint_size: str) -> Any:
    """The example with a smaller die and substrate (one perimeter row) and the given mesh sizes."""
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["geometry"].update({"die_length": die, "die_width": die, "rows": 1})
    substrate = f"{2 * float(die.rstrip('mu')):g}{''.join(ch for ch in die if ch.isalpha())}"
    raw["geometry"].update({"substrate_length": substrate, "substrate_width": substrate})
    raw["mesh"].update({"max_size": max_size, "joint_size": joint_size})
    raw["load"].update({"steps_per_ramp": 1})
    return validate_case(raw)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB; Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(name: str, factory: Any, case: Any, tagged: Any) -> dict[str, Any]:
    """Set up and solve every step; returns timings, iterations, memory growth and the gel's peak von Mises."""
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    problem = factory(tagged, region_materials(case, tagged), case.solver)
    recovery = StressRecovery(problem)
    gel_tag = tagged.description.region("gel").tag
    gel_cells = problem.cells.cell_region[: problem.num_owned_cells] == [r.tag for r in problem.cells.regions].index(
        gel_tag
    )
    gel_vm = 0.0
    for step in case.load.steps():
        problem.solve(step.temperature)
        vm = recovery.evaluate().von_mises
        gel_vm = max(gel_vm, MPI.COMM_WORLD.allreduce(float(vm[gel_cells].max(initial=0.0)), op=MPI.MAX))
    total = time.perf_counter() - t0
    t = problem.timings
    return {
        "name": name,
        "dofs": problem.num_dofs,
        "setup": t.setup,
        "assemble": t.assemble,
        "solve": t.solve,
        "total": total,
        "iterations": [s.iterations for s in t.steps if s.reason != "UNCHANGED_TEMPERATURE"],
        "reasons": sorted({s.reason for s in t.steps}),
        "rss_growth_mb": peak_rss_mb() - rss0,
        "gel_peak_von_mises": gel_vm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--die", default="1.5mm")
    parser.add_argument("--max-size", default="500um")
    parser.add_argument("--joint-size", default="100um")
    args = parser.parse_args()
    case = small_case(args.die, args.max_size, args.joint_size)
    comm = MPI.COMM_WORLD
    tagged = mesh_geometry(case.geometry, case.mesh, comm)
    variants = [
        ("displacement P2", ThermoelasticProblem, {"formulation": "displacement"}),
        # fieldsplit before direct: the peak-memory growth of each shows only above the earlier peaks
        ("mixed fieldsplit", MixedThermoelasticProblem, {"mixed_linear_solver": "fieldsplit"}),
        ("mixed direct", MixedThermoelasticProblem, {"mixed_linear_solver": "direct"}),
    ]
    rows = []
    for name, factory, update in variants:
        variant = case.model_copy(update={"solver": case.solver.model_copy(update=update)})
        rows.append(run(name, factory, variant, tagged))
    if comm.rank == 0:
        print(f"liquid_metal_gel, die {args.die}, {tagged.stats['cells']} cells, {comm.size} rank(s)")
        for r in rows:
            print(
                f"{r['name']:17s} {r['dofs']:8d} unknowns  setup {r['setup']:6.1f} s  assemble {r['assemble']:6.1f} s  "
                f"solve {r['solve']:7.1f} s  total {r['total']:7.1f} s  its {r['iterations']}  "
                f"peak RSS +{r['rss_growth_mb']:.0f} MB  gel peak von Mises {r['gel_peak_von_mises']:.4g} Pa"
            )
        base = rows[0]["total"]
        for r in rows[1:]:
            print(f"{r['name']} / displacement P2: total time ratio {r['total'] / base:.2f}")
        vm = np.array([r["gel_peak_von_mises"] for r in rows])
        print(f"gel peak von Mises, displacement / mixed: {vm[0] / vm[2]:.3f}")


if __name__ == "__main__":
    main()
