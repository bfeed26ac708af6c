"""A report section and the contract of a section builder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from postprocess.report.html import Html
from postprocess.report.run_data import RunData


@dataclass(frozen=True)
class Section:
    """One section of report.html: an anchor id, a heading and its body (markup)."""

    key: str
    title: str
    body: Html


SectionBuilder = Callable[[RunData], Section | None]
"""Builds a section from a results folder, or returns None when the folder has no data for it."""
