"""Case settings of the leak-path analysis (routes from the outside into a cavity through permeable material).

Standalone as ``[leak_paths]`` (``flipstack leak-paths CASE`` or ``flipstack run``); meant to sit
under ``[hermeticity.leak_paths]`` once that section exists. Example::

    [leak_paths]
    cracked_permeability = 1e-12          # kg/(m s Pa), given to cells a crack criterion marks

    [[leak_paths.crack]]                  # metallization cracks when its von Mises range exceeds 150 MPa
    roles = ["metallization"]
    measure = "von_mises_range"
    strength = "150 MPa"

    [[leak_paths.crack]]                  # polymer frame / bondline peel: peak first principal stress
    roles = ["frame", "bondline"]
    measure = "max_principal_peak"
    strength = "60 MPa"
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field, field_validator

from fem_package.case.base import CaseModel
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


class LeakPathSettings(CaseModel):
    """Which boundary groups are outside and cavity, the cracked-cell permeability, the crack criteria."""

    enabled: bool = Field(True, description="run the leak-path analysis")
    outside: list[str] = Field(default_factory=lambda: ["outside"], description="boundary groups of the outer surface")
    cavity: list[str] = Field(
        default_factory=lambda: ["cavity_wall", "subcavity_wall"], description="boundary groups of the cavity walls"
    )
    cracked_permeability: float = Field(
        1e-12,
        gt=0,
        le=1e-6,
        description="water-vapour permeability given to cracked cells [kg/(m s Pa)]; REPRESENTATIVE default: "
        "about 4 x PDMS, i.e. more permeable than any intact polymer of the library",
    )
    crack: list[CrackCriterion] = Field(default_factory=list, description="crack criteria (none: intact only)")

    @field_validator("outside", "cavity")
    @classmethod
    def _not_empty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("needs at least one boundary group name")
        return v

    def unknown_roles(self, roles: Iterable[str]) -> list[str]:
        """Crack-criterion roles that are not among ``roles`` (the geometry's)."""
        known = set(roles)
        return [r for c in self.crack for r in c.roles if r not in known]
