"""Cycles to failure of one joint from its interface-layer drivers, by the model the case chose.

Drivers (SI, per stabilized cycle, volume-averaged over the critical interface layer):
shear strain range dgamma (elastic and inelastic runs), inelastic strain-energy density dW [J/m^3]
and accumulated equivalent inelastic strain dp (inelastic runs only).

Models (equations and constants in :mod:`postprocess.life.solder`, data in ``life_models.toml``):

- ``engelmaier``: N_50 = 0.5 (dgamma / 2 eps_f')^(1/c), c(T_mean, f)   (IPC-SM-785; median life)
- ``darveaux``: N_63 = K1 dW^K2 + a / (K3 dW^K4), a = crack length      (Darveaux, ECTC 2000)
- ``syed_energy``: N_63 = (C' dW)^-1; ``syed_creep_strain``: N_63 = (C dp)^-1   (Syed, ECTC 2004)
- ``morrow``: N = (dW / W_f)^(1/m); ``coffin_manson``: N = 0.5 (dp / 2 gamma_f')^(1/c)  (user's fits)
- ``ipc_tr579``: copper strain-life, d_eps = N^-0.6 D_f^0.75 + 0.9 S_u/E [e^D_f/0.36]^(0.1785 log10(1e5/N))
  on the equivalent total mechanical strain range d_eps (IPC-TR-579; :mod:`postprocess.life.copper_strain_life`)

``auto``: a joint whose material a strain-life table lists in ``materials`` (copper: ``ipc_tr579``)
takes that model, elastic or inelastic run alike (the equation is fitted to the total strain range,
elastic + plastic, so an elastic run's strain range is a meaningful input); otherwise an inelastic
run takes the first energy model (Syed energy, then Darveaux) whose table lists the joint's material
in ``solders``; an elastic run, or no such table, takes Engelmaier on dgamma. A result is
``calibrated`` when the table's ``solders`` or ``materials`` lists the joint's material: otherwise
the number is an extrapolation of the correlation to a material it was not fitted for (gold has no
shipped strain-life table: its joints get Engelmaier, flagged uncalibrated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from postprocess.life import solder
from postprocess.life.constants import (
    CopperStrainLifeConstants,
    DarveauxConstants,
    EngelmaierConstants,
    SyedConstants,
    get,
    library,
)
from postprocess.life.copper_strain_life import cycles_from_strain_range

DEFAULT_TABLE = {
    "engelmaier": "engelmaier_snpb",
    "darveaux": "darveaux_snpb_2000",
    "syed_energy": "syed_sac_2004",
    "syed_creep_strain": "syed_sac_2004",
    "ipc_tr579": "ipc_tr579_copper",
}
"""Data table per model when the case names none."""

AUTO_ENERGY_MODELS = ("syed_energy", "darveaux")
"""Energy models ``auto`` tries, in order, for an inelastic run."""

AUTO_STRAIN_LIFE_MODELS = ("ipc_tr579",)
"""Strain-life models ``auto`` tries first, any run, for joints whose material a table lists in ``materials``."""


@dataclass(frozen=True)
class Drivers:
    """Interface-layer drivers of one joint (SI, per stabilized cycle); None where the run has none."""

    shear_strain_range: float
    energy_density: float | None = None
    inelastic_strain: float | None = None
    crack_length: float | None = None  # m (Darveaux)
    equivalent_strain_range: float | None = None  # von Mises equivalent total mechanical strain range


@dataclass(frozen=True)
class CycleConditions:
    """The cycle the drivers belong to: mean temperature [K] and frequency [Hz]."""

    mean_temperature: float
    frequency: float


@dataclass(frozen=True)
class ModelResult:
    """Cycles to failure of a joint and what produced them."""

    model: str  # e.g. "engelmaier"
    table: str  # data table, or "case" for user constants
    metric: str
    metric_value: float
    cycles_to_failure: float
    failure_percent: float  # the failed fraction the model's N stands for (50 = median, 63.2 = characteristic)
    calibrated: bool
    source: str

    @property
    def label(self) -> str:
        """``model:table`` as in life.csv."""
        return f"{self.model}:{self.table}"


def _solders(table: str) -> list[str]:
    """Materials the table was fitted to: its ``solders`` (solder models) and ``materials`` (metals)."""
    attributes = get(table).attributes
    return attributes.get("solders", "").split() + attributes.get("materials", "").split()


def _sources(table: str) -> str:
    d = get(table)
    return "; ".join(sorted({c.source.split(",")[0] for c in d.constants.values()}))


def auto_model(material: str, inelastic: bool, tables: dict[str, str]) -> str:
    """The model ``auto`` picks for a joint of ``material`` (see the module docstring)."""
    for model in AUTO_STRAIN_LIFE_MODELS:
        if material in _solders(tables.get(model, DEFAULT_TABLE[model])):
            return model
    if inelastic:
        for model in AUTO_ENERGY_MODELS:
            if material in _solders(tables.get(model, DEFAULT_TABLE[model])):
                return model
    return "engelmaier"


def joint_life(
    model: str,
    material: str,
    drivers: Drivers,
    cycle: CycleConditions,
    tables: dict[str, str],
    user_constants: dict[str, Any] | None = None,
) -> ModelResult:
    """Evaluate ``model`` (not ``auto``) for one joint; raises ValueError when a driver it needs is missing."""
    user_constants = user_constants or {}
    if model in ("morrow", "coffin_manson"):
        k = user_constants.get(model)
        if k is None:
            raise ValueError(f"model {model!r} needs the case's [life.{model}] constants")
        if model == "morrow":
            w = _need(drivers.energy_density, model, "inelastic energy density per cycle")
            n = solder.morrow_cycles(w, k.fatigue_energy_coefficient, k.exponent)
            return ModelResult(model, "case", "energy_density_range", w, n, 50.0, False, k.source)
        p = _need(drivers.inelastic_strain, model, "inelastic strain per cycle")
        n = solder.coffin_manson_cycles(p, k.fatigue_ductility_coefficient, k.fatigue_ductility_exponent)
        return ModelResult(model, "case", "inelastic_strain_range", p, n, 50.0, False, k.source)
    table = tables.get(model, DEFAULT_TABLE[model])
    data = get(table)
    percent = float(data.attributes.get("failure_percent", "50"))
    calibrated = material in _solders(table)
    source = _sources(table)
    if model == "engelmaier":
        dg = drivers.shear_strain_range
        n = solder.engelmaier_cycles(
            dg, cycle.mean_temperature, cycle.frequency, EngelmaierConstants.from_library(table)
        )
        return ModelResult(model, table, "shear_strain_range", dg, n, percent, calibrated, source)
    if model == "ipc_tr579":
        e = drivers.equivalent_strain_range
        if e is None or not math.isfinite(e):
            raise ValueError("life model 'ipc_tr579' needs the joint's equivalent strain range")
        n = cycles_from_strain_range(e, CopperStrainLifeConstants.from_library(table))
        return ModelResult(model, table, "equivalent_strain_range", e, n, percent, calibrated, source)
    if model == "darveaux":
        w = _need(drivers.energy_density, model, "inelastic energy density per cycle")
        a = _need(drivers.crack_length, model, "crack length")
        n = solder.darveaux_cycles(w, a, DarveauxConstants.from_library(table))
        return ModelResult(model, table, "energy_density_range", w, n, percent, calibrated, source)
    if model == "syed_energy":
        w = _need(drivers.energy_density, model, "inelastic energy density per cycle")
        n = solder.syed_energy_cycles(w, SyedConstants.from_library(table))
        return ModelResult(model, table, "energy_density_range", w, n, percent, calibrated, source)
    if model == "syed_creep_strain":
        p = _need(drivers.inelastic_strain, model, "inelastic strain per cycle")
        n = solder.syed_creep_strain_cycles(p, SyedConstants.from_library(table))
        return ModelResult(model, table, "inelastic_strain_range", p, n, percent, calibrated, source)
    raise ValueError(f"unknown life model {model!r}")


def _need(value: float | None, model: str, what: str) -> float:
    if value is None or not math.isfinite(value):
        raise ValueError(f"life model {model!r} needs the {what}: run with [solver] physics = 'inelastic'")
    return value


def norris_landzberg_table(material: str, requested: str) -> str:
    """The Norris-Landzberg table: ``requested``, or for 'auto' the one listing ``material`` (SnPb otherwise)."""
    if requested != "auto":
        return requested
    for key, data in library().items():
        if data.model == "norris_landzberg" and material in data.attributes.get("solders", "").split():
            return key
    return "norris_landzberg_snpb"
