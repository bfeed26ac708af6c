"""Run the variants of a sweep, sequentially or concurrently on MPI sub-communicators.

``mpiexec -n 8 flipstack sweep SWEEP.toml --ranks-per-case 2`` splits the 8 ranks into 4
groups (``MPI.Comm.Split`` by ``rank // ranks_per_case``); variant i runs in group
i mod 4, each with :func:`fem_package.pipeline.run` on its group's communicator, into
``OUT/<variant name>``. A variant whose folder holds a ``summary.json`` with the same case
hash is complete and skipped; one that fails is recorded and the others go on. World rank 0
gathers one row per variant and writes ``sweep_summary.csv`` and ``sweep_summary.json``.
"""

from __future__ import annotations

import csv
import json
import os
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fem_package.case.errors import CaseError
from fem_package.case.sweep import Variant
from fem_package.console import Console

SUMMARY_COLUMNS = (
    "variant",
    "status",
    "seconds",
    "critical_joint",
    "dnp_m",
    "shear_strain_range",
    "peak_von_mises_Pa",
    "max_displacement_m",
    "dofs",
    "ranks",
    "message",
)


@dataclass
class VariantResult:
    """One row of the sweep summary."""

    variant: str
    status: str  # "done", "skipped" (complete before), "failed"
    seconds: float = 0.0
    critical_joint: str | None = None
    dnp_m: float | None = None
    shear_strain_range: float | None = None
    peak_von_mises_Pa: float | None = None
    max_displacement_m: float | None = None
    dofs: int | None = None
    ranks: int | None = None
    message: str = ""

    @classmethod
    def from_summary(cls, variant: str, status: str, seconds: float, summary: dict[str, Any]) -> VariantResult:
        """The row of a completed run."""
        crit = summary.get("critical_joint") or {}
        peaks = [r.get("peak_von_mises") for r in summary.get("regions", {}).values()]
        peaks += [j.get("peak_von_mises") for j in summary.get("joints", [])]
        steps = summary.get("steps", [])
        return cls(
            variant,
            status,
            seconds,
            crit.get("name"),
            crit.get("dnp"),
            crit.get("shear_strain_range"),
            max((p for p in peaks if p is not None), default=None),
            max((s["max_displacement_m"] for s in steps), default=None),
            summary.get("run", {}).get("dofs"),
            summary.get("run", {}).get("ranks"),
        )


def completed_summary(folder: Path, case_hash: str) -> dict[str, Any] | None:
    """The summary of a finished run of the same case in ``folder``, else None."""
    path = folder / "summary.json"
    if not path.is_file():
        return None
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    same = isinstance(summary, dict) and summary.get("case", {}).get("hash") == case_hash
    return summary if same else None


def split_groups(comm: Any, ranks_per_case: int) -> tuple[Any, int, int]:
    """(group communicator, group index, number of groups); the world size must be a multiple."""
    if ranks_per_case < 1 or comm.size % ranks_per_case:
        raise CaseError(
            f"--ranks-per-case {ranks_per_case}: must divide the number of MPI ranks ({comm.size}); "
            f"allowed: {', '.join(str(n) for n in range(1, comm.size + 1) if comm.size % n == 0)}"
        )
    group = comm.rank // ranks_per_case
    return comm.Split(color=group, key=comm.rank), group, comm.size // ranks_per_case


def _run_variant(variant: Variant, out: Path, overwrite: bool, comm: Any, console: Console) -> VariantResult:
    from fem_package.pipeline import run

    folder = out / variant.name
    digest = variant.case.digest()
    done = completed_summary(folder, digest) if comm.rank == 0 else None
    done = comm.bcast(done, root=0)
    if done is not None:
        return VariantResult.from_summary(variant.name, "skipped", 0.0, done)
    t0 = time.perf_counter()
    quiet = Console(console.rank if comm.rank == 0 else 1, 0)
    try:
        if folder.exists() and not overwrite:
            raise CaseError(f"{folder} holds an incomplete or different run; pass --overwrite to replace it")
        summary = run(variant.case, folder, True, quiet, comm=comm)
    except Exception as exc:  # one failed variant must not stop the others
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        if console.verbosity >= 2 and comm.rank == 0:
            traceback.print_exc()
        return VariantResult(variant.name, "failed", time.perf_counter() - t0, message=message)
    return VariantResult.from_summary(variant.name, "done", time.perf_counter() - t0, summary)


def run_sweep(
    variants: list[Variant], out: Path, ranks_per_case: int, overwrite: bool, console: Console, comm: Any
) -> list[VariantResult]:
    """Run every variant; returns the rows (on every rank) after writing the summary files on rank 0."""
    group_comm, group, n_groups = split_groups(comm, ranks_per_case)
    console.info(
        f"sweep: {len(variants)} variant(s) in {n_groups} group(s) of {ranks_per_case} rank(s); results in {out}"
    )
    if comm.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    comm.barrier()
    mine: list[tuple[int, VariantResult]] = []
    try:
        for i, variant in enumerate(variants):
            if i % n_groups != group:
                continue
            result = _run_variant(variant, out, overwrite, group_comm, console)
            mine.append((i, result))
            line = f"  [{i + 1}/{len(variants)}] {variant.name}: {result.status}"
            line += f" ({result.seconds:.1f} s)" if result.status == "done" else ""
            console.info(line + (f": {result.message}" if result.message else ""))
    finally:
        group_comm.Free()
    gathered = comm.gather(mine if (comm.rank % ranks_per_case) == 0 else [], root=0)
    rows: list[VariantResult] = []
    if comm.rank == 0:
        rows = [r for _, r in sorted((p for part in gathered for p in part), key=lambda p: p[0])]
        write_sweep_summary(out, variants, rows)
    rows = comm.bcast(rows, root=0)
    failed = [r.variant for r in rows if r.status == "failed"]
    console.info(
        f"sweep: {sum(r.status == 'done' for r in rows)} done, {sum(r.status == 'skipped' for r in rows)} skipped "
        f"(complete before), {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}; "
        f"table in {out / 'sweep_summary.csv'}"
    )
    for r in rows:
        if r.status == "failed":
            console.error(f"variant {r.variant}: {r.message}")
    return rows


def write_sweep_summary(out: Path, variants: list[Variant], rows: list[VariantResult]) -> None:
    """``sweep_summary.csv`` (one row per variant, the varied keys as columns) and ``.json``, atomically."""
    keys = list(dict.fromkeys(k for v in variants for k in v.values))
    by_name = {v.name: v for v in variants}
    tmp = out / ".sweep_summary.csv.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([SUMMARY_COLUMNS[0], *keys, *SUMMARY_COLUMNS[1:]])
        for r in rows:
            d = asdict(r)
            values = by_name[r.variant].values
            measured = ("" if d[c] is None else d[c] for c in SUMMARY_COLUMNS[1:])
            writer.writerow([r.variant, *(values.get(k, "") for k in keys), *measured])
    os.replace(tmp, out / "sweep_summary.csv")
    tmp_json = out / ".sweep_summary.json.tmp"
    data = [{**asdict(r), "parameters": by_name[r.variant].values} for r in rows]
    tmp_json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp_json, out / "sweep_summary.json")
