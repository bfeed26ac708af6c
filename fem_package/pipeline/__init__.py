"""The run: case -> geometry -> mesh -> thermo-elastic steps -> metrics, fields, summary, picture.

This package is the only place in ``fem_package`` (with the CLI) that imports the stage
packages; it hands plain data (tagged mesh, numpy arrays, dataclasses) from one stage to the
next. Stages beyond the mechanics (heat, moisture, life) get their own module here and are
called from :func:`run`.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.console import Console
from fem_package.fenics import MPI, dolfinx, ufl
from fem_package.pipeline.report import write_run_report
from fem_package.run_folder import staged_folder
from fem_package.tagged_mesh import TaggedMesh
from fem_package.units import celsius
from fem_package.versions import versions
from fem_package.xdmf_time_series import merge_time_collections, step_labels


def region_materials(case: Case, tagged: TaggedMesh) -> list[Any]:
    """Material and stress-free temperature of every region (cell tag)."""
    from solvers.material_fields import RegionMaterial

    return [
        RegionMaterial(r.tag, case.material_of(r.role), case.stress_free_temperature(r.role))
        for r in tagged.description.regions
    ]


def _cell_function(space: Any, name: str, values: np.ndarray) -> Any:
    f = dolfinx.fem.Function(space, name=name)
    f.x.array[:] = values
    return f


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


def cell_volumes(mesh: Any) -> np.ndarray:
    """Volume of every owned cell (m^3), by assembling the DG0 test function."""
    Q = dolfinx.fem.functionspace(mesh, ("DG", 0))
    vec = dolfinx.fem.assemble_vector(dolfinx.fem.form(ufl.TestFunction(Q) * ufl.dx))
    return np.array(vec.array[: mesh.topology.index_map(mesh.topology.dim).size_local])


def owned_cell_tags(tagged: TaggedMesh) -> np.ndarray:
    """Region tag of every owned cell."""
    n_owned = tagged.mesh.topology.index_map(tagged.mesh.topology.dim).size_local
    owned = tagged.cell_tags.indices < n_owned
    tags = np.zeros(n_owned, dtype=np.int64)
    tags[tagged.cell_tags.indices[owned]] = tagged.cell_tags.values[owned]
    return tags


def global_geometry_of(case: Case) -> Any | None:
    """The global geometry that drives this case's submodel, or None when the case is not a submodel.

    A geometry type with submodel levels has ``global_geometry()``; it returns None at the global level.
    """
    getter = getattr(case.geometry, "global_geometry", None)
    return getter() if getter is not None else None


class GlobalModel:
    """The global (die-level) model of a submodel case, solved each step ahead of the submodel.

    The case's geometry gives the global geometry (``global_geometry()``), meshed with the
    case's ``[mesh]`` settings; materials follow the case's role assignments. After each
    global solve its displacement is interpolated onto the submodel's ``submodel_cut`` faces
    (:mod:`solvers.submodel`). Global fields go to ``results_global.xdmf``.
    """

    def __init__(self, case: Case, local: Any, local_tagged: TaggedMesh, folder: Path, comm: Any, console: Console):
        from fem_package.field_output import FieldWriter
        from geometries import mesh_geometry
        from postprocess.joint_metrics import JointMetrics
        from solvers.formulation import choose_formulation, problem_class
        from solvers.stress_recovery import StressRecovery
        from solvers.submodel import CUT_BOUNDARY, SubmodelBoundary

        params: Any = global_geometry_of(case)
        self.case = case.model_copy(update={"geometry": params})
        with console.status("meshing the global model with gmsh"):
            self.tagged = mesh_geometry(params, case.mesh, comm)
        s = self.tagged.stats
        regions = region_materials(self.case, self.tagged)
        temperatures = [step.temperature for step in case.load.steps()]
        self.formulation = choose_formulation(case.solver, [r.material for r in regions], temperatures)
        self.problem = problem_class(self.formulation)(self.tagged, regions, case.solver)
        self.recovery = StressRecovery(self.problem)
        mesh, desc = self.tagged.mesh, self.tagged.description
        self.metrics = JointMetrics(comm, desc.regions, owned_cell_tags(self.tagged), cell_volumes(mesh))
        try:
            cut = local_tagged.facet_tags.find(local_tagged.description.boundary_tag(CUT_BOUNDARY))
        except KeyError:
            raise RuntimeError(
                f"geometry '{case.geometry.type}' has a global model but no '{CUT_BOUNDARY}' faces"
            ) from None
        self.boundary = SubmodelBoundary(local.V, cut, self.problem.u)
        self.local = local
        local.add_dirichlet(self.boundary.bc)
        self.problem.u.name = "displacement_m"
        self.writer = FieldWriter(mesh, folder, "results_global")
        self.max_displacement = 0.0
        console.info(
            f"global '{params.type}' ({desc.symmetry} model): {s['cells']} cells, {self.problem.num_dofs} dofs; "
            f"{self.boundary.num_dofs} submodel cut-face nodes take its displacement"
        )

    def solve(self, step: Any) -> None:
        """Solve the global load step, write its fields, and pass its displacement to the submodel's cut faces."""
        stats = self.problem.solve(step.temperature)
        fields = self.recovery.evaluate()
        self.metrics.add_step(step.index, fields.von_mises, fields.shear_strain)
        self.max_displacement = max(self.max_displacement, fields.displacement_max)
        r = self.recovery
        self.writer.write([self.problem.u, r.stress, r.von_mises, r.shear], step.time)
        if stats.reason != "UNCHANGED_TEMPERATURE":
            self.boundary.update()
            self.local.dirichlet_values_changed()

    def summary(self) -> dict[str, Any]:
        """The ``global`` section of summary.json."""
        from postprocess.summary import critical_joint

        self.writer.close()
        t = self.problem.timings
        return {
            "geometry_type": self.case.geometry.type,
            "symmetry": self.tagged.description.symmetry,
            "dofs": self.problem.num_dofs,
            "formulation": self.formulation,
            "cut_face_nodes": self.boundary.num_dofs,
            "mesh": dict(self.tagged.stats),
            "max_displacement_m": self.max_displacement,
            "critical_joint": critical_joint(self.metrics.joints()),
            "fields": "results_global.xdmf",
            "timings_s": {"setup": t.setup, "assemble": t.assemble, "solve": t.solve},
        }


