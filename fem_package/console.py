"""Console output on rank 0 only: messages at three verbosity levels and rich progress bars."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console as RichConsole
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Console:
    """Prints on rank 0; ``verbosity`` 0 = quiet (errors only), 1 = normal, 2 = verbose."""

    def __init__(self, rank: int = 0, verbosity: int = 1):
        self.rank = rank
        self.verbosity = verbosity
        self._out = RichConsole(highlight=False, soft_wrap=True)
        self._err = RichConsole(stderr=True, highlight=False, soft_wrap=True)

    @property
    def active(self) -> bool:
        """True on the rank that prints."""
        return self.rank == 0

    def info(self, message: str) -> None:
        """A normal message."""
        if self.active and self.verbosity >= 1:
            self._out.print(message)

    def plain(self, text: str) -> None:
        """Data output (listings, TOML): printed as it is, no markup, even when quiet."""
        if self.active:
            print(text)

    def detail(self, message: str) -> None:
        """A message shown with -v."""
        if self.active and self.verbosity >= 2:
            self._out.print(message, style="dim")

    def error(self, message: str) -> None:
        """An error, always shown (stderr)."""
        if self.active:
            self._err.print(f"[bold red]error:[/] {escape(message)}", markup=True)

    @contextlib.contextmanager
    def status(self, message: str) -> Iterator[None]:
        """A spinner with ``message`` on rank 0 while a single long call (meshing) runs."""
        if not self.active or self.verbosity < 1:
            yield
            return
        with self._out.status(message, spinner="dots"):
            yield

    @contextlib.contextmanager
    def progress(self, description: str, total: int) -> Iterator[Any]:
        """A progress bar on rank 0 (a no-op elsewhere or when quiet or not a terminal is fine too)."""
        if not self.active or self.verbosity < 1:
            yield _NoProgress()
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self._out, transient=not sys.stdout.isatty()) as bar:
            task = bar.add_task(description, total=total)
            yield _Task(bar, task)


class _Task:
    def __init__(self, bar: Progress, task: Any):
        self.bar, self.task = bar, task

    def advance(self, description: str | None = None) -> None:
        if description:
            self.bar.update(self.task, advance=1, description=description)
        else:
            self.bar.update(self.task, advance=1)


class _NoProgress:
    def advance(self, description: str | None = None) -> None:
        pass
