"""Heat conduction (solvers.heat_conduction) against closed-form solutions, and power cycling end to end.

1. A slab initially at T0 whose face z = 0 is stepped to Ts: before the far face feels it the
   slab is semi-infinite, T = T0 + (Ts - T0) erfc(z / (2 sqrt(alpha t))) (Carslaw & Jaeger 1959,
   "Conduction of Heat in Solids", 2.4).
2. Steady conduction through two layers, fixed T_b below and convection h to T_a above: the
   1-D resistance network q = (T_b - T_a) / (t1/k1 + t2/k2 + 1/h).
3. A powered die cooled by convection: at steady state the power in equals the heat out, and
   the reported power is that of the full package (the quarter model carries 1/4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.special import erfc

from fem_package.case import CaseError
from fem_package.case.thermal import TemperatureMapSettings
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from geometries import mesh_geometry
from solvers.heat_conduction import HeatConduction, ThermalConditions
from tests.conftest import laminate_case, run_case

SILICON = {"thermal_conductivity": 150.0, "density": 2330.0, "specific_heat": 700.0}


def conduction(case, conditions: ThermalConditions, initial: float) -> HeatConduction:  # type: ignore[no-untyped-def]
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_WORLD)
    return HeatConduction(tagged, region_materials(case, tagged), conditions, initial)


def test_slab_temperature_step_matches_erfc() -> None:
    case = laminate_case(
        [{"name": "slab", "material": "silicon", "thickness": "1.2 mm"}],
        length="0.2 mm",
        width="0.2 mm",
        materials={"overrides": {"silicon": SILICON}},
        mesh={"max_size": "50 um"},
    )
    t0, ts = 300.0, 400.0
    hc = conduction(case, ThermalConditions(fixed={"bottom": ts}), t0)
    alpha = 150.0 / (2330.0 * 700.0)
    t_end = (0.25e-3) ** 2 / alpha  # penetration 2 sqrt(alpha t) = 0.5 mm; erfc(1.2 / 0.5) < 1e-3 at the far face
    hc.advance(t_end, lambda t: t0, t_end / 100)
    z = hc.V.tabulate_dof_coordinates()[:, 2]
    exact = t0 + (ts - t0) * erfc(z / (2 * np.sqrt(alpha * t_end)))
    error = np.abs(hc.T.x.array - exact).max() / (ts - t0)
    print(f"slab erfc: max error {error:.3%} of the step, {len(hc.history)} steps, {hc.num_dofs} dofs")
    assert error < 0.01
    assert np.interp(0.25e-3, np.sort(z), np.sort(exact)[::-1]) > t0 + 10  # the front is inside the slab


def test_two_layers_with_convection_match_the_resistance_network() -> None:
    k1, k2, t1, t2, h = 150.0, 1.5, 0.5e-3, 0.3e-3, 2000.0
    overrides = {"silicon": {"thermal_conductivity": k1}, "copper": {"thermal_conductivity": k2}}
    case = laminate_case(
        [
            {"name": "lower", "material": "silicon", "thickness": "0.5 mm"},
            {"name": "upper", "material": "copper", "thickness": "0.3 mm"},
        ],
        length="0.4 mm",
        width="0.4 mm",
        materials={"overrides": overrides},
        mesh={"max_size": "0.1 mm"},
    )
    tb, ta = 400.0, 300.0
    hc = conduction(case, ThermalConditions(convection={"top": h}, fixed={"bottom": tb}), ta)
    stats = hc.steady(ta)
    q = (tb - ta) / (t1 / k1 + t2 / k2 + 1 / h)
    x = hc.V.tabulate_dof_coordinates()
    T = hc.T.x.array
    t_interface, t_top = tb - q * t1 / k1, ta + q / h
    err_i = np.abs(T[np.isclose(x[:, 2], t1)] - t_interface).max() / (tb - ta)
    err_t = np.abs(T[np.isclose(x[:, 2], t1 + t2)] - t_top).max() / (tb - ta)
    area = 0.2e-3 * 0.2e-3  # quarter model
    err_q = abs(stats.convected / area - q) / q
    print(f"two layers: interface {err_i:.2e}, top {err_t:.2e} of (Tb - Ta), flux {err_q:.2e}")
    assert max(err_i, err_t, err_q) < 0.01
    assert -stats.through_fixed == pytest.approx(stats.convected, rel=1e-9)  # what enters below leaves above


def power_cycling_case(**thermal: object):  # type: ignore[no-untyped-def]
    """Si die on FR-4, cooled below, conduction with ``thermal`` keys added (a key given as None is left out)."""
    thermal_section = {
        "mode": "conduction",
        "max_time_step": "0.5 s",
        "convection": {"bottom": "5000 W/(m^2 K)", "exterior": "10 W/(m^2 K)"},
        **thermal,
    }
    return laminate_case(
        [
            {"name": "board", "material": "fr4", "thickness": "0.5 mm"},
            {"name": "die", "material": "silicon", "thickness": "0.3 mm"},
        ],
        materials={"overrides": {"silicon": SILICON}},
        mesh={"max_size": "0.5 mm"},
        solver={"degree": 1},
        output={"picture": False},
        load={"profile": "custom", "points": [["0 s", "25 C"], ["60 s", "25 C"]], "steps_per_dwell": 1},
        thermal={k: v for k, v in thermal_section.items() if v is not None},
    )


def test_powered_die_energy_balance_and_power_cycling(tmp_path: Path) -> None:
    power = {"power": "0.5 W", "on_time": "30 s", "off_time": "30 s", "cycles": 1, "steps_per_phase": 2}
    summary = run_case(power_cycling_case(power=power), tmp_path / "run")
    thermal = summary["thermal"]
    steps = {s["time_s"]: s for s in thermal["steps"]}
    assert sorted(steps) == [0.0, 15.0, 30.0, 45.0, 60.0]  # union of the chamber steps and the power switches
    hot = steps[30.0]  # end of 30 s on: many time constants
    balance = hot["heat_balance_W"]
    assert hot["power_W"] == pytest.approx(0.5, rel=1e-12)  # full package (quarter model carries 1/4)
    assert balance["power_in"] == pytest.approx(0.5, rel=1e-9)
    err = abs(balance["convected"] - balance["power_in"]) / balance["power_in"]
    print(f"powered die: in {balance['power_in']:.5f} W, out {balance['convected']:.5f} W, imbalance {err:.2e}")
    assert err < 0.01
    assert hot["die_max_K"] > 298.15 + 5  # the die heats up
    assert thermal["die_junction_max_K"] == pytest.approx(hot["die_max_K"])
    assert steps[60.0]["die_max_K"] < 298.15 + 0.1  # and cools back to the ambient when off
    assert steps[60.0]["power_W"] == 0.0
    assert (tmp_path / "run" / "results.xdmf").read_text().count("temperature_nodal_K") > 0
    mech = {s["time_s"]: s["max_displacement_m"] for s in summary["steps"]}
    assert mech[30.0] > 10 * mech[60.0]  # the mechanics follows the die temperature


def test_unknown_boundary_is_a_case_error(tmp_path: Path) -> None:
    case = power_cycling_case()
    case = case.model_copy(
        update={"thermal": case.thermal.model_copy(update={"convection": {"sides": 10.0, "bottom": 5000.0}})}
    )
    with pytest.raises(CaseError, match=r"thermal\.convection\.sides = 10\.0: unknown boundary 'sides'.*bottom, top"):
        run_case(case, tmp_path / "bad")


@pytest.mark.mpi
def test_distributed_conduction_and_map_equal_serial(tmp_path: Path) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    shared = Path(comm.bcast(str(tmp_path), root=0))
    power = {"power": "0.5 W", "on_time": "30 s", "off_time": "30 s", "cycles": 1, "steps_per_phase": 2}
    conducting = power_cycling_case(power=power, max_time_step="5 s")
    mapped = laminate_case(
        [
            {"name": "board", "material": "fr4", "thickness": "0.5 mm"},
            {"name": "die", "material": "silicon", "thickness": "0.3 mm"},
        ],
        mesh={"max_size": "0.5 mm"},
        solver={"degree": 1, "rtol": 1e-12},
        output={"picture": False},
        thermal={"mode": "prescribed", "map": {"source": "expression", "expression": "300 + 4e4*z + 1e4*x*y/1e-3"}},
    )
    cases = [("conduction", conducting), ("map", mapped)]
    # the third case reads the second's distributed results back (XDMF written by 2 ranks)
    xdmf = {"source": "xdmf", "file": str(shared / "map_dist" / "results.xdmf")}
    from_run = lambda: mapped.model_copy(  # noqa: E731
        update={"thermal": mapped.thermal.model_copy(update={"map": TemperatureMapSettings(**xdmf)})}
    )
    for name, case in [*cases, ("xdmf", None)]:
        case = case or from_run()
        distributed = run_case(case, shared / f"{name}_dist", comm=comm)
        serial = run_case(case, shared / f"{name}_serial{comm.rank}", comm=MPI.COMM_SELF)
        for a, b in zip(distributed["thermal"]["steps"], serial["thermal"]["steps"], strict=True):
            for key in ("min_K", "max_K", "die_max_K"):
                assert a[key] == pytest.approx(b[key], rel=1e-9), (name, key)
            if "heat_balance_W" in b:
                assert a["heat_balance_W"]["convected"] == pytest.approx(b["heat_balance_W"]["convected"], rel=1e-6)
        for a, b in zip(distributed["steps"], serial["steps"], strict=True):
            assert a["max_displacement_m"] == pytest.approx(b["max_displacement_m"], rel=1e-6), name
