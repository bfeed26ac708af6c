"""Helpers of the geometry tests: exact (OpenCASCADE) and meshed volumes of physical groups."""

from __future__ import annotations

import gmsh
import numpy as np
import pytest

from fem_package.model_description import ModelDescription
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


def assert_standard_boundaries(description: ModelDescription) -> None:
    """The standard boundary groups exist (bottom, top and the planes of the symmetry) and lie in their planes."""
    z_top = description.info["thickness"]
    planes = {"bottom": (2, 0.0), "top": (2, z_top), "symmetry_x": (0, 0.0), "symmetry_y": (1, 0.0)}
    assert len(description.boundaries) == {"quarter": 4, "half": 3, "full": 2}[description.symmetry]
    for boundary in description.boundaries:
        axis, value = planes[boundary.name]
        surfaces = gmsh.model.getEntitiesForPhysicalGroup(2, boundary.tag)
        assert len(surfaces) > 0
        for s in surfaces:
            box = np.array(gmsh.model.getBoundingBox(2, s)) * MODEL_UNIT
            assert box[axis] == pytest.approx(value, abs=1e-9) and box[axis + 3] == pytest.approx(value, abs=1e-9)
