"""``step``: a CAD assembly imported through OpenCASCADE, fragmented into one conformal mesh.

Each solid is cut to the kept symmetry box, all solids are fragmented together, and every
resulting piece is given to one part: the only part that contains it, or, where solids
overlap, the part that is not a ``fill`` (an underfill drawn as a block around the bumps
yields to them). Two overlapping non-fill parts are refused with their overlap volume.

Cell tags: non-joint parts 1, 2, ... in table order (one group per part); every solid of a
joint part is a joint of its own, ``1000 + joint id``, named ``<part>_<k>``. Volumes are the
exact OpenCASCADE volumes of the pieces. Point supports sit on geometric vertices of the
lowest z (mesh vertices by construction), chosen as in :mod:`geometries.mesh_file`.
"""

from __future__ import annotations

import gmsh
import numpy as np

from fem_package.cad_file import import_step
from fem_package.case.errors import CaseError
from fem_package.case.geometry_step import StepGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import Boundary, ModelDescription, Region, SymmetryPlane
from geometries.mesh_file import JOINT_TAG0, determinate_supports
from geometries.meshing import MODEL_UNIT, set_size_field
from geometries.symmetry import BOUNDARY_TAGS, copies

ELEMENTS_PER_TURN = 24
OVERLAP_TOLERANCE = 1e-6
"""Overlaps below this fraction of the smaller solid's volume are CAD round-off, not an error."""


def _cut_to_symmetry(solids: list[tuple[int, str]], symmetry: str) -> list[tuple[int, str]]:
    """Intersect every solid with the kept half-spaces (x >= 0, and y >= 0 for quarter)."""
    if symmetry == "full":
        return solids
    occ = gmsh.model.occ
    x0, y0, z0, x1, y1, z1 = _model_box(solids)
    size = 2 * max(x1 - x0, y1 - y0, z1 - z0) + 1.0
    kept: list[tuple[int, str]] = []
    for tag, name in solids:
        box = occ.addBox(0.0, 0.0 if symmetry == "quarter" else -size, -size, size, 2 * size, 2 * size)
        out, _ = occ.intersect([(3, tag)], [(3, box)])
        kept.extend((t, name) for d, t in out if d == 3)
    occ.synchronize()
    return kept


def _model_box(solids: list[tuple[int, str]]) -> tuple[float, ...]:
    boxes = np.array([gmsh.model.occ.getBoundingBox(3, t) for t, _ in solids])
    return (*boxes[:, :3].min(axis=0), *boxes[:, 3:].max(axis=0))


def _owners(solids: list[tuple[int, str]], params: StepGeometry) -> list[tuple[list[int], str, int]]:
    """Fragment; for every input solid (index), the pieces it owns: (pieces, part name, input index)."""
    occ = gmsh.model.occ
    inputs = [(3, t) for t, _ in solids]
    _, mapping = occ.fragment(inputs[:1], inputs[1:])
    occ.synchronize()
    claims: dict[int, list[int]] = {}
    for index, out in enumerate(mapping):
        for _, piece in out:
            claims.setdefault(piece, []).append(index)
    owned: list[list[int]] = [[] for _ in solids]
    for piece, indices in claims.items():
        solid_parts = [i for i in indices if not params.parts[solids[i][1]].fill] or indices[:1]
        if len(solid_parts) > 1:  # two non-fill solids share the piece
            volume = occ.getMass(3, piece)
            smaller = min(sum(occ.getMass(3, p) for _, p in mapping[i]) for i in solid_parts)
            if volume > OVERLAP_TOLERANCE * smaller:
                names = sorted({solids[i][1] for i in solid_parts})
                raise CaseError(
                    f"parts {', '.join(repr(n) for n in names)} overlap by {volume * MODEL_UNIT**3 * 1e9:.4g} mm^3 "
                    "in the STEP file; fix the CAD or mark the gap-filling part with fill = true"
                )
        owned[solid_parts[0]].append(piece)
    return [(pieces, solids[i][1], i) for i, pieces in enumerate(owned)]


