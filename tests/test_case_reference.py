"""docs/case-reference.md is generated from the case models and must stay equal to the generator's output."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from fem_package.case import Case
from fem_package.case.base import CaseModel
from fem_package.case.reference import render_reference
from fem_package.case.schema import case_schema
from fem_package.units import Length
from tests.conftest import REPO

REFERENCE = REPO / "docs" / "case-reference.md"


def test_committed_reference_equals_the_generated_one() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_reference(), (
        "docs/case-reference.md is stale: run `python -m fem_package.case.reference --out docs/case-reference.md`"
    )


def test_every_section_and_key_is_documented() -> None:
    text = render_reference()
    schema = case_schema()
    for section, prop in schema["properties"].items():
        if "$ref" in prop or "discriminator" in prop:
            assert f"## [{section}]" in text
    for name, model in schema["$defs"].items():
        for key in model.get("properties", {}):
            assert f"| `{key}` |" in text, f"{name}.{key} missing"
    # units, defaults and ranges reach the table
    assert '| `ramp_time` | quantity (e.g. `"15 min"`) | s | `900.0` | > 0 | duration of one ramp' in text
    assert "| `degree` | integer |  | `2` | `1`, `2` |" in text
    assert "| `cycles` | integer |  | `1` | >= 1, <= 1000 |" in text


class _Demo(CaseModel):
    """A section some later release adds."""

    gap: Length = Field(1e-6, gt=0, description="a new length [m]")
    passes: int = Field(3, ge=1, le=9, description="a new count")


class _CaseWithNewSection(Case):
    hermeticity: _Demo = Field(default_factory=_Demo)


def test_a_new_section_appears_without_touching_the_generator() -> None:
    schema: dict[str, Any] = {**case_schema(), **_CaseWithNewSection.model_json_schema(mode="validation")}
    text = render_reference(schema)
    assert "## [hermeticity]" in text and "A section some later release adds." in text
    assert '| `gap` | quantity (e.g. `"150 um"`) | m | `1e-06` | > 0 | a new length |' in text
    assert "| `passes` | integer |  | `3` | >= 1, <= 9 | a new count |" in text
