"""Crack criteria on the thermal cycle's stresses and the moisture properties of cracked cells.

Parts of ``[hermeticity]``: where a criterion marks cells cracked, the hermeticity stage re-runs the
leak-path analysis and the moisture diffusion with those cells made of the "cracked" material and
reports both results side by side (``*_cracked`` files). Example::

    [[hermeticity.crack]]                 # metallization cracks when its von Mises range exceeds 150 MPa
    roles = ["metallization"]
    measure = "von_mises_range"
    strength = "150 MPa"

    [[hermeticity.crack]]                 # polymer frame / bondline peel: peak first principal stress
    roles = ["frame", "bondline"]
    measure = "max_principal_peak"
    strength = "60 MPa"

    [hermeticity.cracked]                 # optional: the cracked material (default data/moisture.toml [cracked])
    diffusivity = 8e-6                    # m^2/s at the data's reference temperature (25 C)
    saturated_concentration = 2.3e-4      # kg/m^3 at 100 % RH
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from pydantic import Field

from fem_package.case.base import CaseModel
from fem_package.moisture_data import MoistureProperties, moisture_library
from fem_package.units import Pressure

Measure = Literal["von_mises_peak", "von_mises_range", "max_principal_peak"]


class CrackCriterion(CaseModel):
    """Cells of ``roles`` crack where ``measure`` over the thermal cycle exceeds ``strength``.

    von_mises_peak: max over steps of sigma_vm; von_mises_range: max over step pairs (i, j) of
    sigma_vm(sigma_i - sigma_j) (the equivalent stress range of the cycle); max_principal_peak: max over
    steps of the largest principal stress (tension opening a crack, peel of a bondline).
    """

    roles: list[str] = Field(min_length=1, description="geometry roles the criterion applies to")
    measure: Measure = Field(description="von_mises_peak | von_mises_range | max_principal_peak")
    strength: Pressure = Field(gt=0, description="strength the measure is compared with [Pa]")


def unknown_crack_roles(criteria: Iterable[CrackCriterion], roles: Iterable[str]) -> list[str]:
    """Criterion roles that are not among ``roles`` (the geometry's)."""
    known = set(roles)
    return [r for c in criteria for r in c.roles if r not in known]


class CrackedMaterial(CaseModel):
    """Moisture transport in a cracked cell (a crack network of sub-cell width, homogenized).

    Unset values come from ``data/moisture.toml`` ``[cracked]`` (REPRESENTATIVE: 1 % gas-filled crack
    volume, tortuosity 3, water vapour in air). Values are at the data's reference temperature
    (``reference_temperature`` of ``[cracked]``, 25 C); the temperature dependence is the data's.
    """

    diffusivity: float | None = Field(
        None, gt=0, le=1e-3, description="water diffusivity of a cracked cell at 25 C [m^2/s]"
    )
    saturated_concentration: float | None = Field(
        None, gt=0, le=1e3, description="water per m^3 of cracked cell at 100 % RH, 25 C [kg/m^3]"
    )

    def properties(self) -> MoistureProperties:
        """The cracked cells' moisture properties (data defaults with the case's values)."""
        base = moisture_library().cracked
        out = base
        if self.diffusivity is not None:
            out = replace(out, diffusivity_ref=self.diffusivity, diffusivity_source="case file [hermeticity.cracked]")
        if self.saturated_concentration is not None:
            out = replace(
                out,
                saturated_concentration_ref=self.saturated_concentration,
                solubility_source="case file [hermeticity.cracked]",
            )
        return out