def build_from_step(params: StepGeometry, mesh: MeshSettings) -> ModelDescription:
    """Import, cut, fragment and tag the STEP assembly; size field refines around the joints."""
    sym = params.symmetry
    solids = _cut_to_symmetry(import_step(params.path), sym)
    if not solids:
        raise CaseError(f"geometry.symmetry = {sym!r}: no solid of {params.path!r} lies in the kept part")
    x0, y0, z0, x1, y1, z1 = _model_box(solids)  # before fragmenting renumbers the solids
    owners = _owners(solids, params)
    volume_of = lambda pieces: sum(gmsh.model.occ.getMass(3, p) for p in pieces) * MODEL_UNIT**3  # noqa: E731

    regions: list[Region] = []
    joints: list[Region] = []
    by_part: dict[str, list[int]] = {}
    joint_id, counters = 0, {name: 0 for name in params.parts}
    for pieces, name, _ in owners:
        m = params.parts[name]
        if not m.joint:
            by_part.setdefault(name, []).extend(pieces)
            continue
        if not pieces:
            continue
        tag, label = JOINT_TAG0 + joint_id, f"{name}_{counters[name]:03d}"
        counters[name] += 1
        gmsh.model.addPhysicalGroup(3, pieces, tag, name=label)
        centre = np.array(gmsh.model.occ.getCenterOfMass(3, pieces[0])) * MODEL_UNIT
        joints.append(
            Region(
                label,
                tag,
                m.role or name,
                m.material,
                joint_id=joint_id,
                joint_center=(float(centre[0]), float(centre[1]), float(centre[2])),
                multiplicity=m.multiplicity,
                volume=volume_of(pieces),
            )
        )
        joint_id += 1
    for index, name in enumerate(n for n in params.parts if n in by_part):
        m = params.parts[name]
        gmsh.model.addPhysicalGroup(3, by_part[name], index + 1, name=name)
        regions.append(Region(name, index + 1, m.role or name, m.material, volume=volume_of(by_part[name])))
    regions += joints

    eps = 1e-3
    boundaries, planes = [], []
    for plane, component, box in (
        ("symmetry_x", 0, (-eps, y0 - 1, z0 - 1, eps, y1 + 1, z1 + 1)),
        ("symmetry_y", 1, (x0 - 1, -eps, z0 - 1, x1 + 1, eps, z1 + 1)),
    ):
        if (plane == "symmetry_x" and sym != "full") or (plane == "symmetry_y" and sym == "quarter"):
            surfaces = [t for _, t in gmsh.model.getEntitiesInBoundingBox(*box, dim=2)]
            gmsh.model.addPhysicalGroup(2, surfaces, BOUNDARY_TAGS[plane], name=plane)
            boundaries.append(Boundary(plane, BOUNDARY_TAGS[plane]))
            planes.append(SymmetryPlane(plane, component))
    points = np.array([gmsh.model.getValue(0, t, []) for _, t in gmsh.model.getEntities(0)]) * MODEL_UNIT
    supports = determinate_supports(points, sym)

    extent = np.array([x1 - x0, y1 - y0, z1 - z0]) * MODEL_UNIT
    joint_pieces = [p for pieces, name, _ in owners if params.parts[name].joint for p in pieces]
    extents = [np.ptp(np.reshape(gmsh.model.occ.getBoundingBox(3, p), (2, 3)), axis=0).min() for p in joint_pieces]
    joint_extent = float(min(extents, default=0.0)) * MODEL_UNIT
    max_size = mesh.max_size or float(extent.min())
    joint_size = mesh.joint_size or (joint_extent / 4 if joint_extent > 0 else max_size / 4)
    if joint_pieces:
        joint_tags = [(3, p) for p in joint_pieces]
        surfaces = [t for _, t in gmsh.model.getBoundary(joint_tags, combined=False, oriented=False)]
        set_size_field(sorted(set(surfaces)), joint_size, max_size, joint_size, 10 * joint_size)
    else:
        gmsh.option.setNumber("Mesh.MeshSizeMax", max_size / MODEL_UNIT)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", ELEMENTS_PER_TURN)
    info: dict[str, float | int | str] = {
        "file": params.path,
        "solids": len(solids),
        "joints": joint_id,
        "length_x": float(extent[0]),
        "length_y": float(extent[1]),
        "thickness": float(extent[2]),
        "copies": copies(sym),
        "joint_size": joint_size,
        "max_size": max_size,
    }
    return ModelDescription("step", sym, regions, boundaries, planes, supports, info)
