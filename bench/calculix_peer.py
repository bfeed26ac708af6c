"""Benchmark: the default baseline model solved by flipstack and by CalculiX (the peer a user would try).

The mesh of the default case is exported with ``flipstack export`` (C3D10, one load step at the hot
extreme of the cycle) and solved by CalculiX 2.20 (Debian ``calculix-ccx``, installed by this script
when missing and run as root) twice: with its default direct solver (SPOOLES) and with
``SOLVER=ITERATIVE CHOLESKY``, each on 2 threads. flipstack solves the same mesh on 2 MPI ranks
(set-up + assemble + solve, the phases ccx's wall time covers apart from reading the deck).

Printed: wall time and peak memory of each, the ratios (targets: flipstack wall <= 0.5 x the faster
ccx solver; flipstack memory <= ccx iterative), and the agreement of the results (max |u| within 1 %,
volume-averaged von Mises of every joint within 3 %). Peak memory of ccx is the ``ru_maxrss`` of its
process (wrapper below); flipstack's is VmHWM of the solve phase summed over ranks.

    .venv/bin/python bench/calculix_peer.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WRAPPER = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "print(r.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.stderr.write(r.stdout[-2000:])"
)


def hot_case(scale: float) -> Any:
    """The default case with one load step at the hot extreme (the stress-free start is step 0)."""
    from fem_package.case import DEFAULT_CASE, validate_case

    raw = copy.deepcopy(DEFAULT_CASE)
    raw["load"] = {"profile": "custom", "points": [[0.0, 298.15], [600.0, 398.15]], "steps_per_ramp": 1}
    raw["mesh"] = {"max_size": f"{1000 * scale:.1f} um", "joint_size": f"{80 * scale:.2f} um"}
    raw["output"] = {"picture": False}
    return validate_case(raw)


def ccx_binary() -> str:
    """ccx, installed from Debian's packages when missing."""
    found = shutil.which("ccx")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "calculix-ccx"], check=True)
        found = shutil.which("ccx")
    assert found is not None
    return found


def run_ccx(deck: Path, solver: str) -> tuple[float, float, Path]:
    """Run ccx on a copy of ``deck`` with ``*STATIC, SOLVER=solver`` and element stresses printed to the .dat file.

    Returns (wall s, peak MB, .dat path).
    """
    name = f"{deck.stem}_{solver.split()[0].lower()}"
    text = deck.read_text().replace("*STATIC\n", f"*STATIC, SOLVER={solver}\n")
    # the deck names one element set per region and no EALL: print the joints' sets (ccx skips unknown sets)
    joints = sorted(set(re.findall(r"ELSET=(bump_\d+)", text)))
    text = text.replace("*END STEP", "".join(f"*EL PRINT, ELSET={j}\nS\n" for j in joints) + "*END STEP")
    target = deck.with_name(name + ".inp")
    target.write_text(text)
    env = {**os.environ, "OMP_NUM_THREADS": "2", "CCX_NPROC_EQUATION_SOLVER": "2"}
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, ccx_binary(), "-i", name],
        cwd=deck.parent,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    code, seconds, peak_kb = out.stdout.split()
    if code != "0":
        raise RuntimeError(f"ccx ({solver}) failed:\n{out.stderr}")
    return float(seconds), float(peak_kb) / 1024.0, deck.with_name(name + ".dat")


def blocks(dat: Path, heading: str) -> list[np.ndarray]:
    """The numeric rows under every ``heading`` line of a ccx .dat file, one array per block (first column: id)."""
    found: list[list[list[float]]] = []
    inside = False
    for line in dat.read_text().splitlines():
        if re.match(rf"^ {heading} ", line):
            found.append([])
            inside = True
        elif inside and line.strip():
            try:
                found[-1].append([float(v) for v in line.split()])
            except ValueError:  # the next block's heading
                inside = False
    return [np.array(rows) for rows in found]


def last_block(dat: Path, heading: str) -> np.ndarray:
    """Rows of the last ``heading`` block of a ccx .dat file (first column: node or element id)."""
    return blocks(dat, heading)[-1]


def element_stress(dat: Path, n_elements: int, sets: int) -> np.ndarray:
    """(n_elements, 6) mean of the integration-point stresses (sxx, syy, szz, sxy, sxz, syz) of each element.

    For straight C3D10 with cell-wise constant moduli the stress is linear in an element, so the mean of
    the 4 integration points equals the element average, which is what flipstack's DG0 stress holds.
    """
    # one block per printed joint set and step: the last step's are the last ``sets`` blocks
    rows = np.vstack(blocks(dat, r"stresses \(elem, integ\.pnt\.,sxx,syy,szz,sxy,sxz,syz\)")[-sets:])
    ids = rows[:, 0].astype(int) - 1
    out = np.zeros((n_elements, 6))
    count = np.bincount(ids, minlength=n_elements)
    for k in range(6):
        out[:, k] = np.bincount(ids, weights=rows[:, 2 + k], minlength=n_elements)
    return out / np.maximum(count, 1)[:, None]


