"""The warning for backward-Euler steps too long for the die's thermal time constant.

1. E(r, n) = max_{m >= n} |(1 + r)^-m - exp(-m r)| (backward Euler on a first-order lag, seen
   after n sub-steps) at known points.
2. tau = C_die R_die of a slab die cooled through its bottom face by convection h, every other
   face adiabatic, against the 1-D closed form: steady rise of a uniformly heated slab
   theta(z) = q (2 L z - z^2) / (2 k) + q L / h (z from the cooled face), mean rise per watt
   R = 1 / (h A) + L / (3 k A), C = rho c A L, so tau = rho c L (1 / h + L / (3 k)).
3. End to end: a conduction run with one step per 30 s power phase records the warning in
   summary.json thermal.warnings; the results.xdmf fields are those postprocess.summary.FIELDS
   and the README list.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import pytest

from fem_package.conduction_time_step import backward_euler_steps, check_time_steps, lag_error
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from fem_package.pipeline.thermal import ConductionTimeStepWarning
from geometries import mesh_geometry
from postprocess.summary import FIELDS
from solvers.heat_conduction import HeatConduction, ThermalConditions
from tests.conftest import REPO, laminate_case, run_case
from tests.test_heat_conduction import power_cycling_case

STEP_LABELS = ("step", "cycle", "chamber_temperature_K", "chamber_temperature_C")
"""Grid-centred field data of every time step (fem_package.xdmf_time_series.merge_time_collections)."""
SILICON = {"thermal_conductivity": 150.0, "density": 2330.0, "specific_heat": 700.0}


def test_lag_error_of_backward_euler() -> None:
    assert lag_error(1.0) == pytest.approx(0.5 - math.exp(-1.0), rel=1e-12)  # one step is the worst at r = 1
    assert lag_error(0.1) == pytest.approx(abs(1.1**-10 - math.exp(-1.0)), rel=1e-12)  # n = 10 is the worst
    assert lag_error(100.0) == pytest.approx(1 / 101, rel=1e-6)  # quasi-steady: 1 / (1 + r) left
    assert lag_error(0.1) < 0.02 < lag_error(0.12) and lag_error(48.0) > 0.02 > lag_error(50.0)
    assert lag_error(1.0, 10) == pytest.approx(2.0**-10 - math.exp(-10.0), rel=1e-12)  # sub-steps hide the peak
    assert lag_error(0.05, 40) == pytest.approx(abs(1.05**-40 - math.exp(-2.0)), rel=1e-12)  # peak at m = 1 / r


def test_steps_between_load_times_follow_advance() -> None:
    times = [0.0, 30.0, 60.0, 60.0, 70.0]
    assert backward_euler_steps(times, None) == [(0.0, 30.0, 30.0, 1), (30.0, 60.0, 30.0, 1), (60.0, 70.0, 10.0, 1)]
    assert [s[2:] for s in backward_euler_steps(times, 4.0)] == [(30 / 8, 8), (30 / 8, 8), (10 / 3, 3)]
    check = check_time_steps(times, None, tau=2.0)  # r = 15 and 5: flagged
    assert len(check.flagged) == 3 and check.suggested_max_time_step == pytest.approx(0.2)
    assert check.warning is not None and "max_time_step = '0.2 s'" in check.warning
    assert check_time_steps(times, 0.2, tau=2.0).warning is None
    assert check_time_steps(times, None, tau=0.1).warning is None  # r >= 100: quasi-steady, fine
    # r = 1: 15 sub-steps hide the error (2^-15 - e^-15), 5 do not (2^-5 - e^-5 = 2.5 %)
    assert check_time_steps(times, 2.0, tau=2.0).flagged == [(60.0, 70.0, 2.0, 5)]


def test_die_time_constant_matches_the_slab_formula() -> None:
    L, h, side = 0.5e-3, 2000.0, 1e-3
    case = laminate_case(
        [{"name": "die", "material": "silicon", "thickness": "0.5 mm"}],
        length="2 mm",
        width="2 mm",
        materials={"overrides": {"silicon": SILICON}},
        mesh={"max_size": "0.125 mm"},
    )
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_WORLD)
    hc = HeatConduction(tagged, region_materials(case, tagged), ThermalConditions(convection={"bottom": h}), 300.0)
    capacity, rise = hc.heat_capacity("die"), hc.rise_per_watt("die")
    area = side * side  # the quarter of the 2 x 2 mm die
    assert capacity == pytest.approx(2330.0 * 700.0 * area * L, rel=1e-9)
    exact = 1 / (h * area) + L / (3 * 150.0 * area)
    print(f"die rise per watt {rise:.6g} K/W, 1-D {exact:.6g} K/W, error {rise / exact - 1:.2e}")
    assert rise == pytest.approx(exact, rel=1e-3)
    assert (hc.T.x.array == 300.0).all() and not hc.history  # the transient's state is kept
    tau = capacity * rise
    assert tau == pytest.approx(2330.0 * 700.0 * L * (1 / h + L / (3 * 150.0)), rel=1e-3)


def test_long_conduction_steps_warn_and_results_fields_are_listed(tmp_path: Path) -> None:
    power = {"power": "0.5 W", "on_time": "5 s", "off_time": "5 s", "cycles": 2, "steps_per_phase": 1}
    case = power_cycling_case(max_time_step=None, power=power)  # one backward-Euler step per load interval
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = run_case(case, tmp_path / "run")
    thermal = summary["thermal"]
    check = thermal["time_step_check"]
    print("time-step check", check)
    # die 0.3 mm Si on 0.5 mm FR-4 cooled below: tau = C_die R_die ~ 0.7 s; steps of 5 s (r ~ 7: 11 %)
    assert 0.3 < check["tau_s"] < 3 and check["longest_step_s"] == 40.0  # the last step: 20 s to 60 s
    assert check["flagged_intervals"] == 4  # the power phases; the 40 s rest (r ~ 60) is quasi-steady
    assert len(thermal["warnings"]) == 1 and "max_time_step" in thermal["warnings"][0]
    assert any(issubclass(w.category, ConductionTimeStepWarning) for w in caught)
    suggested = check["suggested_max_time_step_s"]
    assert suggested == pytest.approx(check["tau_s"] / 10)
    # the fields of results.xdmf are exactly the documented ones (Center="Grid": the per-step labels)
    xdmf = (tmp_path / "run" / "results.xdmf").read_text()
    attributes = re.findall(r'<Attribute Name="([^"]+)"[^>]*?Center="(\w+)"', xdmf)
    written = {name for name, center in attributes if center != "Grid"}
    labels = {name for name, center in attributes if center == "Grid"}
    assert written == set(FIELDS), written ^ set(FIELDS)
    assert labels == set(STEP_LABELS), labels ^ set(STEP_LABELS)
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Results folder")[1].split("### summary.json")[0]
    documented = [*FIELDS, *STEP_LABELS]
    assert all(f"`{name}`" in section for name in documented), [n for n in documented if f"`{n}`" not in section]
