"""The inelastic run (fem_package.pipeline.inelastic): cycle convergence, checkpoint/resume, CLI, settings, MPI.

A silicon die bonded by a viscous glue layer (the test-only ``Maxwell`` model of
tests/test_inelastic_solver.py, relaxation time ~100 s against 10-minute dwells) is cycled:
the stress relaxes almost fully in every dwell, so cycle 1 (which starts from the first
heating out of the stress-free state) dissipates differently from cycle 2, and cycles 2 and
3 are alike: the per-cycle energy settles after three cycles.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fem_package import checkpoint
from fem_package.case import Case, CaseError, validate_case
from fem_package.console import Console
from fem_package.fenics import MPI
from fem_package.pipeline.inelastic import run_inelastic
from solvers.constitutive.base import ConstitutiveModel, LinearElastic
from tests.conftest import REPO, flipstack_command, laminate_case
from tests.test_inelastic_solver import Maxwell

GLUE_VISCOSITY = 3e11  # Pa s: tau = 6 eta (1 - nu) / E ~ 100 s for the glue's E ~ 8 GPa at room temperature


def glued_die(**inelastic: Any) -> Case:
    return laminate_case(
        [
            {"name": "die", "material": "silicon", "thickness": "0.3 mm"},
            {"name": "glue", "material": "underfill_capillary", "thickness": "0.2 mm"},
        ],
        length="2 mm",
        width="1 mm",
        mesh={"max_size": "1 mm"},
        output={"picture": False},
        solver={
            "physics": "inelastic",
            "degree": 1,
            "inelastic": {"dwell_substeps": 3, "substeps_per_ramp": 1, "cycle_tolerance": 0.005, **inelastic},
        },
        load={"steps_per_ramp": 2, "steps_per_dwell": 2, "ramp_time": "10 min", "dwell_time": "10 min"},
    )


def glue_models(material: Any) -> ConstitutiveModel:
    return Maxwell(material, GLUE_VISCOSITY) if material.key == "underfill_capillary" else LinearElastic(material)


def run(case: Case, out: Path, comm: Any = None, **kw: Any) -> dict[str, Any]:
    return run_inelastic(case, out, True, Console(verbosity=0), comm=comm or MPI.COMM_SELF, models=glue_models, **kw)


class Killed(RuntimeError):
    """Stands for a killed process in the resume test."""


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run(glued_die(max_cycles=6), tmp_path_factory.mktemp("full") / "out")


def test_cycles_stop_when_the_energy_per_cycle_settles(uninterrupted: dict[str, Any]) -> None:
    record = uninterrupted["inelastic"]["cycle_convergence"]
    changes = [r["change"] for r in record["records"]]
    energy = [r["energy_density"]["glue"] for r in record["records"]]
    print(f"per-cycle energy density of the glue {energy} J/m^3, changes {changes}")
    assert record["converged"] and record["cycles"] < 6
    assert changes[-1] <= 0.005 < changes[-2]  # stopped at the first cycle below the tolerance
    assert min(energy) > 100.0  # the glue really dissipates every cycle
    assert uninterrupted["inelastic"]["per_region"]["die"]["accumulated_energy_density_J_m3"] == 0.0
    steps = uninterrupted["steps"]
    assert [s["cycle"] for s in steps][-1] == record["cycles"]
    assert all(s["iterations"] == s["increments"] for s in steps if s["index"] > 0)  # linear: 1 per increment


def kill_after_cycle_1(cycle: int) -> None:
    if cycle == 1:
        raise Killed


def killed_after_cycle_1(case: Case, out: Path) -> None:
    """Run ``case`` into ``out`` and kill it after cycle 1: only the checkpoint is left."""
    with pytest.raises(Killed):
        run(case, out, after_cycle=kill_after_cycle_1)
    assert not out.exists() and (checkpoint.work_folder(out) / checkpoint.RECORD).is_file()


def resumed(case: Case, out: Path) -> dict[str, Any]:
    """Resume the killed run of ``case`` in ``out``: its summary."""
    summary = run(case, out, resume=True)
    assert summary["run"]["resumed"] and not checkpoint.work_folder(out).exists()
    return summary


def assert_same_cycles(a: dict[str, Any], b: dict[str, Any], rel: float) -> None:
    """Same number of cycles, energy per cycle and peak displacement per step (relative ``rel``)."""
    ca, cb = a["inelastic"]["cycle_convergence"], b["inelastic"]["cycle_convergence"]
    assert ca["cycles"] == cb["cycles"]
    for ra, rb in zip(ca["records"], cb["records"], strict=True):
        assert ra["energy_density"]["glue"] == pytest.approx(rb["energy_density"]["glue"], rel=rel)
    for sa, sb in zip(a["steps"], b["steps"], strict=True):
        assert sa["max_displacement_m"] == pytest.approx(sb["max_displacement_m"], rel=rel)


def test_resume_after_a_kill_equals_the_uninterrupted_run(uninterrupted: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    killed_after_cycle_1(glued_die(max_cycles=6), out)
    with pytest.raises(CaseError, match="belongs to another case"):
        run(glued_die(max_cycles=7), out, resume=True)
    # the resumed run and the uninterrupted one both rebuild the multigrid hierarchy after the checkpoint
    assert_same_cycles(resumed(glued_die(max_cycles=6), out), uninterrupted, rel=1e-10)
    from postprocess.xdmf_results import XdmfResults

    results = XdmfResults.open(out / "results.xdmf")
    assert len(results.times) == len(uninterrupted["steps"])
    assert {"equivalent_inelastic_strain", "inelastic_energy_density_J_m3", "stress_Pa"} <= set(results.fields)


def test_resume_with_inexact_krylov_solves_equals_the_uninterrupted_run(tmp_path: Path) -> None:
    """With Eisenstat-Walker forcing each Newton step depends on the preconditioner (1e-6 apart before it was
    rebuilt after every checkpoint); now the resumed run repeats the uninterrupted one."""
    case = glued_die(max_cycles=6, newton={"krylov_forcing": True})
    uninterrupted = run(case, tmp_path / "full")
    killed_after_cycle_1(case, tmp_path / "out")
    assert_same_cycles(resumed(case, tmp_path / "out"), uninterrupted, rel=1e-10)


def test_cli_resume_continues_a_killed_run(tmp_path: Path) -> None:
    case_file = tmp_path / "case.toml"
    raw = glued_die().model_dump(mode="json")
    raw["load"]["cycles"] = 3  # elastic materials (no shipped law for fr4): every cycle alike, three are run
    raw["geometry"]["layers"][1]["material"] = "fr4"  # (the shipped underfill law is viscoelastic)
    case_file.write_text(validate_case(raw).to_toml(), encoding="utf-8")
    out = tmp_path / "res"
    record = checkpoint.work_folder(out) / checkpoint.RECORD
    cmd = [*flipstack_command(), "run", str(case_file), "--out", str(out), "-q"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code, also when flipstack is installed elsewhere
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if record.is_file() and json.loads(record.read_text())["next_cycle"] >= 2:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert not out.exists()
    done = subprocess.run([*cmd, "--resume"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["resumed"]
    steps = summary["steps"]
    assert [s["cycle"] for s in steps][-1] == 3 and [s["index"] for s in steps] == list(range(len(steps)))
    by_cycle = {c: [s["max_displacement_m"] for s in steps if s["cycle"] == c] for c in (1, 3)}
    np.testing.assert_allclose(by_cycle[3], by_cycle[1], rtol=1e-7)  # elastic: the resumed cycles repeat cycle 1


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"physics": "plastic"}, "solver.physics = 'plastic'"),
        (
            {"inelastic": {"cycle_tolerance": 1.5}},
            "solver.inelastic.cycle_tolerance = 1.5: Input should be less than 1",
        ),
        ({"inelastic": {"newton": {"max_iterations": 0}}}, "solver.inelastic.newton.max_iterations = 0"),
        ({"inelastic": {"newton": {"min_step": "-1 s"}}}, "solver.inelastic.newton.min_step = '-1 s'"),
        ({"inelastic": {"newton": {"line_serch": True}}}, "solver.inelastic.newton.line_serch: unknown key"),
    ],
)
def test_bad_inelastic_settings_name_key_value_and_range(section: dict[str, Any], message: str) -> None:
    with pytest.raises(CaseError, match=message.replace(".", r"\.").replace("(", r"\(")):
        validate_case({"solver": section})


@pytest.mark.mpi
def test_two_ranks_give_the_serial_per_joint_results(tmp_path: Path) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    shared = Path(comm.bcast(str(tmp_path), root=0))
    case = glued_die(max_cycles=2)
    distributed = run(case, shared / "dist", comm=comm)
    serial = run(case, shared / f"serial{comm.rank}", comm=MPI.COMM_SELF)
    assert distributed["run"]["ranks"] == comm.size
    for name in ("die", "glue"):
        a, b = distributed["inelastic"]["per_region"][name], serial["inelastic"]["per_region"][name]
        np.testing.assert_allclose(a["energy_density_per_cycle_J_m3"], b["energy_density_per_cycle_J_m3"], rtol=1e-6)
        assert a["accumulated_inelastic_strain"] == pytest.approx(b["accumulated_inelastic_strain"], rel=1e-6)
    for sa, sb in zip(distributed["steps"], serial["steps"], strict=True):
        assert sa["max_displacement_m"] == pytest.approx(sb["max_displacement_m"], rel=1e-7)
