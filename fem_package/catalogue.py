"""Text listings of what exists: materials with values and sources, geometry types with parameters."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from fem_package import materials
from fem_package.case.errors import CaseError
from fem_package.case.geometry import GEOMETRY_MODELS
from fem_package.materials import PROPERTY_UNITS, Property
from fem_package.units import celsius


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _property_text(prop: Property) -> str:
    if prop.is_constant:
        return _fmt(prop.values[0])
    lo, hi = prop.temperatures[0], prop.temperatures[-1]
    return (
        f"{_fmt(prop(lo))} .. {_fmt(prop(hi))} over {celsius(lo):.0f}..{celsius(hi):.0f} C ({prop.values.size} points)"
    )


def material_table() -> str:
    """One line per material: id, category, E and CTE at 25 C."""
    lines = [f"{'id':22} {'category':18} {'E(25 C) [GPa]':>14} {'CTE(25 C) [ppm/K]':>18}  name"]
    for key, m in sorted(materials.library().items()):
        cte = m.get("cte") or m["cte_in_plane"]
        lines.append(
            f"{key:22} {m.category:18} {m['youngs_modulus'](298.15) / 1e9:14.4g} {cte(298.15) * 1e6:18.4g}  {m.name}"
        )
    lines.append("`flipstack materials ID` shows every property with its source.")
    return "\n".join(lines)


def describe_material(key: str) -> str:
    """Every property of one material with unit and source."""
    try:
        m = materials.get(key)
    except KeyError as exc:
        raise CaseError(str(exc.args[0])) from None
    lines = [f"{key}: {m.name} ({m.category})"]
    for name, prop in m.properties.items():
        lines.append(f"  {name} [{PROPERTY_UNITS[name]}] = {_property_text(prop)}")
        lines.append(f"      source: {prop.source}")
    return "\n".join(lines)


def _default_text(info: Any) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        return "see docs"
    return repr(info.default)


def parameter_lines(model: type[BaseModel], indent: str = "  ") -> list[str]:
    """One line per field: name, default and description (which states the unit)."""
    return [
        f"{indent}{name:22} default {_default_text(info):14} {info.description or ''}"
        for name, info in model.model_fields.items()
        if name != "type"
    ]


def geometry_table() -> str:
    """Every geometry type with its parameters (lengths in m; case files may write '150 um')."""
    lines = []
    for gtype, model in GEOMETRY_MODELS.items():
        doc = (model.__doc__ or "").strip().splitlines()[0]
        lines.append(f"{gtype}: {doc}")
        lines.extend(parameter_lines(model))
        if gtype == "laminate":
            from fem_package.case.geometry_laminate import Layer

            lines.append("  each entry of layers:")
            lines.extend(parameter_lines(Layer, "    "))
    return "\n".join(lines)
