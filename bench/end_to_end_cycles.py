"""Benchmark: three viscoplastic thermal cycles of the default baseline case, end to end (target <= 10 min).

Writes the built-in default case (``fem_package.case.case.DEFAULT_CASE``) with ``[solver] physics =
"inelastic"`` and exactly ``--cycles`` cycles (``[load] cycles`` = ``[solver.inelastic] max_cycles``)
to a case file and runs ``flipstack run`` on it under ``mpiexec -n RANKS``, as a user would: meshing,
thermal stage, cool-down, cycles with checkpoints, fields, life, report. It prints the wall time,
the stage times from ``summary.json`` and the Newton statistics, and the ratio of the wall time to
the 10-minute target. The load average is printed with it: the machines are shared, and a loaded
machine makes the absolute time meaningless. Run ``.venv/bin/python bench/end_to_end_cycles.py
[--ranks 2] [--cycles 3] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tomli_w

from fem_package.case import DEFAULT_CASE

TARGET_S = 600.0
REPO = Path(__file__).resolve().parents[1]


def case_dict(cycles: int) -> dict:
    """The default case, inelastic, with exactly ``cycles`` thermal cycles."""
    raw = copy.deepcopy(DEFAULT_CASE)
    raw["load"]["cycles"] = cycles
    raw["solver"] = {"physics": "inelastic", "inelastic": {"max_cycles": cycles}}
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ranks", type=int, default=2, help="MPI ranks (the target is for 2 cores)")
    parser.add_argument("--cycles", type=int, default=3, help="thermal cycles")
    parser.add_argument("--keep", type=Path, help="keep the results folder here")
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        case_file = Path(tmp) / "default_inelastic.toml"
        case_file.write_bytes(tomli_w.dumps(case_dict(args.cycles)).encode())
        out = Path(tmp) / "out"
        cmd = [str(bindir / "mpiexec"), "-n", str(args.ranks), str(bindir / "flipstack"), "run", str(case_file)]
        cmd += ["--out", str(out)]
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            sys.exit(f"flipstack run failed ({done.returncode}):\n{done.stderr[-4000:]}")
        summary = json.loads((out / "summary.json").read_text())
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(out, args.keep)
    report(summary, wall, args.ranks, load0)


def report(summary: dict, wall: float, ranks: int, load0: float) -> None:
    """Print the stage times, Newton statistics and the wall time against the target."""
    timings = summary["timings_s"]
    newton = summary["inelastic"]["newton"]
    per_increment = [i for step in newton["steps"] for i in step["newton_iterations"]]
    krylov = sum(step["krylov_iterations"] for step in newton["steps"])
    cuts = sum(step["cuts"] for step in newton["steps"])
    convergence = summary["inelastic"]["cycle_convergence"]
    print(f"default case, inelastic, {convergence['cycles']} cycle(s) after the initial load, {ranks} rank(s)")
    print(f"  load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after")
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items() if isinstance(v, float)))
    print(
        f"  {len(per_increment)} increments, {sum(per_increment)} Newton iterations (max {max(per_increment)}, "
        f"mean {sum(per_increment) / len(per_increment):.2f} per increment), {cuts} cuts, {krylov} Krylov iterations"
    )
    print(f"  energy per cycle settled: {convergence['reason']}")
    print(f"  wall {wall:.1f} s = {wall / 60:.2f} min; wall / 10-minute target = {wall / TARGET_S:.2f}")


if __name__ == "__main__":
    main()