def run(
    case: Case,
    out: Path,
    overwrite: bool,
    console: Console,
    case_file: Path | None = None,
    comm: Any = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Run a case and write its results folder; returns the summary (same on every rank).

    ``resume`` continues an inelastic run from its last checkpoint (:mod:`fem_package.pipeline.inelastic`).
    """
    if case.solver.physics == "inelastic":
        from fem_package.pipeline.inelastic import run_inelastic

        return run_inelastic(case, out, overwrite, console, case_file, comm, resume)
    from geometries import mesh_geometry
    from postprocess.joint_metrics import JointMetrics
    from postprocess.picture import render_cutaway
    from postprocess.summary import FIELDS, critical_joint, write_joint_table, write_summary
    from solvers.formulation import choose_formulation, problem_class
    from solvers.stress_recovery import StressRecovery

    comm = comm or MPI.COMM_WORLD
    t_start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    from fem_package.pipeline.thermal import ThermalStage, thermal_steps

    steps = thermal_steps(case)
    with staged_folder(out, overwrite, comm) as folder:
        console.info(f"[bold]{case.title}[/]")
        console.info(f"meshing '{case.geometry.type}' ({case.geometry.symmetry} model) on {comm.size} rank(s)")
        with console.status("meshing with gmsh"):
            tagged = mesh_geometry(case.geometry, case.mesh, comm)
        desc = tagged.description
        console.info(
            f"  {tagged.stats['cells']} cells, {tagged.stats['vertices']} vertices, "
            f"min scaled Jacobian {tagged.stats['min_scaled_jacobian']:.3f}, "
            f"{tagged.stats['seconds']:.1f} s"
        )

        regions = region_materials(case, tagged)
        formulation = choose_formulation(case.solver, [r.material for r in regions], [s.temperature for s in steps])
        degree = 2 if formulation == "mixed" else case.solver.degree  # mixed: Taylor-Hood P2/P1
        problem = problem_class(formulation)(tagged, regions, case.solver)
        recovery = StressRecovery(problem)
        label = "mixed u-p P2/P1" if formulation == "mixed" else f"P{degree}"
        console.info(f"thermo-elastic {label}: {problem.num_dofs} dofs; load {case.load.describe()}")
        global_model = None
        if global_geometry_of(case) is not None:  # a submodel: its cut faces follow the global model
            global_model = GlobalModel(case, problem, tagged, folder, comm, console)
        if global_model is not None and case.thermal.mode != "chamber":
            raise CaseError(f"thermal.mode = {case.thermal.mode!r}: submodel geometries run with 'chamber' only")
        thermal = ThermalStage(case, tagged, problem.cells.regions, comm, console)

        mesh = tagged.mesh
        metrics = JointMetrics(comm, desc.regions, owned_cell_tags(tagged), cell_volumes(mesh))

        material_keys = sorted({m.material.key for m in problem.cells.regions})
        Q = recovery.Q
        index = problem.cells.cell_region
        region_tag = np.array([r.tag for r in desc.regions], dtype=float)[index]
        material_id = np.array([material_keys.index(r.material.key) for r in problem.cells.regions], dtype=float)[index]
        joint_id = np.array([-1 if r.joint_id is None else r.joint_id for r in desc.regions], dtype=float)[index]
        static = [
            _cell_function(Q, "region_id", region_tag),
            _cell_function(Q, "material_id", material_id),
            _cell_function(Q, "joint_id", joint_id),
        ]
        temperature = dolfinx.fem.Function(Q, name="temperature_K")
        problem.u.name = "displacement_m"

        from fem_package.field_output import FieldWriter

        writer = FieldWriter(mesh, folder, "results", [problem.u] if case.output.vtx else None)
        hermeticity = None
        if case.hermeticity.enabled:  # leak paths and moisture ingress after the mechanics, intact and cracked
            from fem_package.pipeline.hermeticity import HermeticityStage

            hermeticity = HermeticityStage(case, tagged, comm, console)
        step_records = []
        t_out = 0.0
        with console.progress("thermal cycle", len(steps)) as bar:
            for step in steps:
                if global_model is not None:
                    global_model.solve(step)
                step_temperature = thermal.temperature(step)
                stats = problem.solve(step_temperature)
                fields = recovery.evaluate()
                metrics.add_step(step.index, fields.von_mises, fields.shear_strain)
                if hermeticity is not None:
                    hermeticity.add_step(fields.stress)
                t0 = time.perf_counter()
                temperature.x.array[:] = step_temperature
                written = [problem.u, recovery.stress, recovery.von_mises, recovery.shear, temperature, *static]
                writer.write([*written, *thermal.fields], step.time)
                t_out += time.perf_counter() - t0
                step_records.append(
                    {
                        "index": step.index,
                        "time_s": step.time,
                        "temperature_K": step.temperature,
                        "cycle": step.cycle,
                        "segment": step.segment,
                        "iterations": stats.iterations,
                        "reassembled": stats.reassembled,
                        "preconditioner_rebuilt": stats.preconditioner_rebuilt,
                        "max_displacement_m": fields.displacement_max,
                    }
                )
                bar.advance(f"thermal cycle  T = {celsius(step.temperature):6.1f} C")
                console.detail(
                    f"  step {step.index}: T = {celsius(step.temperature):.1f} C, "
                    f"{stats.iterations} its, |u|max = {fields.displacement_max:.3e} m"
                )
        writer.close()
        if comm.rank == 0:  # one temporal collection, steps labelled with cycle and temperature (for ParaView)
            merge_time_collections(folder / "results.xdmf", step_labels(steps))

        joints = metrics.joints()
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
                "degree": degree,
                "formulation": formulation,
                "started": started,
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
                    "stress_free_temperature_K": m.stress_free_temperature,
                    **metrics.regions_peak().get(r.name, {}),
                }
                for r, m in zip(desc.regions, problem.cells.regions, strict=True)
                if r.joint_id is None
            },
            "joints": [j.as_dict() for j in joints],
            "critical_joint": critical_joint(joints),
            "fields": FIELDS,
        }
        summary["thermal"] = thermal.summary()
        if global_model is not None:
            summary["global"] = global_model.summary()
            if comm.rank == 0:
                merge_time_collections(folder / "results_global.xdmf", step_labels(steps))
        if case.geometry.type == "contact_element":
            summary["design_rule"] = contact_design_rule(case, desc, steps)
        if hermeticity is not None:
            summary["hermeticity"] = hermeticity.finish(folder)
        timings = problem.timings
        t_pic = time.perf_counter()
        if comm.rank == 0:
            write_joint_table(folder / "joints.csv", joints)
            (folder / "case_resolved.toml").write_text(case.to_toml(), encoding="utf-8")
            if case_file is not None:
                shutil.copyfile(case_file, folder / "case.toml")
            if case.output.picture:
                render_cutaway(folder / "results.xdmf", folder / "cutaway.png", summary, case.output.picture_scale)
        t_pic = time.perf_counter() - t_pic
        summary["timings_s"] = {
            "mesh": tagged.stats["seconds"],
            "setup": timings.setup,
            "assemble": timings.assemble,
            "solve": timings.solve,
            "output": t_out,
            "picture": t_pic,
            "total": time.perf_counter() - t_start,
        }
        summary["solver_steps"] = [asdict(s) for s in timings.steps]
        if comm.rank == 0:
            write_summary(folder / "summary.json", summary)
            write_run_report(folder, console)
    crit = summary["critical_joint"]
    if crit:
        console.info(
            f"critical joint {crit['name']} (DNP {crit['dnp'] * 1e3:.3f} mm): shear strain range "
            f"{crit['shear_strain_range']:.4g}, peak von Mises {crit['peak_von_mises'] / 1e6:.1f} MPa"
        )
    console.info(f"results in {out} ({summary['timings_s']['total']:.1f} s)")
    return summary
