"""Load increments of the inelastic solver, its cycle rule, the checkpoint guard and the XDMF join (no solves)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fem_package import checkpoint
from fem_package.case import CaseError
from fem_package.case.inelastic import InelasticSettings
from fem_package.fenics import MPI, dolfinx
from fem_package.materials import get
from fem_package.pipeline.inelastic import cycle_steps
from fem_package.thermal_profile import LoadStep
from fem_package.xdmf_merge import merge_time_series
from solvers.inelastic.cycles import CycleConvergence
from solvers.inelastic.increments import dwell_fractions, ramp_direction, subdivide


def test_dwell_increments_grow_geometrically_and_end_at_the_step() -> None:
    f = dwell_fractions(4)
    np.testing.assert_allclose(np.diff([0.0, *f]), np.array([1, 2, 4, 8]) / 15)
    plan = subdivide(100.0, 398.15, 250.0, 398.15, InelasticSettings(dwell_substeps=4), [])
    assert [t for t, _ in plan] == pytest.approx([110.0, 130.0, 170.0, 250.0])
    assert all(temp == 398.15 for _, temp in plan)


def test_ramp_through_the_sac305_melting_range_is_split_at_solidus_and_liquidus() -> None:
    sac = get("sac305")
    solidus, liquidus = sac["solidus"](0.0), sac["liquidus"](0.0)
    settings = InelasticSettings(substeps_per_ramp=2, phase_change_substeps=4)
    plan = subdivide(0.0, 473.15, 100.0, 523.15, settings, [(solidus, liquidus)])  # 200 C -> 250 C in 100 s
    temps = [float(temp) for _, temp in plan]
    assert min(abs(np.array(temps) - solidus)) < 1e-9 and min(abs(np.array(temps) - liquidus)) < 1e-9
    inside = [t for t in temps if solidus < t <= liquidus + 1e-9]
    assert len(inside) == 4  # the 1 K melting range gets its own four increments
    assert temps[-1] == pytest.approx(523.15) and np.all(np.diff(temps) > 0)
    times = [t for t, _ in plan]
    at_solidus = int(np.argmin(abs(np.array(temps) - solidus)))
    assert times[at_solidus] == pytest.approx((solidus - 473.15) / 50.0 * 100.0)
    cooling = subdivide(0.0, 523.15, 100.0, 473.15, settings, [(solidus, liquidus)])
    assert np.all(np.diff([float(t) for _, t in cooling]) < 0) and len(cooling) == len(plan)


def test_a_ramp_after_a_dwell_or_a_reversal_starts_with_halving_increments() -> None:
    """-40 -> 125 C in 900 s, 2 increments per ramp, start split in 3: 1/8, 1/4, 1/2, 1 of the ramp."""
    settings = InelasticSettings(substeps_per_ramp=2, ramp_start_substeps=3)
    for previous in (None, 0, -1):  # run start, after a dwell, reversing a cooling ramp
        plan = subdivide(0.0, 233.15, 900.0, 398.15, settings, [], None, previous)
        assert [t for t, _ in plan] == pytest.approx([112.5, 225.0, 450.0, 900.0])
        assert [float(temp) for _, temp in plan] == pytest.approx([253.775, 274.4, 315.65, 398.15])
    continuing = subdivide(0.0, 233.15, 900.0, 398.15, settings, [], None, 1)
    assert [t for t, _ in continuing] == pytest.approx([450.0, 900.0])
    cooling = subdivide(0.0, 398.15, 900.0, 233.15, settings, [], None, 1)
    assert [t for t, _ in cooling] == pytest.approx([112.5, 225.0, 450.0, 900.0])
    equal = subdivide(0.0, 233.15, 900.0, 398.15, InelasticSettings(ramp_start_substeps=1), [], None, 0)
    assert [t for t, _ in equal] == pytest.approx([450.0, 900.0])
    assert ramp_direction(np.array([300.0, 310.0]), np.array([305.0, 300.0])) == -1
    assert ramp_direction(300.0, 300.0) == 0


def test_per_cell_temperatures_are_interpolated() -> None:
    a, b = np.array([300.0, 310.0]), np.array([400.0, 350.0])
    plan = subdivide(0.0, a, 10.0, b, InelasticSettings(substeps_per_ramp=2), [(500.0, 501.0)], None, 1)
    np.testing.assert_allclose(plan[0][1], [350.0, 330.0])
    np.testing.assert_allclose(plan[1][1], b)


def test_cycles_beyond_the_profile_repeat_its_last_cycle_shifted_by_the_period() -> None:
    steps = [
        LoadStep(0, 0.0, 300.0, 0, "start"),
        LoadStep(1, 10.0, 400.0, 1, "ramp_up"),
        LoadStep(2, 20.0, 300.0, 1, "ramp_down"),
    ]
    third = cycle_steps(steps, 3, 20.0)
    assert [(s.index, s.time, s.cycle) for s in third] == [(5, 50.0, 3), (6, 60.0, 3)]
    assert cycle_steps(steps, 1, 20.0) == steps[1:] and cycle_steps(steps, 2, None) == []


def test_cycle_rule() -> None:
    rule = CycleConvergence(tolerance=0.05, min_cycles=1, max_cycles=5)
    rule.add(1, {"a": 100.0, "b": 50.0}, {"a": 1e-3, "b": 0.0})
    assert not rule.done()
    rule.add(2, {"a": 90.0, "b": 50.0}, {"a": 1e-3, "b": 0.0})
    assert rule.records[-1].change == pytest.approx(10 / 90) and not rule.done()
    rule.add(3, {"a": 88.0, "b": 50.0}, {"a": 1e-3, "b": 0.0})
    assert rule.done() and "a changed by 2.27%" in rule.reason and rule.as_dict()["converged"]
    elastic = CycleConvergence(tolerance=0.05, min_cycles=2, max_cycles=5)
    elastic.add(1, {"a": 0.0}, {"a": 0.0})
    assert not elastic.done()  # [load] cycles = 2 are run in any case
    elastic.add(2, {"a": 0.0}, {"a": 0.0})
    assert elastic.done() and elastic.reason.startswith("no inelastic dissipation")


def test_checkpoint_refuses_another_rank_count(tmp_path: Path) -> None:
    comm = MPI.COMM_SELF
    checkpoint.prepare(tmp_path, False, comm)
    checkpoint.save(tmp_path, 1, {"u": np.arange(3.0)}, {"case_hash": "abc"}, comm)
    record, arrays = checkpoint.load(tmp_path, "abc", comm)  # type: ignore[misc]
    assert record["index"] == 1 and arrays["u"].tolist() == [0.0, 1.0, 2.0]
    checkpoint.save(tmp_path, 2, {"u": np.ones(3)}, {"case_hash": "abc"}, comm)
    assert sorted(p.name for p in tmp_path.glob("*.npz")) == ["state-0002-rank0.npz"]
    text = (tmp_path / checkpoint.RECORD).read_text().replace('"ranks": 1', '"ranks": 2')
    (tmp_path / checkpoint.RECORD).write_text(text)
    with pytest.raises(CaseError, match=r"written by 2 rank.*this run has 1"):
        checkpoint.load(tmp_path, "abc", comm)


def test_xdmf_parts_join_into_one_time_series(tmp_path: Path) -> None:
    from postprocess.xdmf_results import XdmfResults

    mesh = dolfinx.mesh.create_unit_cube(MPI.COMM_SELF, 1, 1, 1, cell_type=dolfinx.mesh.CellType.tetrahedron)
    f = dolfinx.fem.Function(dolfinx.fem.functionspace(mesh, ("DG", 0)), name="a_Pa")
    parts = []
    for k, times in enumerate(([0.0, 1.0], [2.0, 3.0])):
        path = tmp_path / f"part{k}.xdmf"
        with dolfinx.io.XDMFFile(mesh.comm, str(path), "w") as xdmf:
            xdmf.write_mesh(mesh)
            for t in times:
                f.x.array[:] = t
                xdmf.write_function(f, t)
        parts.append(path)
    merge_time_series(parts, tmp_path / "all.xdmf")
    results = XdmfResults.open(tmp_path / "all.xdmf")
    assert results.times == [0.0, 1.0, 2.0, 3.0]
    for t in results.times:
        assert np.allclose(results.read("a_Pa", t), t)


@pytest.mark.mpi
def test_every_rank_plans_the_same_increments_from_rank_local_temperatures() -> None:
    """Per-cell temperatures are rank-local; the increment plan (one collective Newton solve each) must not be."""
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    settings = InelasticSettings(substeps_per_ramp=2, dwell_substeps=6, phase_change_substeps=4)
    # the cure cooldown: rank 0 holds an underfill cell stress-free at 165 C, the others only 25 C cells
    cured = np.array([438.15, 298.15]) if comm.rank == 0 else np.full(2, 298.15)
    start = np.full(2, 298.15)
    # a ramp from 200 C to 250 C through a melting range, uniform on rank 0 only
    hot = np.full(2, 473.15) if comm.rank == 0 else np.array([473.15, 480.0])
    melt = [(490.0, 500.0)]
    # (a ramp continuing the previous one's direction: no graded start, which is tested above)
    for a, b, ranges, alone_expected, previous in (
        (cured, start, [], [2, 6], -1),
        (hot, np.full(2, 523.15), melt, [6, 2], 1),
    ):
        alone = comm.allgather(len(subdivide(-600.0, a, 0.0, b, settings, ranges, None, previous)))
        assert alone[:2] == alone_expected  # what each rank would plan by itself
        shared = comm.allgather([t for t, _ in subdivide(-600.0, a, 0.0, b, settings, ranges, comm, previous)])
        assert all(p == shared[0] for p in shared) and len(shared[0]) == 2
    # the graded start is a collective decision too: rank 0 alone sees a cooling ramp here
    graded = comm.allgather(len(subdivide(-600.0, cured, 0.0, start, settings, [], comm, 0)))
    assert all(n == 4 for n in graded)
