"""The case file: every section, cross-checks between sections, and loading from TOML."""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any, Self

import tomli_w
from pydantic import BaseModel, Field, ValidationError, model_validator

from fem_package import materials as material_library
from fem_package.case.base import CaseModel
from fem_package.case.errors import CaseError, describe_validation_error
from fem_package.case.geometry import GEOMETRY_MODELS, GeometryParams
from fem_package.case.geometry_solder_bump import SolderBumpGeometry
from fem_package.case.hermeticity import HermeticitySettings
from fem_package.case.life import FUSIBLE_JOINT_MODELS, LifeSettings
from fem_package.case.load import ThermalLoad
from fem_package.case.materials import MaterialsSection
from fem_package.case.mesh import MeshSettings
from fem_package.case.output import OutputSettings
from fem_package.case.solver import SolverSettings
from fem_package.case.thermal import ThermalSettings
from fem_package.materials import Material


class Case(CaseModel):
    """A whole flipstack case: geometry, materials, load, mesh, solver and output settings."""

    title: str = Field("flipstack case", description="free text shown in the report")
    geometry: GeometryParams = Field(default_factory=SolderBumpGeometry)
    materials: MaterialsSection = Field(default_factory=MaterialsSection)
    load: ThermalLoad = Field(default_factory=ThermalLoad)
    mesh: MeshSettings = Field(default_factory=MeshSettings)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    output: OutputSettings = Field(default_factory=OutputSettings)
    hermeticity: HermeticitySettings = Field(default_factory=HermeticitySettings)
    thermal: ThermalSettings = Field(default_factory=ThermalSettings)
    life: LifeSettings | None = Field(None, description="fatigue life after the mechanics (present = on)")

    @model_validator(mode="after")
    def _materials_exist(self) -> Self:
        roles = self.geometry.roles()
        known = material_library.library()
        for role, key in self.materials.assign.items():
            if role not in roles:
                raise ValueError(
                    f"materials.assign.{role}: unknown role for geometry '{self.geometry.type}'; "
                    f"allowed roles: {', '.join(roles)}"
                )
            if key not in known:
                raise ValueError(
                    f"materials.assign.{role} = {key!r}: unknown material; known: {', '.join(sorted(known))}"
                )
        for role, key in roles.items():
            if role not in self.materials.assign and key not in known:
                raise ValueError(
                    f"geometry role {role!r}: material {key!r} is unknown; known: {', '.join(sorted(known))}"
                )
        for key, override in self.materials.overrides.items():
            if key not in known:
                raise ValueError(f"materials.overrides.{key}: unknown material; known: {', '.join(sorted(known))}")
            try:
                known[key].with_overrides(override.values())
            except ValueError as exc:
                raise ValueError(f"materials.overrides.{key}: {exc}") from None
        self.hermeticity.check_roles(roles)
        self._check_fusible_life_models(roles)
        return self

    def _check_fusible_life_models(self, roles: dict[str, str]) -> None:
        """Fusible materials (phase_change law) of an inelastic run fatigue only while solid: strain-range models."""
        from fem_package.constitutive_data import PhaseChangeParameters, law_for

        if self.life is None or self.solver.physics != "inelastic":
            return
        for role in roles:
            key = "life.models." + role if role in self.life.models else "life.model"
            choice = self.life.models.get(role, self.life.model)
            material = self.materials.assign.get(role, roles[role])
            if choice not in FUSIBLE_JOINT_MODELS and isinstance(law_for(material), PhaseChangeParameters):
                raise ValueError(
                    f"{key} = {choice!r}: role {role!r} is fusible ({material}, phase_change law), whose energy and "
                    f"creep drivers would be melt and freeze work, not solid-phase fatigue; allowed: "
                    + ", ".join(FUSIBLE_JOINT_MODELS)
                )

    def material_of(self, role: str) -> Material:
        """The material of ``role`` with the case's overrides applied."""
        key = self.materials.assign.get(role, self.geometry.roles()[role])
        override = self.materials.overrides.get(key)
        base = material_library.get(key)
        return base.with_overrides(override.values()) if override else base

    def stress_free_temperature(self, role: str) -> float:
        """Stress-free temperature of ``role`` in K: the material's own (cure) value or the load's default."""
        prop = self.material_of(role).get("stress_free_temperature")
        return prop(0.0) if prop is not None else self.load.stress_free_temperature

    def to_toml(self) -> str:
        """The validated case in SI units as TOML (unset values left out): re-runnable as it is."""

        def drop_none(x: Any) -> Any:
            if isinstance(x, dict):
                return {k: drop_none(v) for k, v in x.items() if v is not None}
            if isinstance(x, list):
                return [drop_none(v) for v in x]
            return x

        return tomli_w.dumps(drop_none(self.model_dump(mode="json")))

    def digest(self) -> str:
        """SHA-256 of the resolved case (canonical JSON): identical cases give identical hashes."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _allowed_keys(model: type[BaseModel], prefix: str = "") -> dict[str, list[str]]:
    out = {prefix: list(model.model_fields)}
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(_allowed_keys(ann, f"{prefix}.{name}" if prefix else name))
    return out


def validate_case(raw: dict[str, Any]) -> Case:
    """Validate a parsed case; bad input raises :class:`CaseError` with one message line per problem."""
    try:
        return Case.model_validate(raw)
    except ValidationError as exc:
        allowed = _allowed_keys(Case)
        gtype = raw.get("geometry", {}).get("type", "solder_bump") if isinstance(raw.get("geometry"), dict) else None
        if gtype in GEOMETRY_MODELS:
            allowed.update(_allowed_keys(GEOMETRY_MODELS[gtype], "geometry"))
        raise CaseError(describe_validation_error(exc, raw, allowed)) from None


def load_case(path: Path | None) -> Case:
    """Read and validate a TOML case file; ``None`` gives the built-in default case."""
    if path is None:
        return default_case()
    path = Path(path)
    if not path.is_file():
        raise CaseError(f"case file {str(path)!r} does not exist")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise CaseError(f"{path}: not a UTF-8 text file") from None
    return validate_case(_paths_relative_to(raw, path.parent))


FILE_KEYS: tuple[tuple[str, ...], ...] = (
    ("geometry", "path"),
    ("hermeticity", "climate_file"),
    ("thermal", "map", "file"),
    ("life", "mission_profile"),
)
"""Case keys that name files; relative names are relative to the case file's folder."""


