"""Case parameters of ``step``: a CAD assembly (STEP) whose solids map to materials and joints by part name.

Example::

    [geometry]
    type = "step"
    path = "package.step"          # relative to the case file; units are taken from the file
    [geometry.parts]
    die = { material = "silicon" }
    bump = { material = "sac305", joint = true }          # every instance becomes one joint
    underfill = { material = "underfill_capillary", fill = true }  # yields where it overlaps other parts

Solids are fragmented into one conformal mesh. Where two solids overlap, the overlap goes
to the part that is not a ``fill``; two overlapping non-fill parts are an error.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from fem_package.cad_file import CadFileError, step_part_names
from fem_package.case.base import CaseModel
from fem_package.case.geometry_file import GroupMapping, check_role_materials


class StepPart(GroupMapping):
    """What one part (all solids of that name) of the assembly is."""

    fill: bool = Field(False, description="the part fills the gaps around others (underfill, mould): yields overlaps")


class StepGeometry(CaseModel):
    """A STEP assembly meshed by gmsh (OpenCASCADE)."""

    type: Literal["step"] = "step"
    path: str = Field(description="STEP file, relative to the case file (its length unit is honoured)")
    symmetry: Literal["quarter", "half", "full"] = Field(
        "full", description="modelled part; half keeps x >= 0, quarter x >= 0 and y >= 0 (planes at 0)"
    )
    parts: dict[str, StepPart] = Field(description="part name -> material, role, joint and fill flags")

    def roles(self) -> dict[str, str]:
        """Role -> default material (from the part table)."""
        return {(m.role or name): m.material for name, m in self.parts.items()}

    @field_validator("path")
    @classmethod
    def _readable(cls, path: str) -> str:
        try:
            step_part_names(path)
        except CadFileError as exc:
            raise ValueError(str(exc)) from None
        return path

    @model_validator(mode="after")
    def _matches_file(self) -> Self:
        try:
            names = step_part_names(self.path)
        except CadFileError as exc:
            raise ValueError(str(exc)) from None
        in_file = list(dict.fromkeys(names))
        unknown = [n for n in self.parts if n not in in_file]
        if unknown:
            raise ValueError(
                f"parts: {', '.join(repr(n) for n in unknown)} not in {self.path!r}; "
                f"its parts are: {', '.join(repr(n) for n in in_file)}"
            )
        unmapped = [n for n in in_file if n not in self.parts]
        if unmapped:
            raise ValueError(
                f"parts: no entry for part(s) {', '.join(repr(n) for n in unmapped)} of {self.path!r}; "
                "add e.g. parts.NAME = { material = 'silicon' }"
            )
        check_role_materials(self.parts, "parts")
        return self
