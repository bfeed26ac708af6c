"""Set-up shared by every run: the meshed geometry, its materials, static cell fields and joint metrics.

:class:`RunModel` is what the mechanics stages (elastic or inelastic) and the post-stages both
need: the tagged mesh, the region materials (material and stress-free temperature per cell
tag), the region index of every local cell, the DG0 space with the static fields written at
every step (``region_id``, ``material_id``, ``joint_id``), and the :class:`JointMetrics`
that accumulate per-joint results step by step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fem_package.case import Case
from fem_package.console import Console
from fem_package.fenics import dolfinx, ufl
from fem_package.tagged_mesh import TaggedMesh


def region_materials(case: Case, tagged: TaggedMesh) -> list[Any]:
    """Material and stress-free temperature of every region (cell tag)."""
    from solvers.material_fields import RegionMaterial

    return [
        RegionMaterial(r.tag, case.material_of(r.role), case.stress_free_temperature(r.role))
        for r in tagged.description.regions
    ]


def cell_function(space: Any, name: str, values: np.ndarray) -> Any:
    """A function of ``space`` named ``name`` holding ``values`` (local dofs)."""
    f = dolfinx.fem.Function(space, name=name)
    f.x.array[:] = values
    return f


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


@dataclass
class RunModel:
    """The meshed case with its materials: input of the thermal, mechanics and post stages."""

    case: Case
    tagged: TaggedMesh
    regions: list[Any]  # RegionMaterial per region (cell tag), in description order
    cell_region: np.ndarray  # region index of every local cell (owned then ghost)
    material_keys: list[str]  # sorted material keys; material_id indexes this list
    Q: Any  # DG0 space of the cell fields
    static: list[Any]  # region_id, material_id, joint_id (DG0)
    metrics: Any  # postprocess.joint_metrics.JointMetrics

    @property
    def mesh(self) -> Any:
        return self.tagged.mesh

    @property
    def num_owned_cells(self) -> int:
        return int(self.mesh.topology.index_map(self.mesh.topology.dim).size_local)


def build_model(case: Case, comm: Any, console: Console) -> RunModel:
    """Mesh the case's geometry with gmsh and attach materials, static fields and joint metrics."""
    from geometries import mesh_geometry
    from postprocess.joint_metrics import JointMetrics
    from solvers.material_fields import CellProperties

    console.info(f"[bold]{case.title}[/]")
    console.info(f"meshing '{case.geometry.type}' ({case.geometry.symmetry} model) on {comm.size} rank(s)")
    with console.status("meshing with gmsh"):
        tagged = mesh_geometry(case.geometry, case.mesh, comm)
    s = tagged.stats
    console.info(
        f"  {s['cells']} cells, {s['vertices']} vertices, min scaled Jacobian {s['min_scaled_jacobian']:.3f}, "
        f"{s['seconds']:.1f} s"
    )
    desc = tagged.description
    mesh = tagged.mesh
    regions = region_materials(case, tagged)
    cell_map = mesh.topology.index_map(mesh.topology.dim)
    index = CellProperties(tagged.cell_tags, cell_map.size_local + cell_map.num_ghosts, regions).cell_region
    material_keys = sorted({m.material.key for m in regions})
    Q = dolfinx.fem.functionspace(mesh, ("DG", 0))
    region_tag = np.array([r.tag for r in desc.regions], dtype=float)[index]
    material_id = np.array([material_keys.index(r.material.key) for r in regions], dtype=float)[index]
    joint_id = np.array([-1 if r.joint_id is None else r.joint_id for r in desc.regions], dtype=float)[index]
    static = [
        cell_function(Q, "region_id", region_tag),
        cell_function(Q, "material_id", material_id),
        cell_function(Q, "joint_id", joint_id),
    ]
    metrics = JointMetrics(comm, desc.regions, owned_cell_tags(tagged), cell_volumes(mesh))
    return RunModel(case, tagged, regions, index, material_keys, Q, static, metrics)
