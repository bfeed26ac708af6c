"""Interface layers of the joints: the cells within a thickness t of each joint's pad interfaces.

Energy-based solder fatigue correlations (Darveaux 2000, Syed 2004) average the inelastic work
per cycle over a thin layer of elements at the pad interface, where the crack runs; the average
over a fixed physical thickness (here ``t``, default 10 um) is far less mesh-sensitive than the
peak cell value (Darveaux, ECTC 2000; Che & Pang, J. Electron. Packag. 2004).

Finding the interfaces from the mesh topology (no geometry parameters needed):

1. A vertex is *on the joint boundary* when it belongs to a joint cell and to a non-joint cell
   (the flag comes from the caller, reduced over MPI ranks, so it is rank-independent).
2. A face of a joint cell whose three vertices are on the boundary and whose unit normal is
   roughly vertical (|n_z| >= ``normal_tolerance``, default 0.9, i.e. within 25.8 degrees of
   horizontal) is an *interface face*: the faces the joint shares with its pads, UBM, contacts or
   lead anchors. The joint's sides (against underfill or gel) have lateral normals and drop out.
3. The interface faces of a joint are split at the mid-height of their z range into the
   *bottom* (substrate-side) and *top* (die-side) interface; each plane sits at the area-weighted
   mean z of its faces.
4. The layer of an interface: the joint's cells whose centroid lies within ``t`` of the plane,
   on the joint side. When these cells fill less than half of the slab t A (the mesh is coarser
   than the layer, so few centroids lie that close), the layer is widened by the *first cell
   layer*: every joint cell with a face on the interface. The layer thickness actually used is
   reported as V_layer / A_interface (t for a slab the cells fill, the mean first-layer height in
   the fallback).

Averages are volume weighted, x_bar = sum_c V_c x_c / sum_c V_c over the layer, reduced over ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from mpi4py import MPI

SIDES = ("bottom", "top")
FILL_FRACTION = 0.5
"""A band layer holding less than this fraction of t * A falls back to the first cell layer."""
FACES = tuple(tuple(f) for f in combinations(range(4), 3))
"""The four faces of a tetrahedron as local vertex triples."""


@dataclass(frozen=True)
class LayerInfo:
    """One interface layer of one joint (SI; global over ranks)."""

    joint_id: int
    side: str
    plane_z: float  # m
    interface_area: float  # m^2 (of the modelled part of the joint)
    volume: float  # m^3
    thickness: float  # m, volume / area
    cells: int
    first_cell_layer: bool  # True when the fallback was used

    @property
    def equivalent_diameter(self) -> float:
        """sqrt(4 A / pi) of the modelled interface (the pad diameter of a whole round joint)."""
        return float(np.sqrt(4.0 * self.interface_area / np.pi))


def _face_geometry(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit normals, areas and centroids of triangles given as (n, 3, 3) vertex coordinates."""
    cross = np.cross(points[:, 1] - points[:, 0], points[:, 2] - points[:, 0])
    norm = np.linalg.norm(cross, axis=1)
    normal = cross / np.where(norm > 0, norm, 1.0)[:, None]
    return normal, 0.5 * norm, points.mean(axis=1)


