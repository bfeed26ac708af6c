"""Shared test helpers: build cases from dicts, mesh them, solve them, run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gmsh
import pytest

from fem_package.case import Case, validate_case
from fem_package.console import Console
from fem_package.fenics import MPI

REPO = Path(__file__).resolve().parents[1]


def laminate_case(layers: list[dict[str, Any]], length: str = "2 mm", width: str = "2 mm", **sections: Any) -> Case:
    """A validated laminate case; ``sections`` are further case sections (load, materials, ...)."""
    raw = {"geometry": {"type": "laminate", "length": length, "width": width, "layers": layers}, **sections}
    return validate_case(raw)


def run_case(case: Case, out: Path, comm: Any = None) -> dict[str, Any]:
    """Run the whole pipeline quietly; returns the summary."""
    from fem_package.pipeline import run

    return run(case, out, True, Console(verbosity=0), comm=comm or MPI.COMM_SELF)


def flipstack_command() -> list[str]:
    """The installed console script, or the module run by this interpreter."""
    exe = Path(sys.executable).with_name("flipstack")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "fem_package.cli"]


def mpiexec() -> str:
    """The mpiexec of the mpich wheel beside this interpreter (or on PATH)."""
    exe = Path(sys.executable).with_name("mpiexec")
    found = str(exe) if exe.exists() else shutil.which("mpiexec")
    if not found:
        pytest.skip("mpiexec not found")
    return found


def cli(*args: str, cwd: Path, ranks: int = 1, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``flipstack ARGS`` (under mpiexec when ranks > 1) and capture its output."""
    cmd = flipstack_command() + list(args)
    if ranks > 1:
        cmd = [mpiexec(), "-n", str(ranks), *cmd]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@contextmanager
def fresh_gmsh() -> Iterator[None]:
    """gmsh with default options, quiet and single-threaded; finalized on exit.

    gmsh.initialize() does nothing when an earlier test's mesh build left gmsh running, and
    options outlive models: without the reset a test meshed with whatever the last builder set.
    """
    gmsh.initialize(interruptible=False)
    gmsh.option.restoreDefaults()
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("General.NumThreads", 1)
    try:
        yield
    finally:
        gmsh.finalize()


@pytest.fixture
def session() -> Iterator[None]:
    """A fresh gmsh session with an empty current model."""
    with fresh_gmsh():
        gmsh.model.add("t")
        yield


def external_tool(name: str) -> str:
    """Path of an external program a test checks against (CalculiX ``ccx``, ``pvpython``, ``chromium``).

    Missing: the test is skipped on a developer machine, but fails in CI, where ``.ci/run`` installs
    the tools from ``.ci/system-packages.txt`` and sets FLIPSTACK_REQUIRE_TOOLS=1.
    """
    path = shutil.which(name)
    if path is None:
        if os.environ.get("FLIPSTACK_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is not installed; .ci/install-system-packages should have installed it")
        pytest.skip(f"{name} is not installed (run .ci/install-system-packages)")
    return path
