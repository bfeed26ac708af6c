"""The ``[solver]`` section: discretization and linear-solver options."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fem_package.case.base import CaseModel
from fem_package.case.inelastic import InelasticSettings


class SolverSettings(CaseModel):
    """Finite-element degree and the PETSc Krylov solver (CG + GAMG with the rigid-body near-nullspace)."""

    degree: Literal[1, 2] = Field(2, description="Lagrange degree of the displacement (2 = quadratic tetrahedra)")
    rtol: float = Field(1e-8, gt=0, lt=1, description="relative residual tolerance of the Krylov solver")
    max_iterations: int = Field(1000, ge=1, description="Krylov iteration limit")
    reuse_preconditioner: bool = Field(
        True, description="keep the first step's multigrid hierarchy while temperature changes the moduli"
    )
    petsc_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="PETSc options that override the defaults, e.g. {ksp_type = 'gmres'}"
    )
    physics: Literal["elastic", "inelastic"] = Field(
        "elastic", description="'elastic': independent steps; 'inelastic': history (creep, plasticity) over cycles"
    )
    inelastic: InelasticSettings = Field(
        default_factory=InelasticSettings, description="Newton and cycle settings of physics = 'inelastic'"
    )