class InterfaceLayers:
    """The two interface layers of every joint, and volume averages over them.

    Args:
        comm: communicator (mpi4py); every rank passes its owned cells.
        cell_vertices: (n, 4, 3) vertex coordinates of the owned cells (tetrahedra).
        boundary_vertex: (n, 4) bool, vertex on the boundary between a joint and a non-joint region.
        cell_joint: (n,) joint id of each cell, -1 outside joints.
        cell_volumes: (n,) m^3.
        thickness: layer thickness t in m.
        joint_ids: every joint id of the model (also those with no cell on this rank).
        normal_tolerance: |n_z| above which a face counts as horizontal.
    """

    def __init__(
        self,
        comm: Any,
        cell_vertices: np.ndarray,
        boundary_vertex: np.ndarray,
        cell_joint: np.ndarray,
        cell_volumes: np.ndarray,
        thickness: float,
        joint_ids: list[int],
        normal_tolerance: float = 0.9,
    ):
        if thickness <= 0:
            raise ValueError(f"interface layer thickness must be > 0, got {thickness}")
        self.comm = comm
        self.joint_ids = list(joint_ids)
        self.thickness = thickness
        self.volumes = np.asarray(cell_volumes, dtype=float)
        index = {j: k for k, j in enumerate(self.joint_ids)}
        n_joints = len(self.joint_ids)
        cell_joint = np.asarray(cell_joint)
        in_joint = cell_joint >= 0
        slot = np.array([index.get(int(j), -1) if j >= 0 else -1 for j in cell_joint], dtype=np.int64)
        centroid_z = cell_vertices[:, :, 2].mean(axis=1)

        # interface faces of joint cells: all three vertices on the boundary, horizontal
        face_cell, face_area, face_z = [], [], []
        for f in FACES:
            on = in_joint & boundary_vertex[:, list(f)].all(axis=1)
            if not on.any():
                continue
            normal, area, centre = _face_geometry(cell_vertices[on][:, list(f)])
            flat = np.abs(normal[:, 2]) >= normal_tolerance
            cells = np.flatnonzero(on)[flat]
            face_cell.append(cells)
            face_area.append(area[flat])
            face_z.append(centre[flat, 2])
        fc = np.concatenate(face_cell) if face_cell else np.zeros(0, dtype=np.int64)
        fa = np.concatenate(face_area) if face_area else np.zeros(0)
        fz = np.concatenate(face_z) if face_z else np.zeros(0)
        fslot = slot[fc]

        zmin = np.full(n_joints, np.inf)
        zmax = np.full(n_joints, -np.inf)
        np.minimum.at(zmin, fslot, fz)
        np.maximum.at(zmax, fslot, fz)
        comm.Allreduce(MPI.IN_PLACE, zmin, op=MPI.MIN)  # buffer reduction: element-wise on arrays
        comm.Allreduce(MPI.IN_PLACE, zmax, op=MPI.MAX)
        missing = [self.joint_ids[k] for k in range(n_joints) if not np.isfinite(zmin[k])]
        if missing:
            raise ValueError(f"joints {missing} have no horizontal interface with a pad (no pad faces found)")
        mid = 0.5 * (zmin + zmax)
        face_side = (fz > mid[fslot]).astype(np.int64)  # 0 bottom, 1 top
        area = np.zeros((n_joints, 2))
        moment = np.zeros((n_joints, 2))
        np.add.at(area, (fslot, face_side), fa)
        np.add.at(moment, (fslot, face_side), fa * fz)
        area = comm.allreduce(area)
        moment = comm.allreduce(moment)
        if np.any(area[:, 1] <= 0) or np.any(zmax - zmin <= 0):
            one_level = [self.joint_ids[k] for k in range(n_joints) if area[k, 1] <= 0 or zmax[k] - zmin[k] <= 0]
            raise ValueError(f"joints {one_level} have pad faces at one height only: no bottom and top interface")
        self.plane_z = moment / area
        self.area = area

        # layer cells: centroid within t of the plane, inside the joint (sign by side)
        n_cells = len(cell_joint)
        self.n_joints = n_joints
        self.layer_slot = np.full((2, n_cells), -1, dtype=np.int64)  # per side: joint slot of each layer cell
        for s in (0, 1):
            z_plane = self.plane_z[np.maximum(slot, 0), s]
            depth = (centroid_z - z_plane) * (1.0 if s == 0 else -1.0)
            band = in_joint & (slot >= 0) & (depth >= 0) & (depth <= thickness)
            self.layer_slot[s, band] = slot[band]
        band_volume = comm.allreduce(self._sum(self.volumes))
        self.fallback = band_volume < FILL_FRACTION * thickness * self.area
        for k, s in zip(*np.nonzero(self.fallback), strict=True):  # add the first cell layer
            self.layer_slot[s, fc[(fslot == k) & (face_side == s)]] = k
        self.layer_volume = comm.allreduce(self._sum(self.volumes))
        self.cells = comm.allreduce(self._count())

    def _count(self) -> np.ndarray:
        return np.stack(
            [np.bincount(self.layer_slot[s][self.layer_slot[s] >= 0], minlength=self.n_joints) for s in (0, 1)],
            axis=1,
        ).astype(np.int64)

    def _sum(self, weighted: np.ndarray) -> np.ndarray:
        """Local per-layer sums of per-cell ``weighted`` (n,) or (n, m): (joints, 2[, m])."""
        out = []
        for s in (0, 1):
            keep = self.layer_slot[s] >= 0
            idx = self.layer_slot[s][keep]
            w = weighted[keep]
            if w.ndim == 1:
                out.append(np.bincount(idx, weights=w, minlength=self.n_joints))
            else:
                out.append(
                    np.stack([np.bincount(idx, weights=w[:, m], minlength=self.n_joints) for m in range(w.shape[1])], 1)
                )
        return np.stack(out, axis=1)

    def info(self) -> list[LayerInfo]:
        """Per joint and side (bottom, top): plane, area, volume, thickness used, fallback flag."""
        return [
            LayerInfo(
                joint_id=j,
                side=SIDES[s],
                plane_z=float(self.plane_z[k, s]),
                interface_area=float(self.area[k, s]),
                volume=float(self.layer_volume[k, s]),
                thickness=float(self.layer_volume[k, s] / self.area[k, s]),
                cells=int(self.cells[k, s]),
                first_cell_layer=bool(self.fallback[k, s]),
            )
            for k, j in enumerate(self.joint_ids)
            for s in (0, 1)
        ]

    def average(self, values: np.ndarray) -> np.ndarray:
        """Volume average over every layer of per-owned-cell ``values`` (n,) or (n, m): (joints, 2[, m])."""
        v = np.asarray(values, dtype=float)
        weighted = v * self.volumes if v.ndim == 1 else v * self.volumes[:, None]
        vol = np.where(self.layer_volume > 0, self.layer_volume, 1.0)
        total = self.comm.allreduce(self._sum(weighted))
        return total / (vol if v.ndim == 1 else vol[..., None])

    def cell_mask(self) -> np.ndarray:
        """(n,) float: 1 on bottom-layer cells, 2 on top-layer cells (3 on both), 0 elsewhere (for ParaView)."""
        return (self.layer_slot[0] >= 0).astype(float) + 2.0 * (self.layer_slot[1] >= 0)
