"""Per-cell material properties at a temperature: Lame constants and free thermal strain.

Each region (cell tag) has one material and one stress-free temperature T_ref. At a
uniform temperature T, or at its own temperature T_c given per cell, the cell gets

    lambda = E nu / ((1 + nu)(1 - 2 nu)),   mu = E / (2 (1 + nu)),
    eps_th = diag(integral_{T_ref}^{T} alpha_x, alpha_y, alpha_z dT),

with E(T), nu(T), alpha(T) from the material data (x-y in-plane, z out-of-plane).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fem_package.materials import Material


@dataclass(frozen=True)
class RegionMaterial:
    """The material of one region (cell tag) and its stress-free temperature in K."""

    tag: int
    material: Material
    stress_free_temperature: float


def lame(youngs_modulus: float, poisson_ratio: float) -> tuple[float, float]:
    """Lame constants (lambda, mu) from E and nu."""
    e, nu = youngs_modulus, poisson_ratio
    return e * nu / ((1 + nu) * (1 - 2 * nu)), e / (2 * (1 + nu))


class CellProperties:
    """Fills DG0 functions lambda, mu and eps_th (3 diagonal components) cell by cell."""

    def __init__(self, cell_tags: Any, num_cells: int, regions: list[RegionMaterial]):
        self.regions = regions
        index = {r.tag: i for i, r in enumerate(regions)}
        self.cell_region = np.full(num_cells, -1, dtype=np.int32)
        for tag, i in index.items():
            self.cell_region[cell_tags.indices[cell_tags.values == tag]] = i
        if np.any(self.cell_region < 0):
            missing = sorted(set(np.unique(cell_tags.values)) - set(index))
            raise ValueError(f"cells without a material: untagged cells or tags {missing}")

    def at(self, temperature: float | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-cell (lambda, mu, eps_th[n, 3]) at a uniform ``temperature`` (K) or per-cell temperatures."""
        if isinstance(temperature, np.ndarray):
            return self.at_cells(temperature)
        lam_mu = np.array(
            [
                lame(r.material["youngs_modulus"](temperature), r.material["poisson_ratio"](temperature))
                for r in self.regions
            ]
        )
        eps = np.array([r.material.thermal_strain(temperature, r.stress_free_temperature) for r in self.regions])
        i = self.cell_region
        return lam_mu[i, 0], lam_mu[i, 1], eps[i]

    def at_cells(self, temperature: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-cell (lambda, mu, eps_th[n, 3]) with each cell at its own temperature (K, one per local cell)."""
        t = np.asarray(temperature, dtype=float)
        if t.shape != self.cell_region.shape:
            raise ValueError(f"need one temperature per local cell ({self.cell_region.size}), got shape {t.shape}")
        lam, mu, eps = np.empty(t.size), np.empty(t.size), np.empty((t.size, 3))
        for i, r in enumerate(self.regions):
            cells = self.cell_region == i
            e, nu = r.material["youngs_modulus"].at(t[cells]), r.material["poisson_ratio"].at(t[cells])
            lam[cells], mu[cells] = lame(e, nu)  # type: ignore[arg-type]
            eps[cells] = r.material.thermal_strains(t[cells], r.stress_free_temperature)
        return lam, mu, eps

    def moduli_key(self, temperature: float | np.ndarray) -> tuple[float, ...]:
        """Values that decide the stiffness matrix: equal keys give equal matrices (of this rank's cells;
        with per-cell temperatures the key is rank-local, so callers compare it on every rank together)."""
        if isinstance(temperature, np.ndarray):
            lam, mu, _ = self.at_cells(temperature)
            return (hash(lam.tobytes()), hash(mu.tobytes()))
        return tuple(
            v
            for r in self.regions
            for v in (r.material["youngs_modulus"](temperature), r.material["poisson_ratio"](temperature))
        )
