"""A results folder as the report and the comparison read it: summary.json plus optional data files."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fem_package.case.errors import CaseError


class RunFolderError(CaseError):
    """The folder is not a flipstack results folder (no readable summary.json): bad input, exit code 2."""


@dataclass
class RunData:
    """One results folder: its ``summary.json`` and, read on demand, its CSV tables and files."""

    folder: Path
    summary: dict[str, Any]
    _tables: dict[str, list[dict[str, str]] | None] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, folder: Path | str) -> RunData:
        """Read ``folder/summary.json``; RunFolderError when it is missing or not JSON."""
        folder = Path(folder)
        path = folder / "summary.json"
        if not path.is_file():
            raise RunFolderError(f"{str(folder)!r} is not a results folder: no summary.json in it")
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RunFolderError(f"{str(path)!r} is not valid JSON: {exc}") from None
        if not isinstance(summary, dict):
            raise RunFolderError(f"{str(path)!r} does not hold a JSON object")
        return cls(folder, summary)

    @property
    def title(self) -> str:
        """The case title (the folder name when the summary has none)."""
        return str(self.summary.get("case", {}).get("title") or self.folder.name)

    @property
    def geometry_type(self) -> str:
        """The geometry type of the case ('' when unknown)."""
        return str(self.summary.get("case", {}).get("geometry_type") or "")

    def file(self, name: str) -> Path | None:
        """Path of ``name`` in the folder, or None when it does not exist."""
        path = self.folder / name
        return path if path.is_file() else None

    def table(self, name: str) -> list[dict[str, str]] | None:
        """Rows of the CSV file ``name`` (header = keys), or None when the file does not exist."""
        if name not in self._tables:
            path = self.file(name)
            if path is None:
                self._tables[name] = None
            else:
                with path.open(newline="", encoding="utf-8") as f:
                    self._tables[name] = list(csv.DictReader(f))
        return self._tables[name]

    @cached_property
    def joints_by_id(self) -> dict[int, dict[str, Any]]:
        """The summary's joints keyed by joint id."""
        return {int(j["joint_id"]): j for j in self.summary.get("joints", [])}

    def section(self, *keys: str) -> Any:
        """The summary entry at ``keys`` (e.g. ``section("life", "weibull")``), None when any key is missing."""
        node: Any = self.summary
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node
