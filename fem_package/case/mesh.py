"""The ``[mesh]`` section: element sizes for gmsh."""

from __future__ import annotations

from pydantic import Field

from fem_package.case.base import CaseModel
from fem_package.units import Length


class MeshSettings(CaseModel):
    """Element sizes. Unset sizes are chosen by the geometry builder from its dimensions."""

    max_size: Length | None = Field(None, gt=0, description="largest element edge away from the joints [m]")
    joint_size: Length | None = Field(None, gt=0, description="element edge in and around the joints [m]")
    optimize: bool = Field(True, description="run gmsh's tetrahedron optimizer after meshing")
    min_quality: float = Field(
        0.01, gt=0, lt=1, description="smallest scaled Jacobian accepted for any cell (0 = degenerate)"
    )
