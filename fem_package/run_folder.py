"""Results folders that appear only when complete.

A run writes into a hidden temporary folder beside ``--out`` and renames it into place
at the end. An existing ``--out`` is refused unless ``overwrite`` is set; then it is
replaced only after the new results are complete. A run that fails or is killed leaves
at most a ``.<name>.partial-*`` folder, never one that looks done.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fem_package.case.errors import CaseError


def check_destination(out: Path, overwrite: bool) -> None:
    """Refuse an existing destination without ``overwrite`` (before any work is done)."""
    if out.exists() and not overwrite:
        raise CaseError(f"--out {str(out)!r} already exists; choose another folder or pass --overwrite")
    if out.exists() and not out.is_dir():
        raise CaseError(f"--out {str(out)!r} exists and is not a folder")


@contextlib.contextmanager
def staged_folder(out: Path, overwrite: bool, comm: object) -> Iterator[Path]:
    """Yield a temporary folder (same on every rank); move it to ``out`` on success.

    ``comm`` is an mpi4py communicator: rank 0 creates, renames and cleans up, and the
    others wait at barriers so no rank reads a half-moved folder.
    """
    out = Path(out).absolute()
    rank = comm.rank  # type: ignore[attr-defined]
    tmp: str | None = None
    error: str | None = None
    if rank == 0:
        try:
            check_destination(out, overwrite)
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent)
        except (CaseError, OSError) as exc:
            error = str(exc)
    tmp, error = comm.bcast((tmp, error), root=0)  # type: ignore[attr-defined]
    if error is not None:
        raise CaseError(error)
    assert tmp is not None
    ok = False
    try:
        yield Path(tmp)
        ok = True
    finally:
        comm.barrier()  # type: ignore[attr-defined]
        if rank == 0:
            if ok:
                _replace(Path(tmp), out)
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        comm.barrier()  # type: ignore[attr-defined]


def _replace(new: Path, out: Path) -> None:
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        out.rename(old / out.name)
        new.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(out)
