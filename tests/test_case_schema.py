"""``flipstack schema``: the JSON Schema generated from the case models accepts every example and
rejects what validation rejects structurally (unknown keys, wrong types, out-of-range numbers)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from fem_package.case import DEFAULT_CASE
from fem_package.cli import main
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