def von_mises(s: np.ndarray) -> np.ndarray:
    """von Mises of (n, 6) stresses (xx, yy, zz, xy, xz, yz)."""
    xx, yy, zz, xy, xz, yz = s.T
    return np.sqrt(0.5 * ((xx - yy) ** 2 + (yy - zz) ** 2 + (zz - xx) ** 2) + 3 * (xy**2 + xz**2 + yz**2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="mesh size factor of the default case")
    parser.add_argument("--keep", type=Path, help="keep the decks and ccx output in this folder")
    args = parser.parse_args()

    from bench.linear_step_vs_plain import _launch
    from fem_package.pipeline import region_materials
    from fem_package.pipeline.export import deck_model, export_deck
    from solvers.stress_recovery import StressRecovery
    from solvers.thermoelastic import ThermoelasticProblem

    case = hot_case(args.scale)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="flipstack-ccx-"))
    folder.mkdir(parents=True, exist_ok=True)
    deck = folder / "baseline.inp"
    stats, tagged = export_deck(case, deck, "C3D10")
    model = deck_model(case, tagged)
    print(f"deck: {stats.nodes} nodes, {stats.elements} C3D10 elements ({3 * stats.nodes} dofs), {deck}")

    # flipstack on the same mesh, serially, for the comparison of results
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    recovery = StressRecovery(problem)
    for step in case.load.steps():
        problem.solve(step.temperature)
    fields = recovery.evaluate()
    u_fs_max = fields.displacement_max
    sigma = fields.stress  # (n, 3, 3), cells in local order = the deck's cell order (serial mesh)
    s_fs = np.stack(
        [sigma[:, 0, 0], sigma[:, 1, 1], sigma[:, 2, 2], sigma[:, 0, 1], sigma[:, 0, 2], sigma[:, 1, 2]], axis=1
    )
    # deck element k -> flipstack cell: regions in order, cells of each in increasing index
    order = np.concatenate([np.nonzero(model.cell_tags == r.tag)[0] for r in model.regions])
    x = model.points[model.cells[order]]
    volume = np.abs(np.einsum("ni,ni->n", x[:, 1] - x[:, 0], np.cross(x[:, 2] - x[:, 0], x[:, 3] - x[:, 0]))) / 6
    tag_of_element = model.cell_tags[order]

    timing = _launch("flipstack", f"{args.scale}:0", 2, 1)
    fs_seconds = timing["setup"] + timing["assemble"] + timing["solve"]
    print(
        f"flipstack, 2 ranks: {fs_seconds:.1f} s (setup {timing['setup']:.1f}, assemble {timing['assemble']:.1f}, "
        f"solve {timing['solve']:.1f}, {timing['iterations']} CG its), peak {timing['peak_mb']:.0f} MB"
    )
    results: dict[str, dict[str, float]] = {}
    joints = [r for r in model.regions if r.name.startswith("bump")]
    for solver in ("ITERATIVE CHOLESKY", "SPOOLES"):
        seconds, peak, dat = run_ccx(deck, solver)
        u = last_block(dat, r"displacements \(vx,vy,vz\)")[:, 1:]
        u_max = float(np.sqrt((u**2).sum(axis=1)).max())
        entry = {"seconds": seconds, "peak_mb": peak, "u_max_rel": abs(u_max - u_fs_max) / u_fs_max}
        if "stresses" in dat.read_text():
            s_ccx = element_stress(dat, len(order), len(joints))
            worst = 0.0
            for r in joints:
                m = tag_of_element == r.tag
                w = volume[m] / volume[m].sum()
                a = float(w @ von_mises(s_ccx[m]))
                b = float(w @ von_mises(s_fs[order[m]]))
                worst = max(worst, abs(a - b) / b)
            entry["joint_von_mises_rel_max"] = worst
        results[solver] = entry
        print(f"ccx {solver}: {seconds:.1f} s, peak {peak:.0f} MB; " + json.dumps(entry))
    fastest = min(results.values(), key=lambda e: e["seconds"])
    print(
        f"\nwall ratio flipstack / fastest ccx = {fs_seconds / fastest['seconds']:.2f} (target <= 0.5); "
        f"memory ratio flipstack / ccx iterative = {timing['peak_mb'] / results['ITERATIVE CHOLESKY']['peak_mb']:.2f} "
        "(target <= 1)"
    )


if __name__ == "__main__":
    main()
