"""Case parameters of the ``laminate`` geometry: a rectangular stack of uniform layers.

The laminate is the verification workhorse (free expansion of a block, Timoshenko's
bimetal strip) and a quick first look at any layered build-up (die on substrate, glass
cover on wafer) before the interconnects are modelled.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from fem_package.case.base import CaseModel
from fem_package.units import Length

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Layer(CaseModel):
    """One layer, from the bottom (z = 0) upwards."""

    name: str = Field(description="role name of the layer, used to assign its material")
    material: str = Field(description="material id from `flipstack materials`")
    thickness: Length = Field(gt=0, description="layer thickness [m]")

    @field_validator("name")
    @classmethod
    def _lower_name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("must be lowercase letters, digits and '_', starting with a letter")
        return v


class LaminateGeometry(CaseModel):
    """Rectangular stack of layers centred on the z axis; symmetry planes x = 0 and y = 0."""

    type: Literal["laminate"] = "laminate"
    symmetry: Literal["quarter", "half", "full"] = Field("quarter", description="modelled part of the stack")
    length: Length = Field(gt=0, description="extent along x [m]")
    width: Length = Field(gt=0, description="extent along y [m]")
    layers: list[Layer] = Field(min_length=1, max_length=32, description="layers from bottom to top")

    @field_validator("layers")
    @classmethod
    def _unique_names(cls, v: list[Layer]) -> list[Layer]:
        names = [layer.name for layer in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"layer names must be unique; repeated: {', '.join(dup)}")
        return v

    def roles(self) -> dict[str, str]:
        """Role -> default material."""
        return {layer.name: layer.material for layer in self.layers}
