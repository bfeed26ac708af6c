"""The inelastic run: thermal cycles with history until the critical joint's energy per cycle settles.

``[solver] physics = "inelastic"``: the mechanics keeps each material's internal variables
(:mod:`solvers.inelastic`), so creep, plasticity and relaxation accumulate over the cycles.
Cycle 0 is the start and the initial ramp of the profile; cycles 1, 2, ... repeat the
profile's cycle (beyond ``[load] cycles`` the last one is shifted by the period) until
:class:`solvers.inelastic.cycles.CycleConvergence` stops. A custom profile is one pass.

After every cycle the state is checkpointed in the work folder ``.<out>.work`` beside
``--out`` (:mod:`fem_package.checkpoint`); each cycle's fields go to their own XDMF part
there. ``flipstack run CASE --out DIR --resume`` continues a killed run after its last
complete cycle and ends with the results of an uninterrupted run. At the end the parts are
joined into ``results.xdmf`` in the results folder and the work folder is removed.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from fem_package import checkpoint
from fem_package.case import Case, CaseError
from fem_package.console import Console
from fem_package.fenics import MPI, dolfinx
from fem_package.run_folder import staged_folder
from fem_package.thermal_profile import LoadStep
from fem_package.units import celsius
from fem_package.versions import versions

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


def _describe_cycle(record: Any) -> str:
    """'bump_0003 dissipates 1.2e+05 J/m^3 (change 3.10%)' or 'no inelastic dissipation'."""
    if record.critical is None:
        return "no inelastic dissipation"
    change = f" (change {record.change:.2%})" if record.change is not None else ""
    return f"{record.critical} dissipates {record.energy_density[record.critical]:.4g} J/m^3{change}"


def _region_values(names: list[str], values: np.ndarray, keep: list[int]) -> dict[str, float]:
    return {names[i]: float(values[i]) for i in keep}


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
    """Run an inelastic case; ``models`` replaces :func:`solvers.constitutive.select.model_for` (tests),
    ``after_cycle(k)`` is called after cycle k is checkpointed (tests simulate a kill there)."""
    from fem_package.field_output import FieldWriter
    from fem_package.pipeline import _cell_function, cell_volumes, global_geometry_of, owned_cell_tags, region_materials
    from fem_package.xdmf_merge import merge_time_series
    from geometries import mesh_geometry
    from postprocess.joint_metrics import JointMetrics
    from postprocess.picture import render_cutaway
    from postprocess.summary import FIELDS, critical_joint, write_joint_table, write_summary
    from solvers.constitutive.select import model_for
    from solvers.inelastic.cycles import CycleConvergence
    from solvers.inelastic.fields import InelasticFields
    from solvers.inelastic.problem import InelasticProblem
    from solvers.inelastic.stepping import HistorySolver, StepFailure

    comm = comm or MPI.COMM_WORLD
    if global_geometry_of(case) is not None:
        raise CaseError(
            f"solver.physics = 'inelastic': geometry '{case.geometry.type}' is a submodel, which is solved "
            "elastically only; use physics = 'elastic'"
        )
    t_start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    settings = case.solver.inelastic
    steps = case.load.steps()
    period = case.load.period
    work = checkpoint.work_folder(out)
    checkpoint.prepare(work, resume, comm)
    with staged_folder(out, overwrite, comm) as folder:
        console.info(f"[bold]{case.title}[/]")
        with console.status("meshing with gmsh"):
            tagged = mesh_geometry(case.geometry, case.mesh, comm)
        desc = tagged.description
        console.info(f"  {tagged.stats['cells']} cells, {tagged.stats['vertices']} vertices")
        t0 = time.perf_counter()
        regions = region_materials(case, tagged)
        problem = InelasticProblem(tagged, regions, case.solver, models or model_for)
        solver = HistorySolver(problem, settings)
        fields = InelasticFields(problem)
        metrics = JointMetrics(comm, desc.regions, owned_cell_tags(tagged), cell_volumes(tagged.mesh))
        from fem_package.pipeline.life import LifeStage

        life = LifeStage.create(case, tagged, comm, metrics.volumes, inelastic=True)  # None without [life]
        names = [r.name for r in desc.regions]
        joint_regions = [i for i, r in enumerate(desc.regions) if r.joint_id is not None]
        tracked = joint_regions or list(range(len(desc.regions)))
        model_names = {r.name: g.model.name for r, g in zip(desc.regions, problem.points.groups, strict=True)}
        t_setup = time.perf_counter() - t0
        console.info(
            f"inelastic P{case.solver.degree}: {problem.num_dofs} dofs, models "
            + ", ".join(sorted({f"{m}" for m in model_names.values()}))
            + f"; load {case.load.describe()}"
        )

        index = problem.cells.cell_region
        material_keys = sorted({m.material.key for m in regions})
        region_tag = np.array([r.tag for r in desc.regions], dtype=float)[index]
        material_id = np.array([material_keys.index(r.material.key) for r in regions], dtype=float)[index]
        joint_id = np.array([-1 if r.joint_id is None else r.joint_id for r in desc.regions], dtype=float)[index]
        static = [
            _cell_function(fields.Q, "region_id", region_tag),
            _cell_function(fields.Q, "material_id", material_id),
            _cell_function(fields.Q, "joint_id", joint_id),
        ]
        temperature = dolfinx.fem.Function(fields.Q, name="temperature_K")
        problem.u.name = "displacement_m"

        last_profile_cycle = max(s.cycle for s in steps)
        min_cycles = case.load.cycles if period is not None else 1
        convergence = CycleConvergence(settings.cycle_tolerance, min_cycles, max(settings.max_cycles, min_cycles))
        step_records: list[dict[str, Any]] = []
        newton_records: list[dict[str, Any]] = []
        parts: list[str] = []
        next_cycle = 0
        restored = checkpoint.load(work, case.digest(), comm) if resume else None
        if resume and restored is None:
            console.info(f"--resume: no checkpoint in {work}; starting from the beginning")
        if restored is not None:
            record, arrays = restored
            solver.restore(arrays)
            metrics.peak_vm[:] = arrays["metrics_peak_vm"]
            metrics.peak_step[:] = arrays["metrics_peak_step"]
            metrics.mean_vm[:] = arrays["metrics_mean_vm"]
            metrics.gamma_history = list(arrays["metrics_gamma"])
            step_records, newton_records, parts = record["steps"], record["newton"], record["parts"]
            convergence = CycleConvergence.from_dict(record["convergence"], min_cycles)
            next_cycle = int(record["next_cycle"])
            console.info(f"--resume: continuing after cycle {next_cycle - 1} from {work}")

        t_out = 0.0
        pts = problem.points
        cycle = next_cycle
        finished = bool(convergence.records) and convergence.done()
        while not finished:
            todo = cycle_steps(steps, cycle, period)
            if not todo:
                break
            w0 = pts.cell_average(pts.committed.dissipation)
            p0 = pts.cell_average(pts.committed.equivalent_inelastic_strain)
            part = f"results-cycle{cycle:03d}"
            writer = FieldWriter(tagged.mesh, work, part)
            with console.progress(f"cycle {cycle}", len(todo)) as bar:
                for step in todo:
                    try:
                        result = solver.solve_step(step.time, step.temperature)
                    except StepFailure as exc:
                        raise RuntimeError(
                            f"{exc}\nThe state after cycle {cycle - 1} is kept in {work}: "
                            "'flipstack run CASE --out DIR --resume' continues from there (same case file)."
                            if cycle > 0
                            else str(exc)
                        ) from None
                    values = fields.evaluate()
                    metrics.add_step(step.index, values.von_mises, values.shear_strain)
                    if life is not None:
                        life.add_step(step, values.stress, values.shear_strain)
                    t1 = time.perf_counter()
                    temperature.x.array[:] = step.temperature
                    writer.write([problem.u, *fields.functions, temperature, *static], step.time)
                    t_out += time.perf_counter() - t1
                    step_records.append(
                        {
                            "index": step.index,
                            "time_s": step.time,
                            "temperature_K": step.temperature,
                            "cycle": step.cycle,
                            "segment": step.segment,
                            "increments": len(result.increments),
                            "iterations": result.iterations,
                            "cuts": result.cuts,
                            "max_displacement_m": values.displacement_max,
                        }
                    )
                    newton_records.append({"index": step.index, **result.as_dict()})
                    bar.advance(f"cycle {cycle}  T = {celsius(step.temperature):6.1f} C")
                    console.detail(
                        f"  step {step.index}: T = {celsius(step.temperature):.1f} C, {len(result.increments)} "
                        f"increments, Newton {[s.iterations for s in result.increments]}, {result.cuts} cuts"
                    )
            writer.close()
            parts.append(part)
            if life is not None:  # per-cell dissipation and inelastic strain of this cycle
                life.end_cycle(
                    pts.cell_average(pts.committed.dissipation) - w0,
                    pts.cell_average(pts.committed.equivalent_inelastic_strain) - p0,
                )
            if cycle >= 1 or period is None:
                dw = metrics.region_average(pts.cell_average(pts.committed.dissipation) - w0)
                dp = metrics.region_average(pts.cell_average(pts.committed.equivalent_inelastic_strain) - p0)
                rec = convergence.add(cycle, _region_values(names, dw, tracked), _region_values(names, dp, tracked))
                finished = convergence.done() or period is None
                if period is None:
                    convergence.reason = "custom profile: one pass"
                console.info(f"cycle {cycle}: {_describe_cycle(rec)}")
            cycle += 1
            arrays = {
                **solver.state_arrays(),
                "metrics_peak_vm": metrics.peak_vm,
                "metrics_peak_step": metrics.peak_step,
                "metrics_mean_vm": metrics.mean_vm,
                "metrics_gamma": np.array(metrics.gamma_history),
            }
            record = {
                "case_hash": case.digest(),
                "next_cycle": cycle,
                "steps": step_records,
                "newton": newton_records,
                "parts": parts,
                "convergence": convergence.as_dict(),
            }
            checkpoint.save(work, cycle, arrays, record, comm)
            if after_cycle is not None:
                after_cycle(cycle - 1)
            if cycle > last_profile_cycle and period is None:
                break

        # the cycle parts move into the results folder and are joined into results.xdmf
        comm.barrier()
        if comm.rank == 0:
            for name in parts:
                for suffix in (".xdmf", ".h5"):
                    shutil.copyfile(work / f"{name}{suffix}", folder / f"{name}{suffix}")
            merge_time_series([folder / f"{name}.xdmf" for name in parts], folder / "results.xdmf")
            for name in parts:
                (folder / f"{name}.xdmf").unlink()
        comm.barrier()

        joints = metrics.joints()
        final_w = metrics.region_average(pts.cell_average(pts.committed.dissipation))
        final_p = metrics.region_average(pts.cell_average(pts.committed.equivalent_inelastic_strain))
        per_region = {
            names[i]: {
                "model": model_names[names[i]],
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
        summary: dict[str, Any] = {
            "schema_version": 1,
            "versions": versions(),
            "case": {
                "title": case.title,
                "hash": case.digest(),
                "file": str(case_file) if case_file else None,
                "geometry_type": case.geometry.type,
                "symmetry": desc.symmetry,
            },
            "run": {
                "ranks": comm.size,
                "dofs": problem.num_dofs,
                "degree": case.solver.degree,
                "physics": "inelastic",
                "started": started,
                "resumed": restored is not None,
            },
            "mesh": dict(tagged.stats),
            "geometry": dict(desc.info),
            "timings_s": {},
            "steps": step_records,
            "materials": {str(i): k for i, k in enumerate(material_keys)},
            "regions": {
                r.name: {
                    "tag": r.tag,
                    "role": r.role,
                    "material": m.material.key,
                    "model": model_names[r.name],
                    "stress_free_temperature_K": m.stress_free_temperature,
                    **metrics.regions_peak().get(r.name, {}),
                }
                for r, m in zip(desc.regions, regions, strict=True)
                if r.joint_id is None
            },
            "joints": [
                {**j.as_dict(), **{k: v for k, v in per_region.get(j.name, {}).items() if k != "model"}} for j in joints
            ],
            "critical_joint": critical_joint(joints),
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
            },
            "fields": {**FIELDS, **INELASTIC_FIELDS},
        }
        if life is not None:
            summary["life"] = life.finish(folder, console)
        t_pic = time.perf_counter()
        if comm.rank == 0:
            write_joint_table(folder / "joints.csv", joints)
            (folder / "case_resolved.toml").write_text(case.to_toml(), encoding="utf-8")
            if case_file is not None:
                shutil.copyfile(case_file, folder / "case.toml")
            if case.output.picture:
                render_cutaway(folder / "results.xdmf", folder / "cutaway.png", summary, case.output.picture_scale)
        t_pic = time.perf_counter() - t_pic
        timer = problem.timer
        summary["timings_s"] = {
            "mesh": tagged.stats["seconds"],
            "setup": t_setup,
            "strain": timer.strain,
            "constitutive_update": timer.update,
            "assemble": timer.assemble,
            "solve": timer.solve,
            "output": t_out,
            "picture": t_pic,
            "total": time.perf_counter() - t_start,
        }
        if comm.rank == 0:
            write_summary(folder / "summary.json", summary)
    checkpoint.remove(work, comm)
    if last is not None and last.critical is not None:
        console.info(
            f"{len(convergence.records)} cycle(s): {convergence.reason}; critical {last.critical}: "
            f"{last.energy_density[last.critical]:.4g} J/m^3 per cycle"
        )
    console.info(f"results in {out} ({summary['timings_s']['total']:.1f} s)")
    return summary
