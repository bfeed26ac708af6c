"""Geometry stage: parametric gmsh builders of flip-chip stacks, meshed into tagged dolfinx meshes."""

from __future__ import annotations

from fem_package.case.mesh import MeshSettings
from fem_package.fenics import MPI
from fem_package.tagged_mesh import TaggedMesh
from geometries.acf_microcapsule import build_acf_microcapsule
from geometries.compliant_lead import build_compliant_lead
from geometries.contact_element import build_contact_element
from geometries.laminate import build_laminate
from geometries.liquid_metal_gel import build_liquid_metal_gel
from geometries.mesh_file import build_from_file
from geometries.meshing import Builder, build_tagged_mesh
from geometries.sealed_cavity import build_sealed_cavity
from geometries.solder_bump import build_solder_bump
from geometries.step_file import build_from_step

BUILDERS: dict[str, Builder] = {
    "laminate": build_laminate,
    "solder_bump": build_solder_bump,
    "acf_microcapsule": build_acf_microcapsule,
    "liquid_metal_gel": build_liquid_metal_gel,
    "contact_element": build_contact_element,
    "compliant_lead": build_compliant_lead,
    "sealed_cavity": build_sealed_cavity,
    "file": build_from_file,
    "step": build_from_step,
}
"""Geometry type -> builder."""


def mesh_geometry(params: object, mesh: MeshSettings, comm: MPI.Comm, msh_file: str | None = None) -> TaggedMesh:
    """Build and mesh the geometry of a case (``params`` is the validated ``[geometry]`` section).

    With ``msh_file`` the gmsh mesh (coordinates in micrometres) is written there too.
    """
    gtype: str = params.type  # type: ignore[attr-defined]
    return build_tagged_mesh(BUILDERS[gtype], params, mesh, comm, name=gtype, msh_file=msh_file)


__all__ = ["BUILDERS", "mesh_geometry"]
