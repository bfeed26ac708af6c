"""Plain description of a built geometry: regions, boundaries, supports and joints.

A geometry builder returns a :class:`ModelDescription` next to the gmsh model it
created. The description is pure data (picklable, broadcast from rank 0 to all
ranks) and is everything later stages need to know about the geometry: which
cell tag is which material and which joint, which facet tag is a symmetry
plane, and where the rigid-body motion is removed.

Coordinates are SI metres. The package's neutral point (the die centre) is the
origin of the x-y plane; z points from the substrate towards the die.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Symmetry = Literal["quarter", "half", "full"]


@dataclass(frozen=True)
class Region:
    """One volume physical group, i.e. one value of the cell tags.

    Attributes:
        name: physical-group name, unique within the model (``"die"``, ``"bump_0007"``).
        tag: physical-group tag, equal to the cell-tag value of its cells.
        role: what the part is in the package (``"die"``, ``"bump"``, ``"pad"``,
            ``"substrate"``, ``"underfill"``, ``"layer_0"``...). Materials are
            assigned per role in the case file.
        material: default material key of the role (a key of the materials data).
        joint_id: for interconnects (bumps, leads, contact elements) the joint number,
            else ``None``. Joint numbers are unique and start at 0.
        joint_center: joint axis position ``(x, y, z)`` in m (``z`` at mid-height).
        multiplicity: how many parts of the full package this modelled part stands for
            (an interior joint of a quarter model stands for 4, one cut in half by a
            symmetry plane for 2, the centre one for 1).
        fraction: modelled fraction of the part (1, 0.5 or 0.25) when symmetry planes cut it.
        volume: analytic volume of the modelled part in m^3 (for checks), or ``None``.
    """

    name: str
    tag: int
    role: str
    material: str
    joint_id: int | None = None
    joint_center: tuple[float, float, float] | None = None
    multiplicity: int = 1
    fraction: float = 1.0
    volume: float | None = None

    @property
    def dnp(self) -> float | None:
        """Distance from the neutral point (die centre) in the x-y plane, in m."""
        if self.joint_center is None:
            return None
        x, y, _ = self.joint_center
        return float((x * x + y * y) ** 0.5)


@dataclass(frozen=True)
class Boundary:
    """One surface physical group, i.e. one value of the facet tags."""

    name: str
    tag: int


@dataclass(frozen=True)
class PointSupport:
    """Displacement components fixed to zero at a mesh vertex (removes rigid-body motion).

    The builder guarantees a mesh vertex at ``point`` (a geometric corner).
    """

    point: tuple[float, float, float]
    components: tuple[int, ...]


@dataclass(frozen=True)
class SymmetryPlane:
    """A symmetry plane: the displacement component normal to it is zero."""

    boundary: str
    component: int


@dataclass
class ModelDescription:
    """Everything later stages need to know about a built geometry."""

    geometry_type: str
    symmetry: Symmetry
    regions: list[Region]
    boundaries: list[Boundary] = field(default_factory=list)
    symmetry_planes: list[SymmetryPlane] = field(default_factory=list)
    supports: list[PointSupport] = field(default_factory=list)
    info: dict[str, float | int | str] = field(default_factory=dict)

    def region(self, name: str) -> Region:
        """The region called ``name``."""
        for r in self.regions:
            if r.name == name:
                return r
        raise KeyError(name)

    def boundary_tag(self, name: str) -> int:
        """Facet-tag value of the boundary called ``name``."""
        for b in self.boundaries:
            if b.name == name:
                return b.tag
        raise KeyError(name)

    @property
    def joints(self) -> list[Region]:
        """Regions that are joints, ordered by joint id."""
        return sorted((r for r in self.regions if r.joint_id is not None), key=lambda r: r.joint_id or 0)

    @property
    def roles(self) -> list[str]:
        """Distinct roles, in order of first appearance."""
        return list(dict.fromkeys(r.role for r in self.regions))
