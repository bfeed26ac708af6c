"""After the mechanics, whatever the physics: post-stages, summary.json, joints.csv, picture, time series, report.

Order (each a few lines in :func:`finish_run`):

1. joint metrics -> per-joint results and the critical joint;
2. the contact-element design rule (geometry ``contact_element``);
3. fatigue life (``[life]``, :mod:`fem_package.pipeline.life`) and hermeticity (``[hermeticity]``:
   leak paths and moisture ingress, intact and cracked, :mod:`fem_package.pipeline.hermeticity`),
   both fed every load step by :class:`fem_package.pipeline.step_output.StepOutput`;
4. ``results.xdmf`` as one time series (:func:`fem_package.pipeline.step_output.publish_time_series`);
5. joints.csv, case files, cutaway.png, summary.json (rank 0), then report.html.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case
from fem_package.console import Console
from fem_package.pipeline.mechanics import MechanicsResult
from fem_package.pipeline.model import RunModel
from fem_package.pipeline.report import write_run_report
from fem_package.pipeline.step_output import publish_time_series
from fem_package.thermal_profile import LoadStep
from fem_package.versions import versions
from fem_package.xdmf_time_series import merge_time_collections, step_labels


def contact_design_rule(case: Case, description: Any, steps: list[Any]) -> list[dict[str, Any]]:
    """Seed 002's length rule for every contact element over the case's temperature range (summary rows)."""
    from postprocess.contact_design_rule import check_contact_elements, elements_from_description

    temperatures = [s.temperature for s in steps]
    rows = check_contact_elements(
        elements_from_description(description),
        case.material_of("die"),
        case.material_of("substrate"),
        case.stress_free_temperature("substrate"),
        (min(temperatures), max(temperatures)),
    )
    # DNP = 0 has no length difference: margin infinite, written as null (JSON has no infinity)
    return [{**r.as_dict(), "margin": r.margin if np.isfinite(r.margin) else None} for r in rows]


def step_record(step: LoadStep, solver: dict[str, Any]) -> dict[str, Any]:
    """A step of summary.json 'steps': where it lies in the profile, then the mechanics' statistics."""
    base = {
        "index": step.index,
        "time_s": step.time,
        "temperature_K": step.temperature,
        "cycle": step.cycle,
        "segment": step.segment,
    }
    return {**base, **solver}


def base_summary(model: RunModel, mech: MechanicsResult, comm: Any, case_file: Path | None, started: str) -> dict:
    """The sections every run writes, with the mechanics' extra keys merged in."""
    from postprocess.summary import critical_joint

    case, desc, metrics = model.case, model.tagged.description, model.metrics
    joints = metrics.joints()
    peaks = metrics.regions_peak()
    return {
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
            "dofs": mech.dofs,
            "degree": case.solver.degree,
            "physics": mech.physics,
            "started": started,
            **mech.run,
        },
        "mesh": dict(model.tagged.stats),
        "geometry": dict(desc.info),
        "timings_s": {},
        "steps": [step_record(s, r) for s, r in zip(mech.steps, mech.step_records, strict=True)],
        "materials": {str(i): k for i, k in enumerate(model.material_keys)},
        "regions": {
            r.name: {
                "tag": r.tag,
                "role": r.role,
                "material": m.material.key,
                **mech.region_info.get(r.name, {}),
                "stress_free_temperature_K": m.stress_free_temperature,
                **peaks.get(r.name, {}),
            }
            for r, m in zip(desc.regions, model.regions, strict=True)
            if r.joint_id is None
        },
        "joints": [{**j.as_dict(), **mech.joint_info.get(j.name, {})} for j in joints],
        "critical_joint": critical_joint(joints),
        "fields": mech.fields,
    }


class PostStages:
    """The post-stages a case asks for; they observe every load step and add their summary sections."""

    def __init__(self, life: Any | None, hermeticity: Any | None):
        self.life = life
        self.hermeticity = hermeticity

    @classmethod
    def create(cls, case: Case, model: RunModel, comm: Any, console: Console, inelastic: bool) -> PostStages:
        """Life (``[life]``) and hermeticity (``[hermeticity] enabled``) stages, each None when not asked for."""
        from fem_package.pipeline.hermeticity import HermeticityStage
        from fem_package.pipeline.life import LifeStage

        life = LifeStage.create(case, model.tagged, comm, model.metrics.volumes, inelastic=inelastic)
        hermeticity = HermeticityStage(case, model.tagged, comm, console) if case.hermeticity.enabled else None
        return cls(life, hermeticity)

    @property
    def observers(self) -> list[Any]:
        """The stages that keep a history of the load steps."""
        return [s for s in (self.life, self.hermeticity) if s is not None]

    def finish(self, summary: dict[str, Any], folder: Path, console: Console) -> None:
        """Add the ``life`` and ``hermeticity`` sections (collective)."""
        if self.life is not None:
            summary["life"] = self.life.finish(folder, console)
        if self.hermeticity is not None:
            summary["hermeticity"] = self.hermeticity.finish(folder)


def finish_run(
    model: RunModel,
    mech: MechanicsResult,
    thermal: Any,
    post: PostStages,
    folder: Path,
    comm: Any,
    console: Console,
    case_file: Path | None,
    started: str,
) -> dict[str, Any]:
    """Post-stages and every file of the results folder; returns the summary (same on every rank)."""
    from postprocess.picture import render_cutaway
    from postprocess.summary import write_joint_table

    case, desc = model.case, model.tagged.description
    summary = base_summary(model, mech, comm, case_file, started)
    summary["thermal"] = thermal.summary()
    thermal_written = {f.name for f in thermal.fields}  # the P1 temperature only when conduction runs
    optional = {"temperature_nodal_K"}
    summary["fields"] = {k: v for k, v in summary["fields"].items() if k not in optional or k in thermal_written}
    summary.update(mech.sections)
    if case.geometry.type == "contact_element":
        summary["design_rule"] = contact_design_rule(case, desc, mech.steps)
    post.finish(summary, folder, console)
    t_out = time.perf_counter()
    publish_time_series(mech.parts, folder, mech.steps, comm)
    if comm.rank == 0:  # other series (the global model of a submodel): one temporal collection too
        for path, steps in mech.xdmf_extra:
            merge_time_collections(path, step_labels(steps))
    t_out = time.perf_counter() - t_out
    t_pic = time.perf_counter()
    if comm.rank == 0:
        write_joint_table(folder / "joints.csv", model.metrics.joints())
        (folder / "case_resolved.toml").write_text(case.to_toml(), encoding="utf-8")
        if case_file is not None:
            shutil.copyfile(case_file, folder / "case.toml")
        if case.output.picture:
            render_cutaway(folder / "results.xdmf", folder / "cutaway.png", summary, case.output.picture_scale)
    summary["timings_s"] = {"mesh": model.tagged.stats["seconds"], **mech.timings}
    summary["timings_s"]["picture"] = time.perf_counter() - t_pic
    summary["timings_s"]["time_series"] = t_out
    return summary


def write_summary_and_report(summary: dict[str, Any], folder: Path, comm: Any, console: Console) -> None:
    """summary.json, then report.html from the finished folder (rank 0)."""
    from postprocess.summary import write_summary

    if comm.rank == 0:
        write_summary(folder / "summary.json", summary)
        write_run_report(folder, console)
