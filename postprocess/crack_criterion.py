"""Cells cracked by the thermal cycle: stress measures per cell over the steps, compared with strengths.

Measures (per cell, DG0 stress of each load step, SI):

* von_mises_peak = max_i sigma_vm(sigma_i), sigma_vm(s) = sqrt(3/2 dev(s) : dev(s));
* von_mises_range = max_{i<j} sigma_vm(sigma_i - sigma_j): the equivalent (von Mises) stress range of
  the cycle, the usual fatigue driver of a metal film (stress-range form of the ASME VIII-2 5.5.3
  equivalent stress range; the pair giving the largest value is searched);
* max_principal_peak = max_i lambda_max(sigma_i): the largest principal stress, tension that opens a
  crack or peels a bondline (Rankine criterion for brittle polymers / interfaces).

A cell cracks where any criterion whose roles include the cell's role exceeds its strength. The
hermeticity stage then makes cracked cells of the cracked material (``[hermeticity.cracked]``, data
``[cracked]`` of ``data/moisture.toml``) in the leak paths and the moisture diffusion: a crack is treated
as a very permeable medium of the cell's size (flow through a real crack of sub-cell width is not resolved).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fem_package.case.cracking import CrackCriterion


def von_mises(stress: np.ndarray) -> np.ndarray:
    """sigma_vm of (n, 3, 3) stress tensors."""
    s = stress - np.trace(stress, axis1=1, axis2=2)[:, None, None] / 3 * np.eye(3)
    return np.sqrt(1.5 * np.einsum("nij,nij->n", s, s))


def max_principal(stress: np.ndarray) -> np.ndarray:
    """Largest principal stress of (n, 3, 3) tensors (symmetric part)."""
    sym = 0.5 * (stress + np.swapaxes(stress, 1, 2))
    return np.linalg.eigvalsh(sym)[:, -1]


class StressHistory:
    """Per-cell stress measures accumulated over the load steps of one rank's owned cells."""

    def __init__(self) -> None:
        self._steps: list[np.ndarray] = []

    def add(self, stress: np.ndarray) -> None:
        """Record one step's (n, 3, 3) cell stresses."""
        self._steps.append(np.asarray(stress, dtype=float).copy())

    def measures(self) -> dict[str, np.ndarray]:
        """Every measure per cell (zeros without steps would be meaningless: needs at least one step)."""
        if not self._steps:
            raise ValueError("no load step recorded")
        peak_vm = np.max([von_mises(s) for s in self._steps], axis=0)
        peak_p1 = np.max([max_principal(s) for s in self._steps], axis=0)
        rng = np.zeros_like(peak_vm)
        for i in range(len(self._steps)):
            for j in range(i + 1, len(self._steps)):
                rng = np.maximum(rng, von_mises(self._steps[i] - self._steps[j]))
        return {"von_mises_peak": peak_vm, "von_mises_range": rng, "max_principal_peak": peak_p1}


@dataclass
class CrackResult:
    """Cracked cells and the utilisation (measure / strength, largest over the criteria) of every cell."""

    cracked: np.ndarray  # (n,) bool
    utilisation: np.ndarray  # (n,) float, 0 where no criterion applies


def cracked_cells(
    measures: dict[str, np.ndarray], cell_role: np.ndarray, criteria: list[CrackCriterion]
) -> CrackResult:
    """Mark cells whose role has a criterion and whose measure exceeds the strength."""
    n = len(cell_role)
    util = np.zeros(n)
    for c in criteria:
        applies = np.isin(cell_role, c.roles)
        util = np.where(applies, np.maximum(util, measures[c.measure] / c.strength), util)
    return CrackResult(util > 1.0, util)
