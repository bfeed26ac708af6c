"""Sweep files: one base case and the parameter values to vary, expanded into validated variants.

A sweep file (TOML) names a base case and either a grid or an explicit list::

    base = "solder_bump_baseline.toml"      # relative to the sweep file
    mode = "grid"                           # every combination of the values below
    [parameters]
    "geometry.pitch" = ["400 um", "500 um"]
    "geometry.bump_diameter" = { from = "250 um", to = "300 um", count = 3 }

    # or mode = "list" with one table per variant:
    [[variants]]
    name = "fine_pitch"                     # optional; generated from the values otherwise
    "geometry.pitch" = "400 um"

Keys are dotted paths into the case file (``section.key``, ``geometry.layers.0.thickness``).
A range ``{from, to, count}`` gives ``count`` evenly spaced values, keeping the unit of ``from``.
Every variant is validated like a case file before anything runs.
"""

from __future__ import annotations

import copy
import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.case import Case, _paths_relative_to, validate_case
from fem_package.case.errors import CaseError
from fem_package.units import registry

Value = str | int | float | bool


class ValueRange(CaseModel):
    """``count`` evenly spaced values from ``from`` to ``to`` (both included), in the unit of ``from``."""

    start: Value = Field(alias="from", description="first value, a number or a quantity such as '250 um'")
    stop: Value = Field(alias="to", description="last value, same unit as 'from'")
    count: int = Field(ge=2, le=1000, description="number of values")

    def values(self) -> list[Value]:
        """The values, as numbers or as quantity strings in the unit of ``from``."""
        if isinstance(self.start, bool) or isinstance(self.stop, bool):
            raise ValueError("from/to must be numbers or quantities")
        if isinstance(self.start, int | float) and isinstance(self.stop, int | float):
            return [float(v) for v in np.linspace(self.start, self.stop, self.count)]
        ureg = registry()
        start, stop = ureg.Quantity(str(self.start)), ureg.Quantity(str(self.stop))
        try:
            stop_value = stop.to(start.units).magnitude
        except Exception:
            raise ValueError(f"from = {self.start!r} and to = {self.stop!r} have different dimensions") from None
        given = re.match(r"^\s*[-+]?[\d.]+(?:[eE][-+]?\d+)?\s*(.*)$", str(self.start))
        unit = given.group(1) if given and given.group(1) else f"{start.units}"
        return [f"{v:.12g} {unit}" for v in np.linspace(start.magnitude, stop_value, self.count)]


class SweepFile(CaseModel):
    """The ``flipstack sweep`` input."""

    base: str = Field(description="base case file, relative to the sweep file")
    mode: Literal["grid", "list"] = Field("grid", description="grid: every combination; list: the variants given")
    parameters: dict[str, list[Value] | ValueRange] = Field(
        default_factory=dict, description="grid mode: dotted case key -> list of values or {from, to, count}"
    )
    variants: list[dict[str, Value]] = Field(
        default_factory=list, description="list mode: one table of dotted case keys (and an optional name) each"
    )

    @field_validator("parameters")
    @classmethod
    def _non_empty_lists(cls, v: dict[str, list[Value] | ValueRange]) -> dict[str, list[Value] | ValueRange]:
        for key, values in v.items():
            if isinstance(values, list) and not values:
                raise ValueError(f"parameters.{key}: give at least one value")
        return v

    @model_validator(mode="after")
    def _mode_matches(self) -> SweepFile:
        if self.mode == "grid" and (not self.parameters or self.variants):
            raise ValueError("mode = 'grid' needs [parameters] and no [[variants]]")
        if self.mode == "list" and (not self.variants or self.parameters):
            raise ValueError("mode = 'list' needs [[variants]] and no [parameters]")
        return self


@dataclass(frozen=True)
class Variant:
    """One validated case of a sweep."""

    name: str
    values: dict[str, Value]
    case: Case


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text).strip("_") or "variant"


def _variant_name(values: dict[str, Value]) -> str:
    return _slug("__".join(f"{k.rsplit('.', 1)[-1]}={v}".replace(" ", "") for k, v in values.items()))


def set_dotted(raw: dict[str, Any], key: str, value: Value) -> None:
    """Set ``raw[a][b][c] = value`` for ``key = 'a.b.c'``; integer parts index lists."""
    parts = key.split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise CaseError(f"sweep key {key!r}: {'.'.join(parts[: i + 1])} is not an index of the base list")
            node = node[int(part)]
        else:
            node = node.setdefault(part, {})
            if not isinstance(node, dict | list):
                raise CaseError(f"sweep key {key!r}: {'.'.join(parts[: i + 1])} is a value in the base case")
    last = parts[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise CaseError(f"sweep key {key!r}: {last!r} is not an index of the base list")
        node[int(last)] = value
    else:
        node[last] = value


def _combinations(sweep: SweepFile) -> list[tuple[str | None, dict[str, Value]]]:
    if sweep.mode == "list":
        out: list[tuple[str | None, dict[str, Value]]] = []
        for v in sweep.variants:
            values = {k: x for k, x in v.items() if k != "name"}
            out.append((str(v["name"]) if "name" in v else None, values))
        return out
    keys = list(sweep.parameters)
    lists: list[list[Value]] = []
    for key, p in sweep.parameters.items():
        try:
            lists.append(p.values() if isinstance(p, ValueRange) else p)
        except Exception as exc:  # pint parse errors included
            raise CaseError(f"parameters.{key}: {exc}") from None
    return [(None, dict(zip(keys, combo, strict=True))) for combo in itertools.product(*lists)]


def load_sweep(path: Path) -> list[Variant]:
    """Read a sweep file and validate every variant; bad input raises :class:`CaseError`.

    Messages name the variant and the offending key; all invalid variants are listed at once.
    """
    path = Path(path)
    if not path.is_file():
        raise CaseError(f"sweep file {str(path)!r} does not exist")
    try:
        sweep = SweepFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise CaseError(f"{path}: {where}: {first['msg']}") from None
    base_path = (path.parent / sweep.base).resolve()
    if not base_path.is_file():
        raise CaseError(f"{path}: base = {sweep.base!r}: file {str(base_path)!r} does not exist")
    try:
        base_raw = _paths_relative_to(tomllib.loads(base_path.read_text(encoding="utf-8")), base_path.parent)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{base_path}: not valid TOML: {exc}") from None
    variants: list[Variant] = []
    problems: list[str] = []
    seen: set[str] = set()
    try:
        combinations = _combinations(sweep)
    except CaseError as exc:
        raise CaseError(f"{path}: {exc}") from None
    for given, values in combinations:
        name = _slug(given) if given else _variant_name(values)
        if name in seen:
            raise CaseError(f"{path}: two variants are named {name!r}; give each a distinct name")
        seen.add(name)
        raw = copy.deepcopy(base_raw)
        try:
            for key, value in values.items():
                set_dotted(raw, key, value)
            case = validate_case(raw)
        except CaseError as exc:
            problems.append(f"variant {name!r}: {exc}")
            continue
        title = f"{case.title} [{', '.join(f'{k} = {v}' for k, v in values.items())}]"
        variants.append(Variant(name, values, case.model_copy(update={"title": title})))
    if problems:
        raise CaseError(f"{path}: {len(problems)} invalid variant(s)\n" + "\n".join(problems))
    return variants
