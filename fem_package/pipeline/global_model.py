"""The global (die-level) model of a submodel case, solved each elastic load step ahead of the submodel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fem_package.case import Case
from fem_package.console import Console
from fem_package.pipeline.model import cell_volumes, owned_cell_tags, region_materials
from fem_package.tagged_mesh import TaggedMesh


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
        temperatures = [p[1] for p in case.load.corner_points()]
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
            "formulation": self.formulation,
            "dofs": self.problem.num_dofs,
            "cut_face_nodes": self.boundary.num_dofs,
            "mesh": dict(self.tagged.stats),
            "max_displacement_m": self.max_displacement,
            "critical_joint": critical_joint(self.metrics.joints()),
            "fields": "results_global.xdmf",
            "timings_s": {"setup": t.setup, "assemble": t.assemble, "solve": t.solve},
        }
