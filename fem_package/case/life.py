"""The ``[life]`` section: fatigue-life models, interface layer, Weibull population and mission profile.

Present in the case file -> the run turns its stabilized cycle into per-joint lives (``life.csv``,
``life.xdmf``, ``life_map.png``, ``hysteresis.csv`` and the ``life`` section of summary.json). Example::

    [life]
    weibull_shape = 7.0                 # beta of the joints' life distribution (from test data)
    interface_thickness = "10 um"       # averaging layer at each pad interface
    model = "auto"                      # engelmaier darveaux syed_energy syed_creep_strain ipc_tr579 morrow ...
    models = { mass = "engelmaier" }    # per joint role (bump, mass, lead, ...) overrides
    constants = { engelmaier = "engelmaier_snpb" }   # data table of fem_package/data/life_models.toml per model
    mission_profile = "field.csv"       # optional: 'time [h],temperature [C]' history, rainflow + Miner

``auto``: a copper joint (a table of fem_package/data/life_models.toml lists its material in
``materials``) uses the IPC-TR-579 copper strain-life equation ``ipc_tr579`` on the von Mises
equivalent of the interface-layer mechanical strain range, in elastic and inelastic runs; otherwise
an inelastic run uses an energy model whose data table lists the joint's material in ``solders``
(Darveaux for SnPb, Syed for SAC); otherwise (elastic run, or no calibrated energy model) Engelmaier
with the interface-layer shear strain range. Gold has no shipped strain-life constants.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Literal, Self

from pydantic import Field, model_validator

from fem_package.case.base import CaseModel
from fem_package.units import Length, Pressure

LifeModel = Literal[
    "auto", "engelmaier", "darveaux", "syed_energy", "syed_creep_strain", "ipc_tr579", "morrow", "coffin_manson"
]
FUSIBLE_JOINT_MODELS = ("auto", "engelmaier", "ipc_tr579")
"""Life models of a fusible joint (a material with a phase_change law, inelastic run): strain-range models
over its solid stretches (auto gives Engelmaier); energy and creep drivers would be melt and freeze work."""
DATA_MODEL = {
    "engelmaier": "engelmaier",
    "darveaux": "darveaux",
    "syed_energy": "syed",
    "syed_creep_strain": "syed",
    "norris_landzberg": "norris_landzberg",
    "ipc_tr579": "ipc_tr579",
}
"""Case model name -> ``model`` of its tables in life_models.toml (morrow/coffin_manson take the case's constants)."""


class MorrowConstants(CaseModel):
    """Morrow's energy law W = W_f N^m of the user's own fit (flipstack ships no Morrow constants)."""

    fatigue_energy_coefficient: Pressure = Field(gt=0, description="W_f [J/m^3]")
    exponent: float = Field(lt=0, description="m < 0")
    source: str = Field(min_length=1, description="where the fit comes from (printed with the results)")


class CoffinMansonConstants(CaseModel):
    """Coffin-Manson d(gamma_p)/2 = gamma_f' (2N)^c on the inelastic shear strain range (user's fit)."""

    fatigue_ductility_coefficient: float = Field(gt=0, description="gamma_f'")
    fatigue_ductility_exponent: float = Field(lt=0, description="c < 0")
    source: str = Field(min_length=1, description="where the fit comes from")


class LifeSettings(CaseModel):
    """Fatigue-life evaluation after the mechanics (see the module docstring)."""

    weibull_shape: float = Field(gt=0, le=50, description="Weibull shape beta of the joint lives (from test data)")
    interface_thickness: Length = Field(
        10e-6, gt=0, le=1e-3, description="thickness of the averaging layer at each pad interface [m]"
    )
    model: LifeModel = Field("auto", description="life model of every joint without an entry in 'models'")
    models: dict[str, LifeModel] = Field(default_factory=dict, description="life model per joint role")
    constants: dict[str, str] = Field(
        default_factory=dict, description="data table in life_models.toml per model (engelmaier, darveaux, ...)"
    )
    morrow: MorrowConstants | None = Field(None, description="constants of model = 'morrow'")
    coffin_manson: CoffinMansonConstants | None = Field(None, description="constants of model = 'coffin_manson'")
    mission_profile: str | None = Field(
        None, description="CSV 'time [unit],temperature [unit]' of the field history (rainflow + Miner)"
    )
    norris_landzberg: str = Field("auto", description="Norris-Landzberg data table, or 'auto' (by solder)")
    corner_radius: Length = Field(
        100e-6, gt=0, description="radius around the die corner for the interface (delamination) stresses [m]"
    )
    hysteresis_joints: int = Field(4, ge=1, le=100, description="joints (most critical first) in hysteresis.csv")

    @model_validator(mode="after")
    def _known_constants(self) -> Self:
        tables = life_model_tables()
        for name, key in self.constants.items():
            if name not in DATA_MODEL:
                raise ValueError(
                    f"life.constants.{name}: not a model with data tables; allowed: {', '.join(DATA_MODEL)}"
                )
            if tables.get(key) != DATA_MODEL[name]:
                known = sorted(k for k, m in tables.items() if m == DATA_MODEL[name])
                raise ValueError(f"life.constants.{name} = {key!r}: no such {name} table; known: {', '.join(known)}")
        if self.norris_landzberg != "auto" and tables.get(self.norris_landzberg) != "norris_landzberg":
            known = sorted(k for k, m in tables.items() if m == "norris_landzberg")
            raise ValueError(
                f"life.norris_landzberg = {self.norris_landzberg!r}: unknown; allowed: auto, {', '.join(known)}"
            )
        chosen = {self.model, *self.models.values()}
        for name in ("morrow", "coffin_manson"):
            if name in chosen and getattr(self, name) is None:
                raise ValueError(f"life: model {name!r} needs its constants in [life.{name}]")
        return self


def life_model_tables() -> dict[str, str]:
    """Table key -> model of fem_package/data/life_models.toml (for validating the case's choices)."""
    text = resources.files("fem_package").joinpath("data", "life_models.toml").read_text(encoding="utf-8")
    return {k: str(v.get("model")) for k, v in tomllib.loads(text).items() if isinstance(v, dict)}
