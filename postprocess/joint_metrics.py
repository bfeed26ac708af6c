"""Per-joint and per-region stress and strain metrics over the load steps.

For each joint (bump) j with owned cells c, cell volumes V_c and DG0 results per step s:

- peak von Mises: max_{s, c} sigma_vm(c, s) (mesh-sensitive at re-entrant corners),
- volume-averaged von Mises: max_s sum_c V_c sigma_vm / sum_c V_c (mesh-insensitive),
- shear strain: the volume-averaged transverse engineering shear strain vector
  gamma_bar(s) = (gamma_xz, gamma_yz); its peak magnitude max_s |gamma_bar(s)| and its
  range over the history max_{s, t} |gamma_bar(s) - gamma_bar(t)|, the cyclic driver
  in Engelmaier's model (IPC-SM-785).

A joint cut in half by a symmetry plane x = 0 (or y = 0) is modelled by its half: gamma_xz
(gamma_yz) is odd about that plane, so its average over the whole joint is zero, while the
half's average is not. That component is set to zero for cut joints, which gives the whole
joint's value.

Sums and maxima are reduced over MPI ranks, so every rank gets identical numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from mpi4py import MPI

from fem_package.model_description import Region


@dataclass
class JointResult:
    """Metrics of one joint, SI units."""

    joint_id: int
    name: str
    dnp: float
    x: float
    y: float
    multiplicity: int
    fraction: float
    peak_von_mises: float
    peak_step: int
    mean_von_mises: float
    shear_strain_peak: float
    shear_strain_range: float

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON and CSV."""
        return asdict(self)


CENTRE_TOLERANCE = 1e-9
"""m: a modelled-in-part joint whose axis lies this close to x = 0 (y = 0) is cut by that plane."""


def cut_by_symmetry_planes(region: Region) -> tuple[bool, bool]:
    """(cut by x = 0, cut by y = 0) for a joint modelled in part (fraction < 1)."""
    if region.joint_id is None or region.fraction >= 1.0 or region.joint_center is None:
        return False, False
    x, y, _ = region.joint_center
    return abs(x) < CENTRE_TOLERANCE, abs(y) < CENTRE_TOLERANCE


class JointMetrics:
    """Accumulates per-joint and per-region metrics step by step."""

    def __init__(self, comm: Any, regions: list[Region], cell_tags: np.ndarray, cell_volumes: np.ndarray):
        """``cell_tags`` and ``cell_volumes`` are per owned cell (numpy)."""
        self.comm = comm
        self.regions = regions
        self.tag_index = {r.tag: i for i, r in enumerate(regions)}
        self.cell_region = np.array([self.tag_index[t] for t in cell_tags], dtype=np.int64)
        self.volumes = cell_volumes
        n = len(regions)
        self.region_volume = comm.allreduce(np.bincount(self.cell_region, weights=cell_volumes, minlength=n))
        self.peak_vm = np.zeros(n)
        self.peak_step = np.zeros(n, dtype=np.int64)
        self.mean_vm = np.zeros(n)
        self.gamma_history: list[np.ndarray] = []  # per step: (n, 2)
        self.cut_components = np.array([cut_by_symmetry_planes(r) for r in regions], dtype=bool).reshape(n, 2)

    def _region_sum(self, values: np.ndarray) -> np.ndarray:
        w = values * self.volumes[:, None] if values.ndim == 2 else values * self.volumes
        if values.ndim == 2:
            local = np.stack(
                [
                    np.bincount(self.cell_region, weights=w[:, k], minlength=len(self.regions))
                    for k in range(values.shape[1])
                ],
                axis=1,
            )
        else:
            local = np.bincount(self.cell_region, weights=w, minlength=len(self.regions))
        return self.comm.allreduce(local)

    def region_average(self, values: np.ndarray) -> np.ndarray:
        """Volume average per region of a per-owned-cell quantity (e.g. energy dissipated in a cycle), all ranks."""
        vol = np.where(self.region_volume > 0, self.region_volume, 1.0)
        return self._region_sum(values) / vol

    def add_step(self, step: int, von_mises: np.ndarray, shear_strain: np.ndarray) -> None:
        """Fold in one step's owned-cell von Mises (n,) and shear strain (n, 2)."""
        n = len(self.regions)
        local_max = np.full(n, -np.inf)
        np.maximum.at(local_max, self.cell_region, von_mises)
        step_max = np.empty(n)
        self.comm.Allreduce(local_max, step_max, op=MPI.MAX)
        better = step_max > self.peak_vm
        self.peak_vm[better] = step_max[better]
        self.peak_step[better] = step
        vol = np.where(self.region_volume > 0, self.region_volume, 1.0)
        self.mean_vm = np.maximum(self.mean_vm, self._region_sum(von_mises) / vol)
        self.gamma_history.append(self._region_sum(shear_strain) / vol[:, None])

    def joints(self) -> list[JointResult]:
        """Results of every joint region, by joint id."""
        g = np.stack(self.gamma_history)  # (steps, regions, 2)
        out = []
        for r in self.regions:
            if r.joint_id is None:
                continue
            i = self.tag_index[r.tag]
            gi = np.where(self.cut_components[i], 0.0, g[:, i, :])
            diff = gi[:, None, :] - gi[None, :, :]
            x, y, _ = r.joint_center or (0.0, 0.0, 0.0)
            out.append(
                JointResult(
                    joint_id=r.joint_id,
                    name=r.name,
                    dnp=r.dnp or 0.0,
                    x=x,
                    y=y,
                    multiplicity=r.multiplicity,
                    fraction=r.fraction,
                    peak_von_mises=float(self.peak_vm[i]),
                    peak_step=int(self.peak_step[i]),
                    mean_von_mises=float(self.mean_vm[i]),
                    shear_strain_peak=float(np.linalg.norm(gi, axis=1).max()),
                    shear_strain_range=float(np.linalg.norm(diff, axis=2).max()),
                )
            )
        return sorted(out, key=lambda j: j.joint_id)

    def regions_peak(self) -> dict[str, dict[str, float]]:
        """Peak and volume-averaged von Mises of every non-joint region, by region name."""
        return {
            r.name: {
                "peak_von_mises": float(self.peak_vm[i]),
                "mean_von_mises": float(self.mean_vm[i]),
                "volume": float(self.region_volume[i]),
            }
            for i, r in enumerate(self.regions)
            if r.joint_id is None
        }
