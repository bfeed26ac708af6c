"""What the pipeline and the stress recovery need from a mechanics problem (displacement or mixed u-p)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from fem_package.case.solver import SolverSettings
from fem_package.tagged_mesh import TaggedMesh
from solvers.material_fields import CellProperties, RegionMaterial


class MechanicsProblem(Protocol):
    """A thermo-elastic problem set up on a tagged mesh and solved step by step.

    Implemented by :class:`solvers.thermoelastic.ThermoelasticProblem` and
    :class:`solvers.mixed_thermoelastic.MixedThermoelasticProblem`.
    """

    mesh: Any
    V: Any  # displacement space: further Dirichlet conditions live on it
    u: Any  # displacement (m)
    num_owned_cells: int
    cells: CellProperties
    timings: Any

    @property
    def num_dofs(self) -> int:
        """Global number of unknowns."""
        ...

    def solve(self, temperature: float | np.ndarray) -> Any:
        """Solve one load step at a uniform or per-cell temperature (K); returns its ``StepStats``."""
        ...

    def stress(self) -> Any:
        """UFL Cauchy stress of the current solution."""
        ...

    def mechanical_strain(self) -> Any:
        """UFL mechanical (total minus thermal) strain of the current solution."""
        ...

    def add_dirichlet(self, bc: Any) -> None:
        """Add a Dirichlet condition on ``V`` (or a sub-space)."""
        ...

    def dirichlet_values_changed(self) -> None:
        """The prescribed values changed: the next step solves whatever its temperature."""
        ...


ProblemFactory = Callable[[TaggedMesh, list[RegionMaterial], SolverSettings], MechanicsProblem]
"""A problem class (or any callable) that builds a problem from the mesh, the materials and the settings."""
