"""The ``[materials]`` section: which material each role of the geometry is made of, and overrides."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from fem_package.case.base import CaseModel
from fem_package.units import PerKelvin, Pressure, Temperature, UnitString, to_si

_Conductivity = Annotated[
    float,
    BeforeValidator(lambda v: to_si(v, "[mass] * [length] / [time] ** 3 / [temperature]")),
    UnitString("150 W/(m K)"),
]
_Density = Annotated[float, BeforeValidator(lambda v: to_si(v, "[mass] / [length] ** 3")), UnitString("2330 kg/m^3")]
_SpecificHeat = Annotated[
    float,
    BeforeValidator(lambda v: to_si(v, "[length] ** 2 / [time] ** 2 / [temperature]")),
    UnitString("700 J/(kg K)"),
]


class MaterialOverride(CaseModel):
    """Constant values that replace a material's data (the source becomes 'case file override')."""

    youngs_modulus: Pressure | None = Field(None, gt=0, description="Young's modulus [Pa]")
    poisson_ratio: float | None = Field(None, gt=-1.0, lt=0.5, description="Poisson's ratio [-]")
    cte: PerKelvin | None = Field(None, ge=-1e-4, le=1e-3, description="isotropic CTE [1/K]")
    cte_in_plane: PerKelvin | None = Field(None, ge=-1e-4, le=1e-3, description="in-plane (x-y) CTE [1/K]")
    cte_out_of_plane: PerKelvin | None = Field(None, ge=-1e-4, le=1e-3, description="out-of-plane (z) CTE [1/K]")
    thermal_conductivity: _Conductivity | None = Field(None, gt=0, description="[W/(m K)]")
    density: _Density | None = Field(None, gt=0, description="[kg/m^3]")
    specific_heat: _SpecificHeat | None = Field(None, gt=0, description="[J/(kg K)]")
    stress_free_temperature: Temperature | None = Field(None, description="[K]")

    def values(self) -> dict[str, float]:
        """The overridden properties only."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class MaterialsSection(CaseModel):
    """``assign`` maps geometry roles to material ids; ``overrides`` changes values of a material."""

    assign: dict[str, str] = Field(default_factory=dict, description="role -> material id")
    overrides: dict[str, MaterialOverride] = Field(default_factory=dict, description="material id -> values")
