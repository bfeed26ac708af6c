"""JSON Schema of the case file, generated from the pydantic models (never written by hand).

Editors with a TOML language server (Taplo, Even Better TOML) complete and check case files
against it: put ``#:schema ./flipstack-case.schema.json`` on the first line of a case file.
"""

from __future__ import annotations

from typing import Any

from fem_package import __version__
from fem_package.case.case import Case

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def case_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a flipstack case file.

    Quantities accept an SI number or a string with a unit; the unit itself is checked
    when the case is validated (``flipstack validate``), not by the schema.
    """
    schema = Case.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://flipstack.invalid/schema/case-{__version__}.json",
        **schema,
        "title": f"flipstack {__version__} case file",
    }
