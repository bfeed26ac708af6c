"""Helpers of the geometry tests: exact (OpenCASCADE) and meshed volumes of physical groups."""

from __future__ import annotations

import gmsh
import numpy as np

from geometries.meshing import MODEL_UNIT


def occ_volume(tag: int) -> float:
    """Exact (OpenCASCADE) volume of a physical group, in m^3."""
    return sum(gmsh.model.occ.getMass(3, v) for v in gmsh.model.getEntitiesForPhysicalGroup(3, tag)) * MODEL_UNIT**3


def mesh_volume(tag: int) -> float:
    """Sum of the tetrahedron volumes of a physical group, in m^3."""
    nodes, coords, _ = gmsh.model.mesh.getNodes()
    points = np.zeros((int(nodes.max()) + 1, 3))
    points[nodes] = coords.reshape(-1, 3) * MODEL_UNIT
    total = 0.0
    for v in gmsh.model.getEntitiesForPhysicalGroup(3, tag):
        _, tets = gmsh.model.mesh.getElementsByType(4, v)
        p = points[np.asarray(tets, dtype=np.int64).reshape(-1, 4)]
        e1, e2, e3 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]
        total += float(np.abs(np.einsum("ij,ij->i", e1, np.cross(e2, e3))).sum()) / 6
    return total
