"""A distributed dolfinx mesh with its cell and facet tags and the description of what they mean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fem_package.model_description import ModelDescription


@dataclass
class TaggedMesh:
    """What the geometry stage hands to the solvers.

    Attributes:
        mesh: ``dolfinx.mesh.Mesh`` (distributed over the communicator).
        cell_tags: ``dolfinx.mesh.MeshTags`` of the cells; values are region tags.
        facet_tags: ``dolfinx.mesh.MeshTags`` of boundary facets; values are boundary tags.
        description: regions, boundaries, supports and joints (same on every rank).
        stats: mesh statistics from rank 0 (cells, vertices, minimum scaled Jacobian, seconds).
    """

    mesh: Any
    cell_tags: Any
    facet_tags: Any
    description: ModelDescription
    stats: dict[str, float | int]
