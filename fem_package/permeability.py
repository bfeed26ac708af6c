"""Which materials let moisture and gases through, and how much: the one rule of the hermeticity analyses.

Rule (by the material's ``category`` in ``data/materials*.toml``): organic materials are permeable
(polymers, adhesives, gels, elastomers, organic laminates); metals, solders, intermetallics, glasses,
ceramics and semiconductors are impermeable. This follows the hermetic / non-hermetic split of
packaging practice: "truly hermetic packaging - made exclusively from glass, metal, or ceramics";
"when polymers, epoxies, or plastics ... are used, the package is considered non-hermetic" (SCHOTT,
"When is Hermetic Really Hermetic?", quoted by glass-to-metal.com, "How Moisture Affects Electronics").
An unknown category is refused, so a new category must be placed on one side deliberately.

Water-vapour permeability P = D S [kg/(m s Pa)] (steady flux j = -P grad p): from
``data/moisture.toml`` (diffusivity D [m^2/s] times solubility S [kg/(m^3 Pa)]) when that file gives
both for the material, else from ``data/permeability.toml`` (own entry or its ``default``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fem_package.materials import Material

PERMEABLE_CATEGORIES = frozenset({"polymer", "adhesive", "gel", "elastomer", "organic_substrate", "laminate"})
"""Organic materials: moisture diffuses through them (they are never hermetic)."""
IMPERMEABLE_CATEGORIES = frozenset({"metal", "solder", "intermetallic", "glass", "ceramic", "semiconductor"})
"""Inorganic materials: treated as impermeable (permeation many orders of magnitude below polymers)."""


def is_permeable(material: Material) -> bool:
    """True when moisture permeates ``material`` (by its category); an unknown category raises ValueError."""
    if material.category in PERMEABLE_CATEGORIES:
        return True
    if material.category in IMPERMEABLE_CATEGORIES:
        return False
    raise ValueError(
        f"material {material.key!r} has category {material.category!r}, which the permeability rule does not "
        f"place: permeable {sorted(PERMEABLE_CATEGORIES)}, impermeable {sorted(IMPERMEABLE_CATEGORIES)}"
    )


@dataclass(frozen=True)
class Permeability:
    """A water-vapour permeability with where it came from."""

    value: float  # kg/(m s Pa)
    source: str


def _data(name: str) -> dict[str, Any]:
    entry = resources.files("fem_package").joinpath("data").joinpath(name)
    if not entry.is_file():
        return {}
    return tomllib.loads(entry.read_text(encoding="utf-8"))


@cache
def _table() -> dict[str, Permeability]:
    out = {}
    for key, item in _data("permeability.toml").items():
        source = str(item.get("source", "")).strip()
        if not source or float(item["value"]) <= 0:
            raise ValueError(f"data/permeability.toml [{key}]: needs a positive 'value' and a 'source'")
        out[key] = Permeability(float(item["value"]), source)
    return out


def _from_moisture_data(key: str) -> Permeability | None:
    """P = D S from ``data/moisture.toml`` when it gives constant ``diffusivity`` and ``solubility`` for ``key``."""
    item = _data("moisture.toml").get(key)
    if not isinstance(item, dict):
        return None
    d, s = item.get("diffusivity"), item.get("solubility")
    if not (isinstance(d, dict) and isinstance(s, dict) and "value" in d and "value" in s):
        return None
    return Permeability(
        float(d["value"]) * float(s["value"]), f"D S from moisture.toml: {d.get('source')}; {s.get('source')}"
    )


def moisture_permeability(material: Material) -> Permeability:
    """Water-vapour permeability of ``material``: 0 for impermeable materials, else P = D S or the table value."""
    if not is_permeable(material):
        return Permeability(0.0, f"impermeable category {material.category!r}")
    found = _from_moisture_data(material.key)
    if found is not None:
        return found
    table = _table()
    return table.get(material.key, table["default"])
