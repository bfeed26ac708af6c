"""Meshing several models in one process (a sweep, a test session) gives each the mesh it gets alone."""

from __future__ import annotations

from fem_package.case.geometry_solder_bump import SolderBumpGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.fenics import MPI
from geometries import mesh_geometry
from tests.conftest import laminate_case


def laminate_nodes() -> int:
    case = laminate_case(
        [
            {"name": "board", "material": "fr4", "thickness": "0.8 mm"},
            {"name": "die", "material": "silicon", "thickness": "0.5 mm"},
        ],
        mesh={"max_size": "0.5 mm"},
    )
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)
    return int(tagged.mesh.geometry.x.shape[0])


def test_a_size_field_model_does_not_change_the_next_mesh() -> None:
    alone = laminate_nodes()
    # the solder-bump builder meshes by a size field, switching sizes from points and boundary off
    bump = SolderBumpGeometry(die_length=2e-3, die_width=2e-3, substrate_length=4e-3, substrate_width=4e-3, rows=1)
    mesh_geometry(bump, MeshSettings(optimize=False), MPI.COMM_SELF)
    # before gmsh options were reset per model this laminate came out about 7x coarser
    assert laminate_nodes() == alone
