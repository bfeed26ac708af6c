"""``file``: a user's volume mesh loaded into gmsh as discrete entities, with regions and joints from the case.

The file is read with meshio (:mod:`fem_package.mesh_file`), scaled to the gmsh model unit,
and added as one discrete volume per named volume group and one discrete surface per named
surface group, so the rest of the pipeline (``model_to_mesh``, tags, quality check) is the
same as for the parametric builders. Cell tags: volume groups 1, 2, ... in file order;
joint groups ``1000 + joint id``. Facet tags: surface groups 1, 2, ...

Rigid-body motion is removed as in the parametric models: symmetry planes (surface groups
``symmetry_x`` / ``symmetry_y``) plus point supports at mesh vertices of the lowest z, chosen
so the supports are statically determinate (they carry no reaction under thermal load).
"""

from __future__ import annotations

import gmsh
import numpy as np

from fem_package.case.geometry_file import FileGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.mesh_file import read_mesh_file
from fem_package.model_description import Boundary, ModelDescription, PointSupport, Region, SymmetryPlane
from geometries.meshing import MODEL_UNIT
from geometries.symmetry import copies

JOINT_TAG0 = 1000


def tetra_volumes(points: np.ndarray, tetra: np.ndarray) -> np.ndarray:
    """Volumes |det[p1-p0, p2-p0, p3-p0]| / 6 of the tetrahedra."""
    p = points[tetra]
    return np.abs(np.einsum("ij,ij->i", p[:, 1] - p[:, 0], np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]))) / 6


def determinate_supports(points: np.ndarray, symmetry: str) -> list[PointSupport]:
    """Point supports at vertices of the lowest z that remove the rigid-body motion left by the planes.

    quarter: u_z at one vertex; half (plane x = 0): u_y, u_z at the bottom vertex of lowest y
    and u_z at the one of largest y; full: all three at P1, (u_y, u_z) at P2 (the farthest in x)
    and u_z at P3 (the farthest from the line P1 P2).
    """
    z = points[:, 2]
    span = float(np.ptp(points, axis=0).max())
    bottom = points[z <= z.min() + 1e-6 * span]
    if len(bottom) < 3:
        bottom = points
    as_tuple = lambda p: (float(p[0]), float(p[1]), float(p[2]))  # noqa: E731
    if symmetry == "quarter":
        return [PointSupport(as_tuple(bottom[0]), (2,))]
    if symmetry == "half":
        return [
            PointSupport(as_tuple(bottom[np.argmin(bottom[:, 1])]), (1, 2)),
            PointSupport(as_tuple(bottom[np.argmax(bottom[:, 1])]), (2,)),
        ]
    p1 = bottom[np.argmin(bottom[:, 0] + bottom[:, 1])]
    p2 = bottom[np.argmax(bottom[:, 0])]
    line = (p2 - p1) / max(float(np.linalg.norm(p2 - p1)), 1e-300)
    off = (bottom - p1) - np.outer((bottom - p1) @ line, line)
    p3 = bottom[np.argmax(np.linalg.norm(off, axis=1))]
    return [PointSupport(as_tuple(p1), (0, 1, 2)), PointSupport(as_tuple(p2), (1, 2)), PointSupport(as_tuple(p3), (2,))]


def cut_by_planes(points: np.ndarray, symmetry: str, span: float) -> tuple[bool, bool]:
    """(cut by x = 0, cut by y = 0): the part has at least a face (3 vertices) on a symmetry plane of the model.

    Such a joint is modelled in part; its axis lies in the plane (used for DNP and the shear metric).
    """
    tol = 1e-9 * span
    on_x = symmetry != "full" and int(np.sum(np.abs(points[:, 0]) < tol)) >= 3
    on_y = symmetry == "quarter" and int(np.sum(np.abs(points[:, 1]) < tol)) >= 3
    return bool(on_x), bool(on_y)


def build_from_file(params: FileGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add the file's mesh to the current gmsh model; regions and joints from ``params.groups``."""
    data = read_mesh_file(params.path)
    scale = params.length_unit / MODEL_UNIT
    used = np.unique(np.concatenate([data.tetra.ravel(), data.triangles.ravel()]))
    node_tags = used + 1  # gmsh node tags start at 1
    points_model = data.points[used] * scale
    points_si = data.points * params.length_unit

    regions: list[Region] = []
    volumes = tetra_volumes(points_si, data.tetra)
    sym = params.symmetry
    joint_id = 0
    first = True
    for index, name in enumerate(data.volume_groups):
        cells = data.tetra[data.tetra_group == index]
        entity = gmsh.model.addDiscreteEntity(3)
        if first:  # every node lives on the first entity; elements may use nodes of any entity
            gmsh.model.mesh.addNodes(3, entity, node_tags, points_model.ravel())
            first = False
        gmsh.model.mesh.addElementsByType(entity, 4, [], (cells + 1).ravel())
        m = params.groups[name]
        role = m.role or name
        vol = volumes[data.tetra_group == index]
        if m.joint:
            tag = JOINT_TAG0 + joint_id
            centroid = (points_si[cells].mean(axis=1) * vol[:, None]).sum(axis=0) / vol.sum()
            cut = cut_by_planes(points_si[np.unique(cells)], sym, float(np.ptp(points_si, axis=0).max()))
            center = (0.0 if cut[0] else float(centroid[0]), 0.0 if cut[1] else float(centroid[1]), float(centroid[2]))
            fraction = 0.5 ** sum(cut)
            regions.append(
                Region(name, tag, role, m.material, joint_id, center, m.multiplicity, fraction, float(vol.sum()))
            )
            joint_id += 1
        else:
            tag = index + 1
            regions.append(Region(name, tag, role, m.material, volume=float(vol.sum())))
        gmsh.model.addPhysicalGroup(3, [entity], tag, name=name)

    boundaries = []
    for index, name in enumerate(data.surface_groups):
        tris = data.triangles[data.triangle_group == index]
        entity = gmsh.model.addDiscreteEntity(2)
        gmsh.model.mesh.addElementsByType(entity, 2, [], (tris + 1).ravel())
        gmsh.model.addPhysicalGroup(2, [entity], index + 1, name=name)
        boundaries.append(Boundary(name, index + 1))

    planes = [SymmetryPlane(b, c) for b, c in (("symmetry_x", 0), ("symmetry_y", 1)) if b in data.surface_groups]
    planes = planes if sym != "full" else []
    supports = determinate_supports(points_si[used], sym)
    extent = np.ptp(points_si[used], axis=0)
    info: dict[str, float | int | str] = {
        "file": params.path,
        "joints": joint_id,
        "length_x": float(extent[0]),
        "length_y": float(extent[1]),
        "thickness": float(extent[2]),
        "copies": copies(sym),
    }
    return ModelDescription("file", sym, regions, boundaries, planes, supports, info)


build_from_file.premeshed = True  # type: ignore[attr-defined]
