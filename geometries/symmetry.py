"""Symmetric sub-models: the modelled box, symmetry planes, rigid-body supports, boundary groups.

Every package is centred on the origin in x-y with the bottom of the substrate at z = 0.
A quarter model keeps x >= 0, y >= 0; a half model keeps x >= 0; a full model keeps all.
"""

from __future__ import annotations

import gmsh

from fem_package.model_description import Boundary, PointSupport, Symmetry, SymmetryPlane
from geometries.meshing import um

# Physical-group tags of the standard boundaries (surfaces).
BOUNDARY_TAGS = {"symmetry_x": 1, "symmetry_y": 2, "bottom": 3, "top": 4}
_EPS = 1e-3  # model units (nm): above OpenCASCADE's 1e-7 bounding-box gap, below any feature


def kept_box(symmetry: Symmetry, half_x: float, half_y: float) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the modelled part of a footprint of half-sizes ``half_x`` x ``half_y``."""
    x0 = 0.0 if symmetry in ("quarter", "half") else -half_x
    y0 = 0.0 if symmetry == "quarter" else -half_y
    return x0, half_x, y0, half_y


def fraction_kept(symmetry: Symmetry, x: float, y: float, tol: float) -> float:
    """Modelled fraction (0, 0.25, 0.5 or 1) of a part centred at (x, y) symmetric about its axis.

    Zero when the part lies outside the kept region.
    """
    f = 1.0
    if symmetry in ("quarter", "half"):
        if x < -tol:
            return 0.0
        if abs(x) <= tol:
            f *= 0.5
    if symmetry == "quarter":
        if y < -tol:
            return 0.0
        if abs(y) <= tol:
            f *= 0.5
    return f


def copies(symmetry: Symmetry) -> int:
    """How many mirror copies of the modelled part make the full package."""
    return {"quarter": 4, "half": 2, "full": 1}[symmetry]


def planes_and_supports(
    symmetry: Symmetry, half_x: float, half_y: float
) -> tuple[list[SymmetryPlane], list[PointSupport]]:
    """Symmetry planes and the point supports that remove the remaining rigid-body motion.

    The supports sit at corners of the substrate bottom (z = 0), which are mesh vertices.
    Under a self-equilibrated thermal load they carry no reaction (statically determinate).
    """
    if symmetry == "quarter":
        planes = [SymmetryPlane("symmetry_x", 0), SymmetryPlane("symmetry_y", 1)]
        return planes, [PointSupport((0.0, 0.0, 0.0), (2,))]
    if symmetry == "half":
        return [SymmetryPlane("symmetry_x", 0)], [
            PointSupport((0.0, -half_y, 0.0), (1, 2)),
            PointSupport((0.0, half_y, 0.0), (2,)),
        ]
    return [], [
        PointSupport((-half_x, -half_y, 0.0), (0, 1, 2)),
        PointSupport((half_x, -half_y, 0.0), (1, 2)),
        PointSupport((-half_x, half_y, 0.0), (2,)),
    ]


def add_standard_boundaries(symmetry: Symmetry, half_x: float, half_y: float, z_top: float) -> list[Boundary]:
    """Physical surface groups: symmetry planes, substrate bottom (z = 0) and the top of the stack.

    Arguments in metres. Call after ``gmsh.model.occ.synchronize()``. Only surfaces lying
    in the planes are taken.
    """
    x0, x1, y0, y1 = (um(v) for v in kept_box(symmetry, half_x, half_y))
    half_x, half_y, z_top = um(half_x), um(half_y), um(z_top)
    big = 10 * (half_x + half_y + z_top)
    boxes = {
        "bottom": (x0 - _EPS, y0 - _EPS, -_EPS, x1 + _EPS, y1 + _EPS, _EPS),
        "top": (-big, -big, z_top - _EPS, big, big, z_top + _EPS),
    }
    if symmetry in ("quarter", "half"):
        boxes["symmetry_x"] = (-_EPS, -big, -_EPS, _EPS, big, big)
    if symmetry == "quarter":
        boxes["symmetry_y"] = (-big, -_EPS, -_EPS, big, _EPS, big)
    out = []
    for name, box in boxes.items():
        surfaces = [tag for dim, tag in gmsh.model.getEntitiesInBoundingBox(*box, dim=2)]
        if surfaces:
            tag = BOUNDARY_TAGS[name]
            gmsh.model.addPhysicalGroup(2, surfaces, tag, name=name)
            out.append(Boundary(name, tag))
    return out
