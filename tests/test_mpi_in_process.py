"""Run by `make test` under `mpiexec -n 2`: distributed results equal serial ones on the same ranks."""

from __future__ import annotations

from pathlib import Path

import pytest

from fem_package.fenics import MPI
from tests.conftest import laminate_case, run_case

pytestmark = pytest.mark.mpi


@pytest.fixture
def shared_tmp(tmp_path: Path) -> Path:
    """A temporary folder that is the same on every rank."""
    return Path(MPI.COMM_WORLD.bcast(str(tmp_path), root=0))


def test_distributed_bimaterial_equals_serial(shared_tmp: Path) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    case = laminate_case(
        [
            {"name": "die", "material": "silicon", "thickness": "0.5 mm"},
            {"name": "board", "material": "fr4", "thickness": "0.8 mm"},
        ],
        length="6 mm",
        width="4 mm",
        mesh={"max_size": "0.5 mm"},
        solver={"rtol": 1e-12},
        load={"profile": "JESD22-A104-G", "steps_per_ramp": 1},
        output={"picture": False},
    )
    distributed = run_case(case, shared_tmp / "dist", comm=comm)
    serial = run_case(case, shared_tmp / f"serial{comm.rank}", comm=MPI.COMM_SELF)
    assert distributed["run"]["ranks"] == comm.size and serial["run"]["ranks"] == 1
    for a, b in zip(distributed["steps"], serial["steps"], strict=True):
        assert a["max_displacement_m"] == pytest.approx(b["max_displacement_m"], rel=1e-8)
    for name in ("die", "board"):
        for key in ("peak_von_mises", "mean_von_mises"):
            assert distributed["regions"][name][key] == pytest.approx(serial["regions"][name][key], rel=1e-6)
