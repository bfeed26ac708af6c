"""``flipstack schema``: the JSON Schema generated from the case models accepts every example and
rejects what validation rejects structurally (unknown keys, wrong types, out-of-range numbers)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, get_args, get_origin

import jsonschema
import pytest
from pydantic import BaseModel, BeforeValidator

from fem_package.case import DEFAULT_CASE, Case, CaseError, validate_case
from fem_package.cli import main
from fem_package.units import UnitString
from tests.conftest import REPO

EXAMPLES = sorted(p for p in (REPO / "examples").rglob("*.toml") if "sweeps" not in p.parts)


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> jsonschema.protocols.Validator:
    out = tmp_path_factory.mktemp("schema") / "case.schema.json"
    assert main(["schema", "--out", str(out), "-q"]) == 0
    schema = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_printed_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"FileGeometry", "SolderBumpGeometry", "LaminateGeometry"} <= set(schema["$defs"])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: str(p.relative_to(REPO / "examples")))
def test_examples_match_schema(validator: jsonschema.protocols.Validator, example: Path) -> None:
    validator.validate(tomllib.loads(example.read_text()))


def test_default_case_and_unit_strings(validator: jsonschema.protocols.Validator) -> None:
    validator.validate(DEFAULT_CASE)
    validator.validate({"geometry": {"type": "solder_bump", "pitch": 4e-4, "standoff": "180 um"}})


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"geometry": {"type": "solder_bump", "pich": "400 um"}}, "pich"),
        ({"geometry": {"type": "solder_bump", "rows": "two"}}, "two"),
        ({"geometry": {"type": "solder_bump", "pitch": -1.0}}, "-1.0"),
        ({"geometry": {"type": "teapot"}}, "teapot"),
        ({"solver": {"degree": 3}}, "3"),
        ({"mesh": {"min_quality": 1.5}}, "1.5"),
    ],
)
def test_schema_rejects(validator: jsonschema.protocols.Validator, raw: dict, fragment: str) -> None:
    errors = list(validator.iter_errors(raw))
    assert errors and any(fragment in e.message for e in errors), [e.message for e in errors]


POINTS_WITH_UNITS = {"profile": "custom", "points": [["0 s", "25 C"], ["15 min", "125 C"]]}


def test_unit_strings_accepted_by_validation_are_accepted_by_the_schema(
    validator: jsonschema.protocols.Validator,
) -> None:
    # [load] points and material overrides of conduction properties take unit strings in validation
    raw = {
        "load": POINTS_WITH_UNITS,
        "materials": {
            "overrides": {
                "silicon": {
                    "thermal_conductivity": "150 W/(m K)",
                    "density": "2330 kg/m^3",
                    "specific_heat": "700 J/(kg K)",
                }
            }
        },
    }
    case = validate_case(raw)
    assert case.load.points == [(0.0, 298.15), (900.0, 398.15)]
    assert case.materials.overrides["silicon"].values()["thermal_conductivity"] == 150.0
    errors = [e.message for e in validator.iter_errors(raw)]
    assert not errors, errors
    # and both still refuse a wrong pair
    bad = {"load": {"profile": "custom", "points": [["0 s", "25 C", "1 s"], ["15 min", "125 C"]]}}
    with pytest.raises(CaseError, match="points"):
        validate_case(bad)
    assert list(validator.iter_errors(bad))


def _unit_fields(model: type[BaseModel], seen: set[type]) -> Iterator[tuple[str, str, bool, bool]]:
    """(model, field, converts its input, schema admits a unit string) of every field of every model under ``model``."""
    if model in seen:
        return
    seen.add(model)
    before = {
        name
        for dec in model.__pydantic_decorators__.field_validators.values()
        if dec.info.mode == "before"
        for name in dec.info.fields
    }
    for name, info in model.model_fields.items():
        converts = name in before or any(isinstance(m, BeforeValidator) for m in info.metadata)
        units = any(isinstance(m, UnitString) for m in info.metadata)
        stack = [info.annotation]
        while stack:
            tp = stack.pop()
            if get_origin(tp) is Annotated:
                extra = get_args(tp)[1:]
                converts |= any(isinstance(m, BeforeValidator) for m in extra)
                units |= any(isinstance(m, UnitString) for m in extra)
            stack.extend(get_args(tp))
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                yield from _unit_fields(tp, seen)
        yield model.__name__, name, converts, units


def test_every_converted_case_field_admits_unit_strings_in_the_schema() -> None:
    # A field whose input is converted by a before-validator (unit strings) must carry UnitString
    # somewhere in its type, or the schema would reject what validation accepts.
    rows = list(_unit_fields(Case, set()))
    assert len(rows) > 100
    missing = [f"{m}.{f}" for m, f, converts, units in rows if converts and not units]
    known_plain = {"Case.geometry"}  # the discriminated geometry union: converted by tag, no units itself
    assert set(missing) <= known_plain, missing
    assert ("ThermalLoad", "points", True, True) in rows
