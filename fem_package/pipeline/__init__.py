"""The run: case -> geometry -> mesh -> thermal -> mechanics -> post-stages -> results folder.

This package is the only place in ``fem_package`` (with the CLI) that imports the stage
packages; it hands plain data (tagged mesh, numpy arrays, dataclasses) from one stage to the
next. One flow for both physics:

1. set-up (:mod:`.model`): mesh, region materials, static cell fields, joint metrics;
2. thermal stage (:mod:`.thermal`): the temperature of every cell at each load step;
3. mechanics chosen by ``[solver] physics``: :mod:`.elastic` (one solve per load step, with
   the global model of a submodel) or :mod:`.inelastic` (cycles with history, checkpoint and
   ``--resume``); both hand every converged step to :class:`.step_output.StepOutput`
   (metrics, leak-path stresses, fields) and return a :class:`.mechanics.MechanicsResult`;
4. post-stages and results (:mod:`.results`): design rule, (life), hermeticity, leak paths,
   one-time-series results.xdmf, joints.csv, picture, summary.json, report.html.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fem_package.case import Case
from fem_package.console import Console
from fem_package.fenics import MPI
from fem_package.pipeline.global_model import GlobalModel, global_geometry_of
from fem_package.pipeline.model import build_model, cell_volumes, owned_cell_tags, region_materials
from fem_package.pipeline.results import contact_design_rule, finish_run, write_summary_and_report
from fem_package.run_folder import staged_folder

__all__ = [
    "GlobalModel",
    "cell_volumes",
    "contact_design_rule",
    "global_geometry_of",
    "owned_cell_tags",
    "region_materials",
    "run",
]


def run(
    case: Case,
    out: Path,
    overwrite: bool,
    console: Console,
    case_file: Path | None = None,
    comm: Any = None,
    resume: bool = False,
    mechanics_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run a case and write its results folder; returns the summary (same on every rank).

    ``resume`` continues an inelastic run from its last checkpoint (:mod:`fem_package.pipeline.inelastic`);
    ``mechanics_options`` are passed to the inelastic stage (test hooks ``models``, ``after_cycle``).
    """
    from fem_package.pipeline.elastic import ElasticMechanics
    from fem_package.pipeline.inelastic import InelasticMechanics, check_inelastic
    from fem_package.pipeline.results import PostStages
    from fem_package.pipeline.step_output import StepOutput
    from fem_package.pipeline.thermal import ThermalStage, thermal_steps

    comm = comm or MPI.COMM_WORLD
    inelastic = case.solver.physics == "inelastic"
    if inelastic:
        check_inelastic(case)
    t_start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    steps = thermal_steps(case)
    with staged_folder(out, overwrite, comm) as folder:
        model = build_model(case, comm, console)
        t0 = time.perf_counter()
        mechanics: ElasticMechanics | InelasticMechanics
        if inelastic:
            mechanics = InelasticMechanics(model, out, comm, console, resume, **(mechanics_options or {}))
        else:
            mechanics = ElasticMechanics(model, folder, comm, console)
        thermal = ThermalStage(case, model.tagged, model.regions, comm, console)
        post = PostStages.create(case, model, comm, console, inelastic)
        t_setup = time.perf_counter() - t0
        output = StepOutput(model, thermal.fields, post.observers)
        result = mechanics.run(steps, thermal, output, folder)
        result.timings.setdefault("setup", t_setup)
        summary = finish_run(model, result, thermal, post, folder, comm, console, case_file, started)
        summary["timings_s"]["output"] = output.seconds
        summary["timings_s"]["total"] = time.perf_counter() - t_start
        write_summary_and_report(summary, folder, comm, console)
    mechanics.cleanup()
    crit = summary["critical_joint"]
    if crit:
        console.info(
            f"critical joint {crit['name']} (DNP {crit['dnp'] * 1e3:.3f} mm): shear strain range "
            f"{crit['shear_strain_range']:.4g}, peak von Mises {crit['peak_von_mises'] / 1e6:.1f} MPa"
        )
    console.info(f"results in {out} ({summary['timings_s']['total']:.1f} s)")
    return summary
