"""Published life-model constants from ``fem_package/data/life_models.toml``.

Every constant is stored as published (value + the publication's unit) with a ``source`` and a
``checked`` note; the typed accessors below convert to SI (Pa, m, K, s) so the model functions
only ever see SI numbers.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fem_package.units import to_si

DATA_FILE = "life_models.toml"


@dataclass(frozen=True)
class Constant:
    """One published constant: the value in the publication's unit, and where it comes from."""

    value: float
    unit: str
    source: str
    checked: str


@dataclass(frozen=True)
class ModelData:
    """One table of ``life_models.toml``: a model, its constants and free-text attributes."""

    key: str
    model: str
    name: str
    constants: dict[str, Constant]
    attributes: dict[str, str]

    def value(self, name: str) -> float:
        """The published value of constant ``name`` (a ``KeyError`` lists the known ones)."""
        if name not in self.constants:
            raise KeyError(f"{self.key}: no constant {name!r}; known: {', '.join(sorted(self.constants))}")
        return self.constants[name].value


def _model_from_data(key: str, data: dict[str, Any]) -> ModelData:
    if "model" not in data:
        raise ValueError(f"data/{DATA_FILE}: [{key}] has no 'model'")
    constants: dict[str, Constant] = {}
    attributes: dict[str, str] = {}
    for name, entry in data.items():
        if isinstance(entry, dict):
            missing = [f for f in ("value", "unit", "source", "checked") if f not in entry]
            if missing:
                raise ValueError(f"data/{DATA_FILE}: [{key}.{name}] lacks {', '.join(missing)}")
            if not str(entry["source"]).strip():
                raise ValueError(f"data/{DATA_FILE}: [{key}.{name}] has an empty source")
            constants[name] = Constant(
                float(entry["value"]), str(entry["unit"]), str(entry["source"]), str(entry["checked"])
            )
        else:
            attributes[name] = str(entry)
    return ModelData(key, attributes["model"], attributes.get("name", key), constants, attributes)


@cache
def library() -> dict[str, ModelData]:
    """All model tables of the shipped data file, by key."""
    text = resources.files("fem_package").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return {key: _model_from_data(key, value) for key, value in tomllib.loads(text).items()}


def get(key: str, model: str | None = None) -> ModelData:
    """The table ``key``, optionally checking that it belongs to ``model``."""
    lib = library()
    if key not in lib:
        raise KeyError(f"unknown life-model data {key!r}; known: {', '.join(sorted(lib))}")
    data = lib[key]
    if model is not None and data.model != model:
        raise ValueError(f"life-model data {key!r} is for model {data.model!r}, not {model!r}")
    return data


# --- typed, SI constants -----------------------------------------------------------------------


@dataclass(frozen=True)
class EngelmaierConstants:
    """Engelmaier: c = c0 + c_temperature (T - 273.15 K) + c_frequency ln(1 + f * 86400 s/day)."""

    fatigue_ductility_coefficient: float
    c0: float
    c_temperature: float  # per kelvin of temperature difference (= per degree C)
    c_frequency: float

    @classmethod
    def from_library(cls, key: str = "engelmaier_snpb") -> EngelmaierConstants:
        d = get(key, "engelmaier")
        return cls(
            d.value("fatigue_ductility_coefficient"), d.value("c0"), d.value("c_temperature"), d.value("c_frequency")
        )


@dataclass(frozen=True)
class DarveauxConstants:
    """Darveaux in SI: N0 = k1 dW^k2 (dW in Pa), da/dN = k3 dW^k4 in m/cycle."""

    k1: float
    k2: float
    k3: float
    k4: float

    @classmethod
    def from_published(
        cls, k1: float, k2: float, k3: float, k4: float, energy_unit: str, length_unit: str
    ) -> DarveauxConstants:
        """Convert constants published for dW in ``energy_unit`` and crack length in ``length_unit``.

        N0 = K1 (dW/u)^K2 = K1 u^-K2 dW^K2 with u the SI size of one ``energy_unit``; likewise
        da/dN = l K3 u^-K4 dW^K4 with l the SI size of one ``length_unit``.
        """
        u = to_si(f"1 {energy_unit}", "[mass] / [length] / [time] ** 2")
        ell = to_si(f"1 {length_unit}", "[length]")
        return cls(k1 * u**-k2, k2, ell * k3 * u**-k4, k4)

    @classmethod
    def from_library(cls, key: str = "darveaux_snpb_2000") -> DarveauxConstants:
        d = get(key, "darveaux")
        return cls.from_published(
            d.value("K1"),
            d.value("K2"),
            d.value("K3"),
            d.value("K4"),
            d.attributes["energy_unit"],
            d.attributes["length_unit"],
        )


@dataclass(frozen=True)
class SyedConstants:
    """Syed in SI: N = 1 / (energy_coefficient W_acc), W_acc in Pa; N = 1 / (creep_strain_coefficient eps_acc)."""

    energy_coefficient: float  # 1/Pa
    creep_strain_coefficient: float

    @classmethod
    def from_library(cls, key: str = "syed_sac_2004") -> SyedConstants:
        d = get(key, "syed")
        e = d.constants["energy_coefficient"]
        per_pa = to_si(f"{e.value} {e.unit}", "[length] * [time] ** 2 / [mass]")
        return cls(per_pa, d.value("creep_strain_coefficient"))


@dataclass(frozen=True)
class NorrisLandzbergConstants:
    """AF = (dT_t/dT_f)^n (f_f/f_t)^m exp(activation_temperature (1/T_max,f - 1/T_max,t)), Ea/k in K."""

    n: float
    m: float
    activation_temperature: float

    @classmethod
    def from_library(cls, key: str) -> NorrisLandzbergConstants:
        d = get(key, "norris_landzberg")
        return cls(d.value("n"), d.value("m"), d.value("activation_temperature"))


@dataclass(frozen=True)
class CopperStrainLifeConstants:
    """IPC-TR-579 modified Manson-Coffin constants in SI (see :mod:`postprocess.life.copper_strain_life`).

    Attributes:
        ductility: D_f, the fatigue ductility of the copper as a fraction (0.30 = 30 %), 0 < D_f <= 2.
        ultimate_strength: S_u in Pa, > 0.
        youngs_modulus: E in Pa, > S_u (the modulus paired with S_u in the elastic term).
        key: the data table (named in error messages).
    """

    ductility: float
    ultimate_strength: float
    youngs_modulus: float
    key: str = "case"

    def __post_init__(self) -> None:
        checks = (
            ("ductility", self.ductility, 0.0 < self.ductility <= 2.0, "0 < D_f <= 2 (a fraction: 0.30 = 30 %)"),
            ("ultimate_strength", self.ultimate_strength, self.ultimate_strength > 0, "> 0 Pa"),
            (
                "youngs_modulus",
                self.youngs_modulus,
                self.youngs_modulus > self.ultimate_strength,
                f"> ultimate_strength = {self.ultimate_strength:g} Pa",
            ),
        )
        for name, value, ok, allowed in checks:
            if not (ok and math.isfinite(value)):
                raise ValueError(f"{self.key}.{name} = {value!r}: outside the allowed range {allowed}")

    @classmethod
    def from_library(cls, key: str = "ipc_tr579_copper") -> CopperStrainLifeConstants:
        d = get(key, "ipc_tr579")
        pa = "[mass] / [length] / [time] ** 2"
        su, e = d.constants["ultimate_strength"], d.constants["youngs_modulus"]
        return cls(
            d.value("ductility"),
            to_si(f"{su.value} {su.unit}", pa),
            to_si(f"{e.value} {e.unit}", pa),
            key,
        )
