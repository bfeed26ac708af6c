"""Material library: temperature-dependent properties with a source for every value.

The data live in ``fem_package/data/materials.toml`` (SI units, temperatures in K).
Each property is a constant ``value`` or a table ``T`` / ``values``, linearly
interpolated and held constant outside the table (as Abaqus and Ansys do).

Thermal strain uses the instantaneous (tangent) expansion coefficient alpha(T):

    eps_th(T) = integral_{T_ref}^{T} alpha(s) ds,

evaluated exactly for the piecewise-linear table, so temperature-dependent CTE data
give the right strain whatever the reference temperature (no secant-CTE conversion).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

PROPERTY_UNITS: dict[str, str] = {
    "youngs_modulus": "Pa",
    "poisson_ratio": "1",
    "cte": "1/K",
    "cte_in_plane": "1/K",
    "cte_out_of_plane": "1/K",
    "thermal_conductivity": "W/(m K)",
    "density": "kg/m^3",
    "specific_heat": "J/(kg K)",
    "stress_free_temperature": "K",
    "glass_transition": "K",
    "solidus": "K",
    "liquidus": "K",
}
"""Every property name the data may hold, with its SI unit."""

REQUIRED = ("youngs_modulus", "poisson_ratio", "thermal_conductivity", "density", "specific_heat")


@dataclass(frozen=True)
class Property:
    """A constant or a temperature table, with its source."""

    temperatures: np.ndarray  # K, strictly increasing; one entry for a constant
    values: np.ndarray
    source: str

    @classmethod
    def constant(cls, value: float, source: str) -> Property:
        """A temperature-independent property."""
        return cls(np.array([0.0]), np.array([float(value)]), source)

    @classmethod
    def from_data(cls, data: dict[str, Any], where: str) -> Property:
        """Read ``{value, source}`` or ``{T, values, source}`` from the data file."""
        source = str(data.get("source", "")).strip()
        if not source:
            raise ValueError(f"{where}: every value needs a 'source'")
        if "value" in data:
            return cls.constant(float(data["value"]), source)
        t = np.asarray(data["T"], dtype=float)
        v = np.asarray(data["values"], dtype=float)
        if t.shape != v.shape or t.size < 2 or np.any(np.diff(t) <= 0):
            raise ValueError(f"{where}: T must be strictly increasing and as long as values")
        return cls(t, v, source)

    @property
    def is_constant(self) -> bool:
        """True for a temperature-independent property."""
        return self.values.size == 1

    def __call__(self, temperature: float) -> float:
        """Value at ``temperature`` (K), clamped outside the table."""
        if self.is_constant:
            return float(self.values[0])
        return float(np.interp(temperature, self.temperatures, self.values))

    def integral(self, t_from: float, t_to: float) -> float:
        """Exact integral of the interpolant from ``t_from`` to ``t_to`` (K)."""
        if self.is_constant:
            return float(self.values[0]) * (t_to - t_from)
        lo, hi = min(t_from, t_to), max(t_from, t_to)
        inner = self.temperatures[(self.temperatures > lo) & (self.temperatures < hi)]
        knots = np.concatenate(([lo], inner, [hi]))
        vals = np.interp(knots, self.temperatures, self.values)
        area = float(np.sum(0.5 * (vals[1:] + vals[:-1]) * np.diff(knots)))
        return area if t_to >= t_from else -area

    def at(self, temperatures: np.ndarray) -> np.ndarray:
        """Values at an array of temperatures (K), clamped outside the table."""
        t = np.asarray(temperatures, dtype=float)
        if self.is_constant:
            return np.full(t.shape, float(self.values[0]))
        return np.interp(t, self.temperatures, self.values)

    def integrals(self, t_from: float, t_to: np.ndarray) -> np.ndarray:
        """Exact integrals of the interpolant from ``t_from`` to every entry of ``t_to`` (vectorized).

        The antiderivative F of the clamped piecewise-linear interpolant is piecewise
        quadratic: F(T) = F(T_k) + (T - T_k) (v(T_k) + v(T)) / 2 on [T_k, T_k+1], linear beyond
        the table; the integral is F(t_to) - F(t_from).
        """
        t = np.asarray(t_to, dtype=float)
        if self.is_constant:
            return float(self.values[0]) * (t - t_from)
        knots, vals = self.temperatures, self.values
        cumulative = np.concatenate(([0.0], np.cumsum(0.5 * (vals[1:] + vals[:-1]) * np.diff(knots))))

        def antiderivative(x: np.ndarray) -> np.ndarray:
            k = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, knots.size - 1)
            return cumulative[k] + (x - knots[k]) * 0.5 * (vals[k] + np.interp(x, knots, vals))

        return antiderivative(t) - antiderivative(np.asarray(t_from, dtype=float))


@dataclass(frozen=True)
class Material:
    """One material: its id, description and properties."""

    key: str
    name: str
    category: str
    properties: dict[str, Property] = field(default_factory=dict)

    def __getitem__(self, prop: str) -> Property:
        return self.properties[prop]

    def get(self, prop: str) -> Property | None:
        """The property, or None when the data do not give it."""
        return self.properties.get(prop)

    def melting_range(self) -> tuple[float, float] | None:
        """(solidus, liquidus) in K; one given alone (a pure metal or a eutectic) is both; None without either."""
        solidus, liquidus = self.get("solidus"), self.get("liquidus")
        if solidus is None and liquidus is None:
            return None
        low = solidus if solidus is not None else liquidus
        high = liquidus if liquidus is not None else solidus
        assert low is not None and high is not None
        return float(low(0.0)), float(high(0.0))

    @property
    def orthotropic_expansion(self) -> bool:
        """True when in-plane and out-of-plane CTE are given separately."""
        return "cte_in_plane" in self.properties

    def thermal_strain(self, temperature: float, reference: float) -> tuple[float, float, float]:
        """Free thermal strain (eps_xx, eps_yy, eps_zz) from ``reference`` to ``temperature`` (K).

        In-plane is x-y (the package plane), out-of-plane is z.
        """
        if self.orthotropic_expansion:
            e_in = self["cte_in_plane"].integral(reference, temperature)
            e_out = self["cte_out_of_plane"].integral(reference, temperature)
            return (e_in, e_in, e_out)
        e = self["cte"].integral(reference, temperature)
        return (e, e, e)

    def thermal_strains(self, temperatures: np.ndarray, reference: float) -> np.ndarray:
        """Free thermal strains (n, 3) = (eps_xx, eps_yy, eps_zz) from ``reference`` to each temperature (K)."""
        t = np.asarray(temperatures, dtype=float)
        if self.orthotropic_expansion:
            e_in = self["cte_in_plane"].integrals(reference, t)
            return np.stack([e_in, e_in, self["cte_out_of_plane"].integrals(reference, t)], axis=-1)
        e = self["cte"].integrals(reference, t)
        return np.stack([e, e, e], axis=-1)

    def with_overrides(self, overrides: dict[str, float]) -> Material:
        """A copy with constant values replacing properties (case-file overrides).

        ``cte`` replaces the in-plane/out-of-plane pair as well.
        """
        props = dict(self.properties)
        for prop, value in overrides.items():
            if prop == "cte":
                props.pop("cte_in_plane", None)
                props.pop("cte_out_of_plane", None)
            props[prop] = Property.constant(value, "case file override")
        if ("cte_in_plane" in props) != ("cte_out_of_plane" in props):
            raise ValueError(f"material {self.key}: override both cte_in_plane and cte_out_of_plane, or cte")
        if "cte_in_plane" in props:
            props.pop("cte", None)
        return Material(self.key, self.name, self.category, props)


def _material_from_data(key: str, data: dict[str, Any]) -> Material:
    props = {}
    for prop, value in data.items():
        if not isinstance(value, dict):
            continue
        if prop not in PROPERTY_UNITS:
            raise ValueError(f"materials data [{key}]: unknown property {prop!r}")
        props[prop] = Property.from_data(value, f"materials data [{key}.{prop}]")
    missing = [p for p in REQUIRED if p not in props]
    has_iso = "cte" in props
    has_ortho = "cte_in_plane" in props and "cte_out_of_plane" in props
    if has_iso == has_ortho:
        missing.append("cte (or cte_in_plane + cte_out_of_plane)")
    if missing:
        raise ValueError(f"materials data [{key}]: missing {', '.join(missing)}")
    return Material(key, str(data.get("name", key)), str(data.get("category", "")), props)


@cache
def library() -> dict[str, Material]:
    """All materials of the shipped data files (``data/materials*.toml``), by id.

    The library is split by topic (``materials.toml`` holds the common ones, e.g.
    ``materials_fusible.toml`` the alloys of one concept); an id defined twice is an error.
    """
    folder = resources.files("fem_package").joinpath("data")
    out: dict[str, Material] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not (entry.name.startswith("materials") and entry.name.endswith(".toml")):
            continue
        for key, value in tomllib.loads(entry.read_text(encoding="utf-8")).items():
            if key in out:
                raise ValueError(f"material {key!r} is defined twice (again in data/{entry.name})")
            out[key] = _material_from_data(key, value)
    return out


def get(key: str) -> Material:
    """The material ``key``; a ``KeyError`` lists the known ids."""
    lib = library()
    if key not in lib:
        raise KeyError(f"unknown material {key!r}; known: {', '.join(sorted(lib))}")
    return lib[key]
