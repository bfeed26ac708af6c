"""Moisture-transport data of the material library (``data/moisture.toml``), typed.

Each permeable material has a diffusivity and a saturated concentration with Arrhenius
temperature dependence (see the header of the data file):

    D(T) = D0 exp(-Ed / (R T)),                      D0 = D_ref exp(Ed / (R T_ref)),
    S(T) = S_ref exp(-Hs / R (1/T - 1/T_ref)),        S_ref = C_sat,ref / p_sat(T_ref)   (Henry's law),
    C_sat(T) = S(T) p_sat(T)                          (kg/m^3 at 100 % RH; C = C_sat RH in equilibrium).

Which materials are barriers is decided by the material's category: the data file lists the
permeable and the impermeable categories explicitly (metals, solders, semiconductors, glasses,
ceramics, intermetallics are impermeable); a material of a permeable category without data,
or of a category in neither list, is an error, never a silent default. This is the one rule of
both hermeticity analyses: the moisture diffusion and the leak-path ranking (whose permeability is
P = D S of this file at the temperature of interest, :meth:`MoistureProperties.permeability`).

``[cracked]`` holds the properties of cells a crack criterion marks cracked (a homogenized crack
network; :class:`fem_package.case.cracking.CrackedMaterial` lets a case override them).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fem_package import materials as material_library
from fem_package.materials import Material
from fem_package.water_vapour import GAS_CONSTANT, saturation_pressure


@dataclass(frozen=True)
class MoistureProperties:
    """Fickian water transport in one material (SI; temperatures in K)."""

    key: str
    reference_temperature: float
    diffusivity_ref: float  # m^2/s at T_ref
    activation_energy: float  # J/mol
    saturated_concentration_ref: float  # kg/m^3 at T_ref, 100 % RH
    heat_of_solution: float  # J/mol
    diffusivity_source: str
    solubility_source: str

    @property
    def d0(self) -> float:
        """Pre-exponential factor D0 of D(T) = D0 exp(-Ed/RT) in m^2/s."""
        return self.diffusivity_ref * math.exp(self.activation_energy / (GAS_CONSTANT * self.reference_temperature))

    def diffusivity(self, temperature: float) -> float:
        """D(T) in m^2/s."""
        return self.d0 * math.exp(-self.activation_energy / (GAS_CONSTANT * temperature))

    def solubility(self, temperature: float) -> float:
        """Henry coefficient S(T) in kg/(m^3 Pa): C = S p_v."""
        s_ref = self.saturated_concentration_ref / float(saturation_pressure(self.reference_temperature))
        return s_ref * math.exp(
            -self.heat_of_solution / GAS_CONSTANT * (1 / temperature - 1 / self.reference_temperature)
        )

    def saturated_concentration(self, temperature: float) -> float:
        """C_sat(T) = S(T) p_sat(T) in kg/m^3 (equilibrium with saturated vapour)."""
        return self.solubility(temperature) * float(saturation_pressure(temperature))

    def permeability(self, temperature: float) -> float:
        """Vapour permeability P = D S in kg/(m s Pa)."""
        return self.diffusivity(temperature) * self.solubility(temperature)


@dataclass(frozen=True)
class MoistureLibrary:
    """The moisture data and the category rule."""

    permeable_categories: frozenset[str]
    impermeable_categories: frozenset[str]
    rule_source: str
    properties: dict[str, MoistureProperties]
    cracked: MoistureProperties

    def is_permeable(self, material: Material) -> bool:
        """True for a water-permeable material; raises ``ValueError`` for an unclassified category."""
        if material.category in self.impermeable_categories:
            return False
        if material.category in self.permeable_categories:
            return True
        raise ValueError(
            f"material {material.key!r}: category {material.category!r} is neither permeable "
            f"({', '.join(sorted(self.permeable_categories))}) nor impermeable "
            f"({', '.join(sorted(self.impermeable_categories))}) in data/moisture.toml"
        )

    def of(self, material: Material) -> MoistureProperties | None:
        """Moisture properties of ``material``, None for a barrier; raises ``ValueError`` if data are missing."""
        if not self.is_permeable(material):
            return None
        if material.key not in self.properties:
            raise ValueError(
                f"material {material.key!r} (category {material.category!r}) is water-permeable but has no entry "
                "in data/moisture.toml (diffusivity and saturated_concentration with sources)"
            )
        return self.properties[material.key]


def _need(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ValueError(f"data/moisture.toml [{where}]: missing {key!r}")
    return data[key]


def _properties(key: str, data: dict[str, Any], where: str | None = None) -> MoistureProperties:
    where = where or f"materials.{key}"
    d = _need(data, "diffusivity", where)
    c = _need(data, "saturated_concentration", where)
    out = MoistureProperties(
        key=key,
        reference_temperature=float(_need(data, "reference_temperature", where)),
        diffusivity_ref=float(_need(d, "value", f"{where}.diffusivity")),
        activation_energy=float(_need(d, "activation_energy", f"{where}.diffusivity")),
        saturated_concentration_ref=float(_need(c, "value", f"{where}.saturated_concentration")),
        heat_of_solution=float(_need(c, "heat_of_solution", f"{where}.saturated_concentration")),
        diffusivity_source=str(_need(d, "source", f"{where}.diffusivity")).strip(),
        solubility_source=str(_need(c, "source", f"{where}.saturated_concentration")).strip(),
    )
    if not (out.diffusivity_ref > 0 and out.saturated_concentration_ref > 0 and out.reference_temperature > 0):
        raise ValueError(f"data/moisture.toml [{where}]: values must be positive")
    if not (out.diffusivity_source and out.solubility_source):
        raise ValueError(f"data/moisture.toml [{where}]: every value needs a 'source'")
    return out


@cache
def moisture_library() -> MoistureLibrary:
    """The shipped moisture data (``fem_package/data/moisture.toml``)."""
    text = resources.files("fem_package").joinpath("data", "moisture.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    rules = _need(raw, "rules", "top level")
    known = material_library.library()
    props = {}
    for key, data in _need(raw, "materials", "top level").items():
        if key not in known:
            raise ValueError(f"data/moisture.toml [materials.{key}]: not a material of the library")
        props[key] = _properties(key, data)
    lib = MoistureLibrary(
        frozenset(rules["permeable_categories"]),
        frozenset(rules["impermeable_categories"]),
        str(_need(rules, "source", "rules")),
        props,
        _properties("cracked", _need(raw, "cracked", "top level"), where="cracked"),
    )
    both = lib.permeable_categories & lib.impermeable_categories
    if both:
        raise ValueError(f"data/moisture.toml [rules]: categories both permeable and impermeable: {sorted(both)}")
    for key in props:
        if not lib.is_permeable(known[key]):
            raise ValueError(f"data/moisture.toml [materials.{key}]: category {known[key].category!r} is impermeable")
    return lib
