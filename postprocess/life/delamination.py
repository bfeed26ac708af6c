"""Delamination indicator: interface peel and shear stress in the compliant layers at the die corner.

The die corner (largest x, y of the die, at its lower face z_d) is where the CTE mismatch drives the
highest interface stresses in underfill, adhesive and gel layers (Suhir, J. Appl. Mech. 53 (1986) 657:
peel and shear peak at the free edge of a bonded bi-material). For every such layer role, the
cells within a radius r of the corner give per step the volume averages of the
peel stress sigma_zz and the interface shear |(sigma_xz, sigma_yz)| (the traction on a horizontal
interface; "within r" = a vertex of the cell within r, so a coarse mesh still gives the cells at the
corner); their peaks over the steps are the indicator, to compare with the interface strength.
The neighbourhood average is mesh-insensitive; the stress at the corner itself is singular.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mpi4py import MPI


class CornerStresses:
    """Peak peel and shear near the die corner per layer role.

    Args:
        comm: communicator; every rank passes its owned cells.
        cell_vertices: (n, 4, 3) vertex coordinates of the cells [m].
        role_masks: role -> (n,) bool of the role's cells.
        volumes: (n,) m^3.
        corner: (3,) die corner [m].
        radius: neighbourhood radius r [m].
    """

    def __init__(
        self,
        comm: Any,
        cell_vertices: np.ndarray,
        role_masks: dict[str, np.ndarray],
        volumes: np.ndarray,
        corner: np.ndarray,
        radius: float,
    ):
        self.comm = comm
        distance = np.linalg.norm(cell_vertices - np.asarray(corner)[None, None, :], axis=2)
        near = distance.min(axis=1) <= radius  # cells reaching into the neighbourhood
        self.masks = {role: m & near for role, m in role_masks.items()}
        self.volumes = volumes
        self.volume = {role: comm.allreduce(float(volumes[m].sum())) for role, m in self.masks.items()}
        self.corner = np.asarray(corner, dtype=float)
        self.radius = radius
        self.peel = {role: -np.inf for role in self.masks}
        self.shear = {role: 0.0 for role in self.masks}
        self.peak_cell_peel = {role: -np.inf for role in self.masks}
        self.peel_step: dict[str, int] = {}

    def add_step(self, step: int, stress: np.ndarray) -> None:
        """Fold in one step's owned-cell stress tensors (n, 3, 3) [Pa]."""
        for role, m in self.masks.items():
            if self.volume[role] <= 0:
                continue
            w = self.volumes[m]
            s = stress[m]
            local = np.array([np.dot(w, s[:, 2, 2]), np.dot(w, s[:, 0, 2]), np.dot(w, s[:, 1, 2])])
            szz, sxz, syz = self.comm.allreduce(local) / self.volume[role]
            if szz > self.peel[role]:
                self.peel[role] = float(szz)
                self.peel_step[role] = step
            self.shear[role] = max(self.shear[role], float(np.hypot(sxz, syz)))
            cell = float(s[:, 2, 2].max()) if len(s) else -np.inf
            self.peak_cell_peel[role] = max(self.peak_cell_peel[role], self.comm.allreduce(cell, op=MPI.MAX))

    def summary(self) -> dict[str, Any]:
        """Per role: peak averaged peel and shear stress [Pa], their step, neighbourhood volume; the corner."""
        roles: dict[str, Any] = {}
        for role in self.masks:
            if self.volume[role] <= 0:
                roles[role] = {"note": f"no {role} cell within {self.radius:.3g} m of the die corner"}
                continue
            roles[role] = {
                "peak_peel_stress_Pa": self.peel[role],
                "peak_peel_step": self.peel_step.get(role),
                "peak_shear_stress_Pa": self.shear[role],
                "peak_cell_peel_stress_Pa": self.peak_cell_peel[role],
                "volume_m3": self.volume[role],
            }
        return {"corner_m": [float(c) for c in self.corner], "radius_m": self.radius, "layers": roles}
