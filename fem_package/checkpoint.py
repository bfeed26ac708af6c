"""Checkpoints of a run that carries history: resume a killed run where its last cycle ended.

A checkpoint lives in the run's work folder ``.<out name>.work`` beside ``--out`` (outside the
staged results folder, which is removed when a run fails). It holds

- ``checkpoint.json`` (rank 0): the case hash, the number of ranks, the index of the
  checkpoint and the run's global record (step records, cycle records, ...);
- ``state-<index>-rank<r>.npz`` (every rank): its arrays (displacement, quadrature-point state).

The rank files of checkpoint k are written first, then the JSON is replaced atomically
(write + rename), then older rank files are removed: a run killed at any moment leaves the
JSON pointing at complete rank files. A resume with another case or another number of ranks
is refused (the arrays follow the mesh partition).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case.errors import CaseError

RECORD = "checkpoint.json"


def work_folder(out: Path) -> Path:
    """The work folder of a run with results folder ``out``: ``<parent>/.<name>.work``."""
    out = Path(out).absolute()
    return out.parent / f".{out.name}.work"


def prepare(folder: Path, resume: bool, comm: Any) -> None:
    """Create the work folder; without ``resume`` remove what an earlier run left there."""
    if comm.rank == 0:
        if not resume and folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
    comm.barrier()


def _rank_file(folder: Path, index: int, rank: int) -> Path:
    return folder / f"state-{index:04d}-rank{rank}.npz"


def save(folder: Path, index: int, arrays: dict[str, np.ndarray], record: dict[str, Any], comm: Any) -> None:
    """Write checkpoint ``index``: this rank's ``arrays``, and ``record`` (rank 0's copy)."""
    path = _rank_file(folder, index, comm.rank)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, allow_pickle=False, **arrays)
    os.replace(tmp, path)
    comm.barrier()
    if comm.rank == 0:
        text = json.dumps({**record, "index": index, "ranks": comm.size}, indent=1)
        tmp_json = folder / (RECORD + ".tmp")
        tmp_json.write_text(text, encoding="utf-8")
        os.replace(tmp_json, folder / RECORD)
    comm.barrier()
    for old in folder.glob(f"state-*-rank{comm.rank}.npz"):
        if old != path:
            old.unlink(missing_ok=True)


def load(folder: Path, case_hash: str, comm: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]] | None:
    """The last checkpoint (record, this rank's arrays), or None when there is none.

    Raises :class:`CaseError` when it belongs to another case or another number of ranks.
    """
    record: dict[str, Any] | None = None
    if comm.rank == 0 and (folder / RECORD).is_file():
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    record = comm.bcast(record, root=0)
    if record is None:
        return None
    if record.get("case_hash") != case_hash:
        raise CaseError(
            f"--resume: the checkpoint in {str(folder)!r} belongs to another case (hash "
            f"{str(record.get('case_hash'))[:12]}, this case {case_hash[:12]}); run without --resume to start over"
        )
    if record.get("ranks") != comm.size:
        raise CaseError(
            f"--resume: the checkpoint in {str(folder)!r} was written by {record.get('ranks')} rank(s), "
            f"this run has {comm.size}; resume with mpiexec -n {record.get('ranks')} or run without --resume"
        )
    with np.load(_rank_file(folder, int(record["index"]), comm.rank)) as data:
        arrays = {k: data[k] for k in data.files}
    return record, arrays


def remove(folder: Path, comm: Any) -> None:
    """Delete the work folder (after the results are in place)."""
    comm.barrier()
    if comm.rank == 0:
        shutil.rmtree(folder, ignore_errors=True)
    comm.barrier()
