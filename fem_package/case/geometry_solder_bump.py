"""Case parameters of the ``solder_bump`` baseline: Si die, SAC305 bumps on Cu pads, underfill, substrate.

Defaults describe a small perimeter-array flip chip (5 mm die, 400 um pitch) of the kind
used in thermal-cycling qualification; every figure can be changed in the case file.
"""

from __future__ import annotations

import math
from typing import Literal, Self

from pydantic import Field, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.joint_array import fitting_count, grid_positions
from fem_package.units import Length, format_length


class SolderBumpGeometry(CaseModel):
    """Flip chip with a solder-bump array, centred on the origin (the neutral point)."""

    type: Literal["solder_bump"] = "solder_bump"
    symmetry: Literal["quarter", "half", "full"] = Field("quarter", description="modelled part of the package")
    die_length: Length = Field(5e-3, gt=0, description="die extent along x [m]")
    die_width: Length = Field(5e-3, gt=0, description="die extent along y [m]")
    die_thickness: Length = Field(0.5e-3, gt=0, description="die thickness [m]")
    substrate_length: Length = Field(10e-3, gt=0, description="substrate extent along x [m]")
    substrate_width: Length = Field(10e-3, gt=0, description="substrate extent along y [m]")
    substrate_thickness: Length = Field(0.8e-3, gt=0, description="substrate thickness [m]")
    pitch: Length = Field(400e-6, gt=0, description="bump pitch, both directions [m]")
    bump_diameter: Length = Field(250e-6, gt=0, description="largest diameter of the solder bump [m]")
    standoff: Length = Field(180e-6, gt=0, description="solder height between the two pads [m]")
    pad_thickness: Length = Field(20e-6, gt=0, description="Cu pad thickness on die and substrate [m]")
    array: Literal["full", "perimeter"] = Field("perimeter", description="full area array or perimeter rows")
    rows: int = Field(2, ge=1, description="number of perimeter rows (array = 'perimeter')")
    bumps_x: int | None = Field(None, ge=1, description="bumps along x; default: as many as fit the die")
    bumps_y: int | None = Field(None, ge=1, description="bumps along y; default: as many as fit the die")
    underfill: bool = Field(True, description="fill the gap under the die with underfill")

    def roles(self) -> dict[str, str]:
        """Role -> default material."""
        roles = {"die": "silicon", "pad": "copper", "bump": "sac305", "substrate": "fr4"}
        if self.underfill:
            roles["underfill"] = "underfill_capillary"
        return roles

    @property
    def pad_diameter(self) -> float:
        """Diameter where the truncated-sphere bump meets its pads, in m.

        The bump is a sphere of diameter D cut by two planes a standoff h apart,
        symmetric about its centre: d_pad = 2 sqrt((D/2)^2 - (h/2)^2).
        """
        return 2.0 * math.sqrt(max((self.bump_diameter / 2) ** 2 - (self.standoff / 2) ** 2, 0.0))

    def counts(self) -> tuple[int, int]:
        """Bumps along x and y (given, or as many as fit the die at the pitch)."""
        nx = fitting_count(self.bumps_x, self.die_length, self.pitch)
        ny = fitting_count(self.bumps_y, self.die_width, self.pitch)
        return nx, ny

    def bump_positions(self) -> list[tuple[float, float]]:
        """(x, y) of every bump of the full package, centred on the origin, row by row."""
        return grid_positions(*self.counts(), self.pitch, array=self.array, rows=self.rows)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        d, p, h = self.bump_diameter, self.pitch, self.standoff
        if d >= p:
            raise ValueError(f"bump_diameter = {format_length(d)} must be smaller than pitch = {format_length(p)}")
        if h >= d:
            raise ValueError(
                f"standoff = {format_length(h)} must be smaller than bump_diameter = {format_length(d)} "
                "(the bump is a truncated sphere)"
            )
        if h < 0.2 * d:
            raise ValueError(
                f"standoff = {format_length(h)} must be at least 0.2 x bump_diameter = {format_length(0.2 * d)}"
            )
        for die_key, sub_key in (("die_length", "substrate_length"), ("die_width", "substrate_width")):
            if getattr(self, die_key) > getattr(self, sub_key):
                raise ValueError(
                    f"{die_key} = {format_length(getattr(self, die_key))} must not exceed "
                    f"{sub_key} = {format_length(getattr(self, sub_key))} (die larger than substrate)"
                )
        nx, ny = self.counts()
        for n, key, size, size_key in (
            (nx, "bumps_x", self.die_length, "die_length"),
            (ny, "bumps_y", self.die_width, "die_width"),
        ):
            span = (n - 1) * p + d
            if span > size:
                raise ValueError(
                    f"{key} = {n} bumps at pitch {format_length(p)} span {format_length(span)}, "
                    f"more than {size_key} = {format_length(size)}: the array does not fit the die "
                    f"(at most {int((size - d) / p) + 1} bumps)"
                )
        if self.array == "perimeter" and 2 * self.rows >= min(nx, ny):
            raise ValueError(
                f"rows = {self.rows} perimeter rows need more than {2 * self.rows} bumps per side; "
                f"the array has {min(nx, ny)} (use array = 'full' or fewer rows, at most {(min(nx, ny) - 1) // 2})"
            )
        return self
