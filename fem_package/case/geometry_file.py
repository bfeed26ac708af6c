"""Case parameters of ``file``: a user's volume mesh with named groups mapped to materials and joints.

Example::

    [geometry]
    type = "file"
    path = "stack.msh"          # relative to the case file
    length_unit = "1 mm"        # one coordinate unit of the file
    [geometry.groups]
    die = { material = "silicon" }
    bump_a = { role = "bump", material = "sac305", joint = true }

Every volume group of the file needs an entry; surface groups are optional and become
named boundaries (``symmetry_x`` / ``symmetry_y`` are the planes x = 0 / y = 0 of a
half or quarter model).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from fem_package.case.base import CaseModel
from fem_package.mesh_file import MeshFileError, read_mesh_file
from fem_package.units import Length


class GroupMapping(CaseModel):
    """What one volume group of the file is."""

    material: str = Field(description="material id (see `flipstack materials`)")
    role: str | None = Field(None, description="role for [materials] assignment; default: the group name")
    joint: bool = Field(False, description="the group is one interconnect (bump, lead...): per-joint results")
    multiplicity: int = Field(1, ge=1, description="joints of the full package this group stands for")


def check_role_materials(table: Mapping[str, GroupMapping], key: str) -> None:
    """Refuse two entries of one role with different materials (materials are assigned per role)."""
    materials: dict[str, str] = {}
    for name, m in table.items():
        role = m.role or name
        if materials.setdefault(role, m.material) != m.material:
            raise ValueError(
                f"{key}.{name}: role {role!r} has two materials ({materials[role]!r} and {m.material!r}); "
                "give them different roles"
            )


class FileGeometry(CaseModel):
    """A volume mesh from a file (gmsh .msh, or any format meshio reads: .inp, .vtu, .med ...)."""

    type: Literal["file"] = "file"
    path: str = Field(description="mesh file, relative to the case file")
    length_unit: Length = Field(description="length of one coordinate unit of the file, e.g. '1 mm' [m]")
    symmetry: Literal["quarter", "half", "full"] = Field(
        "full", description="modelled part; half/quarter need surface groups symmetry_x (and symmetry_y)"
    )
    groups: dict[str, GroupMapping] = Field(description="volume group name -> material, role, joint flag")

    def roles(self) -> dict[str, str]:
        """Role -> default material (from the group table)."""
        return {(m.role or name): m.material for name, m in self.groups.items()}

    @field_validator("path")
    @classmethod
    def _readable(cls, path: str) -> str:
        try:
            read_mesh_file(path)
        except MeshFileError as exc:
            raise ValueError(str(exc)) from None
        return path

    @model_validator(mode="after")
    def _matches_file(self) -> Self:
        try:
            data = read_mesh_file(self.path)
        except MeshFileError as exc:
            raise ValueError(str(exc)) from None
        in_file = set(data.volume_groups)
        unknown = [name for name in self.groups if name not in in_file]
        if unknown:
            raise ValueError(
                f"groups: {', '.join(repr(n) for n in unknown)} not in {self.path!r}; "
                f"its volume groups are: {', '.join(data.volume_groups)}"
            )
        missing = [name for name in data.volume_groups if name not in self.groups]
        if missing:
            raise ValueError(
                f"groups: no entry for volume group(s) {', '.join(repr(n) for n in missing)} of {self.path!r}; "
                "add e.g. groups.NAME = {{ material = 'silicon' }}".replace("{{", "{").replace("}}", "}")
            )
        check_role_materials(self.groups, "groups")
        needed = {"half": ["symmetry_x"], "quarter": ["symmetry_x", "symmetry_y"]}.get(self.symmetry, [])
        absent = [n for n in needed if n not in data.surface_groups]
        if absent:
            raise ValueError(
                f"symmetry = {self.symmetry!r} needs surface group(s) {', '.join(absent)} in {self.path!r} "
                f"(it has: {', '.join(data.surface_groups) or 'none'})"
            )
        return self
