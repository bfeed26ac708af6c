"""Quantities with units: parse case-file strings into SI floats.

Everything inside flipstack is SI (m, Pa, K, s, kg). Case files may write a
number (taken as SI) or a string with a unit ("150 um", "15 min", "130 GPa").
Unit arithmetic is pint's; temperatures are handled here because "125 C" means
coulomb to pint and offset units need care.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator, GetJsonSchemaHandler

ZERO_CELSIUS = 273.15

_TEMPERATURE = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(°C|degC|C|K|°F|degF|F)\s*$")


@cache
def registry() -> pint.UnitRegistry:
    """The one pint registry of the process."""
    return pint.UnitRegistry()


def to_si(value: Any, dimension: str) -> float:
    """Return ``value`` in SI base units, checking its dimension.

    Args:
        value: a number (already SI) or a string such as ``"150 um"``.
        dimension: pint dimensionality string, e.g. ``"[length]"``, ``"[time]"``,
            ``"[mass] / [length] / [time] ** 2"`` (pressure), ``"1 / [temperature]"``.

    Raises:
        ValueError: with a message naming the expected unit kind.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number or a quantity string with a unit of {dimension}, got {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a number or a string such as '150 um', got {value!r}")
    ureg = registry()
    try:
        q = ureg.Quantity(value.strip().replace("µ", "u"))
    except Exception as exc:  # pint raises several unrelated types
        raise ValueError(f"cannot read {value!r} as a quantity ({exc})") from None
    if not isinstance(q, pint.Quantity):
        return float(q)
    expected = ureg.get_dimensionality(dimension)
    if q.dimensionality != expected:
        raise ValueError(f"{value!r} has unit dimension {q.dimensionality}, expected {expected}")
    return float(q.to_base_units().magnitude)


def temperature_to_kelvin(value: Any) -> float:
    """Return an absolute temperature in K.

    Accepts a number (K, SI) or a string "125 C", "-40 degC", "398.15 K", "257 F".
    A bare number below 0 K is refused with a hint to write Celsius explicitly.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a temperature, got {value!r}")
    if isinstance(value, int | float):
        t = float(value)
    elif isinstance(value, str):
        m = _TEMPERATURE.match(value)
        if not m:
            raise ValueError(f"cannot read {value!r} as a temperature; write e.g. '125 C' or '398.15 K'")
        number, unit = float(m.group(1)), m.group(2)
        if unit in ("°C", "degC", "C"):
            t = number + ZERO_CELSIUS
        elif unit in ("°F", "degF", "F"):
            t = (number - 32.0) * 5.0 / 9.0 + ZERO_CELSIUS
        else:
            t = number
    else:
        raise ValueError(f"expected a temperature such as '125 C', got {value!r}")
    if not math.isfinite(t) or t <= 0.0:
        raise ValueError(
            f"{value!r} is not above absolute zero (bare numbers are kelvin; write '{value} C' for Celsius)"
        )
    return t


def _si(dimension: str) -> BeforeValidator:
    return BeforeValidator(lambda v: to_si(v, dimension))


@dataclass(frozen=True)
class UnitString:
    """JSON Schema of a quantity: the SI number (with its range) or a string with a unit.

    Pydantic would describe the validated ``float`` only; editors checking case files
    against the schema must also accept ``"150 um"``.
    """

    example: str

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        number = handler(core_schema)
        text = {"type": "string", "description": f"value with a unit, e.g. {self.example!r}"}
        return {"anyOf": [number, text]}


Length = Annotated[float, _si("[length]"), UnitString("150 um")]
"""Length in m; accepts "150 um"."""
Time = Annotated[float, _si("[time]"), UnitString("15 min")]
"""Time in s; accepts "15 min"."""
Pressure = Annotated[float, _si("[mass] / [length] / [time] ** 2"), UnitString("130 GPa")]
"""Stress or modulus in Pa; accepts "130 GPa"."""
PerKelvin = Annotated[float, _si("1 / [temperature]"), UnitString("16.5 ppm/K")]
"""Expansion coefficient in 1/K; accepts "16.5 ppm/K"."""
Temperature = Annotated[float, BeforeValidator(temperature_to_kelvin), UnitString("125 C")]
"""Absolute temperature in K; accepts "125 C"."""


def celsius(kelvin: float) -> float:
    """Kelvin to degrees Celsius (for messages and reports)."""
    return kelvin - ZERO_CELSIUS


def format_length(metres: float) -> str:
    """Human-readable length for messages: '150 um', '1.2 mm'."""
    if abs(metres) >= 1e-3:
        return f"{metres * 1e3:.4g} mm"
    return f"{metres * 1e6:.4g} um"