def _paths_relative_to(raw: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A copy of ``raw`` with the relative file names of :data:`FILE_KEYS` resolved against ``folder``."""
    raw = copy.deepcopy(raw)
    for keys in FILE_KEYS:
        node: Any = raw
        for key in keys[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get(keys[-1]), str):
            target = Path(node[keys[-1]]).expanduser()
            if not target.is_absolute():
                node[keys[-1]] = str(folder / target)
    return raw


DEFAULT_CASE: dict[str, Any] = {
    "title": "Built-in default: SAC305 perimeter-array flip chip with underfill, JESD22-A104 G",
    "geometry": {
        "type": "solder_bump",
        "symmetry": "quarter",
        "die_length": "4 mm",
        "die_width": "4 mm",
        "substrate_length": "8 mm",
        "substrate_width": "8 mm",
        "pitch": "500 um",
        "bump_diameter": "300 um",
        "standoff": "220 um",
        "rows": 1,
    },
    "load": {"profile": "JESD22-A104-G", "cycles": 1, "steps_per_ramp": 1, "steps_per_dwell": 1},
    "mesh": {"max_size": "1 mm", "joint_size": "80 um"},
}
"""The case `flipstack run` solves without a case file: coarse, under a minute on 2 cores."""


def default_case() -> Case:
    """The built-in default case."""
    return validate_case(DEFAULT_CASE)
