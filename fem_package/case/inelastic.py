"""The ``[solver.inelastic]`` section: Newton, load-increment refinement and cycle convergence.

Used when ``[solver] physics = "inelastic"``: the materials keep their history (creep,
plasticity, viscoelasticity, melting) and the thermal cycle is repeated until the inelastic
strain energy density per cycle of the critical joint settles.
"""

from __future__ import annotations

from pydantic import Field

from fem_package.case.base import CaseModel
from fem_package.units import Time


class NewtonSettings(CaseModel):
    """Newton's method per load increment (residual and increment criteria, line search, step cutting)."""

    residual_rtol: float = Field(
        1e-6, gt=0, lt=1, description="residual norm relative to the largest initial residual of the run so far"
    )
    residual_atol: float = Field(
        1e-14, ge=0, description="absolute residual norm [N] below which an increment is converged"
    )
    increment_tol: float = Field(
        1e-10, ge=0, lt=1, description="converged when |du| <= increment_tol |u| (0 disables this criterion)"
    )
    max_iterations: int = Field(25, ge=1, le=500, description="Newton iterations before the increment is cut")
    line_search: bool = Field(True, description="backtracking line search on the residual norm")
    min_step: Time = Field(1e-3, gt=0, description="smallest time increment a cut step may reach [s]")
    krylov_rtol: float = Field(
        1e-6,
        gt=0,
        lt=1,
        description="relative tolerance of the Krylov solve in each Newton iteration ([solver] rtol is the elastic "
        "solves'); the Newton residual test, not this, sets the accuracy of the result",
    )
    krylov_forcing: bool = Field(
        False,
        description="inexact Newton: the Krylov tolerance follows the Newton residual (Eisenstat-Walker) "
        "instead of krylov_rtol (never tighter than it); fewer Krylov, more Newton iterations",
    )


class InelasticSettings(CaseModel):
    """Load-increment refinement and the cycle-convergence rule of an inelastic run."""

    newton: NewtonSettings = Field(default_factory=NewtonSettings)
    substeps_per_ramp: int = Field(2, ge=1, le=1000, description="increments per load step on a ramp")
    dwell_substeps: int = Field(
        6, ge=1, le=40, description="increments per dwell step, geometrically growing (ratio 2) for creep"
    )
    phase_change_substeps: int = Field(
        4, ge=0, le=1000, description="increments between solidus and liquidus when a ramp crosses them"
    )
    ramp_start_substeps: int = Field(
        3,
        ge=1,
        le=20,
        description="a ramp that starts from a dwell or reverses the previous ramp splits its first increment into "
        "this many, halving towards the ramp's start (stresses reverse there and creep is fastest); 1 keeps equal "
        "increments",
    )
    assembly_cooldown: Time = Field(
        600.0,
        ge=0,
        le=86400,
        description="time over which regions cool from their own stress-free temperature (e.g. an underfill's "
        "cure) to the start temperature before the first load step, so solder creeps while the mismatch "
        "builds up [s]; 0 applies the mismatch at once, elastically",
    )
    cycle_tolerance: float = Field(
        0.05, gt=0, lt=1, description="stop when the critical joint's energy per cycle changes by less than this"
    )
    max_cycles: int = Field(10, ge=1, le=1000, description="most thermal cycles solved (at least [load] cycles)")
