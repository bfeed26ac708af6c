"""The ``[hermeticity.leak_paths]`` section: routes from the outside into a cavity through permeable material.

Run with the moisture stage (``[hermeticity] enabled = true``) on geometries that have cavity walls,
or alone by ``flipstack leak-paths CASE``. Example::

    [hermeticity.leak_paths]
    outside = ["outside"]                       # boundary groups of the outer surface
    cavity = ["cavity_wall", "subcavity_wall"]  # boundary groups of the cavity walls
    # temperature = "85 C"                      # of the permeabilities P = D S (default: the ambient's mean)

The crack criteria that re-run the analysis with cracked cells permeable are ``[[hermeticity.crack]]``
(:mod:`fem_package.case.cracking`): they apply to the leak paths and to the moisture diffusion alike.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from fem_package.case.base import CaseModel
from fem_package.units import Temperature


class LeakPathSettings(CaseModel):
    """Which boundary groups are outside and cavity; the temperature of the permeabilities."""

    enabled: bool = Field(True, description="find the leak routes (geometries with cavity walls only)")
    outside: list[str] = Field(default_factory=lambda: ["outside"], description="boundary groups of the outer surface")
    cavity: list[str] = Field(
        default_factory=lambda: ["cavity_wall", "subcavity_wall"], description="boundary groups of the cavity walls"
    )
    temperature: Temperature | None = Field(
        None,
        description="temperature of the permeabilities P = D S of data/moisture.toml (unset: the ambient's "
        "time-mean temperature over the duration) [K]",
    )

    @field_validator("outside", "cavity")
    @classmethod
    def _not_empty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("needs at least one boundary group name")
        return v

    @field_validator("temperature")
    @classmethod
    def _temperature_range(cls, v: float | None) -> float | None:
        if v is not None and not 233.15 <= v <= 473.15:
            raise ValueError(f"temperature = {v - 273.15:.1f} C is outside -40 C - 200 C")
        return v
