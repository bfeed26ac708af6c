"""Geometry stage: parametric gmsh builders of flip-chip stacks, meshed into tagged dolfinx meshes."""

from __future__ import annotations

from fem_package.case.mesh import MeshSettings
from fem_package.fenics import MPI
from fem_package.tagged_mesh import TaggedMesh
from geometries.compliant_lead import build_compliant_lead
from geometries.laminate import build_laminate
from geometries.meshing import Builder, build_tagged_mesh
from geometries.solder_bump import build_solder_bump

BUILDERS: dict[str, Builder] = {
    "laminate": build_laminate,
    "solder_bump": build_solder_bump,
    "compliant_lead": build_compliant_lead,
}
"""Geometry type -> builder."""


def mesh_geometry(params: object, mesh: MeshSettings, comm: MPI.Comm) -> TaggedMesh:
    """Build and mesh the geometry of a case (``params`` is the validated ``[geometry]`` section)."""
    gtype: str = params.type  # type: ignore[attr-defined]
    return build_tagged_mesh(BUILDERS[gtype], params, mesh, comm, name=gtype)


__all__ = ["BUILDERS", "mesh_geometry"]
