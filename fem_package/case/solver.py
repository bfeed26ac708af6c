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
    formulation: Literal["auto", "displacement", "mixed"] = Field(
        "auto",
        description="displacement (P1/P2 u) or mixed u-p (Taylor-Hood P2/P1, free of volumetric locking); "
        "auto picks mixed when a material exceeds incompressible_poisson_ratio at a step temperature "
        "(physics = 'inelastic': also when a phase-change material melts within the load's temperatures)",
    )
    incompressible_poisson_ratio: float = Field(
        0.49,
        ge=0.0,
        lt=0.5,
        description="materials with a larger Poisson ratio (bulk/shear modulus ratio above 2(1+nu)/(3(1-2nu)), "
        "49.7 at 0.49) are nearly incompressible: their mean stress is the mixed formulation's pressure field",
    )
    mixed_linear_solver: Literal["auto", "fieldsplit", "direct"] = Field(
        "auto",
        description="mixed formulation: Schur-complement fieldsplit (GAMG on u, K/mu-weighted pressure mass "
        "matrix), the direct MUMPS LU factorization, or auto (direct up to 250k unknowns, else fieldsplit)",
    )
