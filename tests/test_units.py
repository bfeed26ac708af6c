"""Quantities with units in case files."""

from __future__ import annotations

import pytest

from fem_package.units import temperature_to_kelvin, to_si


@pytest.mark.parametrize(
    ("text", "dimension", "expected"),
    [
        ("150 um", "[length]", 150e-6),
        ("1.5 mm", "[length]", 1.5e-3),
        ("3 µm", "[length]", 3e-6),
        (2e-3, "[length]", 2e-3),
        ("15 min", "[time]", 900.0),
        ("130 GPa", "[mass] / [length] / [time] ** 2", 130e9),
        ("16.5 ppm/K", "1 / [temperature]", 16.5e-6),
    ],
)
def test_quantities_convert_to_si(text: object, dimension: str, expected: float) -> None:
    assert to_si(text, dimension) == pytest.approx(expected, rel=1e-12)


def test_wrong_dimension_is_named() -> None:
    with pytest.raises(ValueError, match="expected"):
        to_si("15 min", "[length]")


@pytest.mark.parametrize(
    ("text", "kelvin"), [("125 C", 398.15), ("-40 degC", 233.15), ("300 K", 300.0), (77, 77.0), ("32 F", 273.15)]
)
def test_temperatures(text: object, kelvin: float) -> None:
    assert temperature_to_kelvin(text) == pytest.approx(kelvin)


def test_bare_negative_temperature_hints_at_celsius() -> None:
    with pytest.raises(ValueError, match="write '-40 C'"):
        temperature_to_kelvin(-40)
