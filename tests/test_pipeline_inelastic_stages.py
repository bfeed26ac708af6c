"""The one run flow with inelastic physics: thermal stage, one time series, post-stages (fem_package.pipeline).

1. A prescribed temperature map drives the inelastic mechanics cell by cell: with every material
   linear elastic the inelastic run (Newton over increments with history) must give the elastic
   run's displacement at every load step, to the solver tolerance.
2. Conduction with power cycling drives a viscous glue through two power cycles end to end;
   killed after cycle 1 and resumed (thermal state in the checkpoint), it ends as the uninterrupted run.
3. After an inelastic run the leak-path stage gets the stress of every load step and the
   hermeticity stage and the report run as after an elastic run.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fem_package import checkpoint
from fem_package.case import Case, validate_case
from fem_package.console import Console
from fem_package.fenics import MPI
from fem_package.pipeline.inelastic import run_inelastic
from postprocess.xdmf_results import XdmfResults
from solvers.constitutive.base import ConstitutiveModel, LinearElastic
from tests.conftest import laminate_case, run_case
from tests.test_inelastic_run import GLUE_VISCOSITY
from tests.test_inelastic_solver import Maxwell

MAP = "300.0 + 0.4 * t + 4.0e4 * z - 2.0e4 * x"
"""Temperature map (K; x, z in m, t in s): a gradient through the stack that grows in time."""


def map_case(physics: str) -> Case:
    return laminate_case(
        [
            {"name": "die", "material": "silicon", "thickness": "0.3 mm"},
            {"name": "board", "material": "fr4", "thickness": "0.4 mm"},
        ],
        length="2 mm",
        width="1 mm",
        mesh={"max_size": "0.5 mm"},
        output={"picture": False},
        solver={
            "physics": physics,
            "degree": 1,
            "rtol": 1e-13,
            "inelastic": {"substeps_per_ramp": 2, "dwell_substeps": 2, "newton": {"residual_rtol": 1e-11}},
        },
        load={
            "profile": "custom",
            "points": [["0 s", "25 C"], ["100 s", "125 C"], ["200 s", "125 C"], ["300 s", "-40 C"]],
            "steps_per_ramp": 2,
            "steps_per_dwell": 1,
        },
        thermal={"mode": "prescribed", "map": {"source": "expression", "expression": MAP}},
    )


def temporal_collections(path: Path) -> list[ET.Element]:
    domain = ET.parse(path).getroot().find("Domain")
    assert domain is not None
    return [g for g in domain.findall("Grid") if g.get("CollectionType") == "Temporal"]


def test_prescribed_map_inelastic_equals_elastic_when_every_material_is_elastic(tmp_path: Path) -> None:
    elastic = run_case(map_case("elastic"), tmp_path / "el")
    inelastic = run_case(map_case("inelastic"), tmp_path / "in")
    assert inelastic["thermal"]["mode"] == "prescribed" and inelastic["run"]["physics"] == "inelastic"
    assert [s["time_s"] for s in inelastic["steps"]] == [s["time_s"] for s in elastic["steps"]]
    assert inelastic["thermal"]["steps"] == elastic["thermal"]["steps"]  # same cell temperatures, min/max per step
    a, b = XdmfResults.open(tmp_path / "el" / "results.xdmf"), XdmfResults.open(tmp_path / "in" / "results.xdmf")
    worst = 0.0
    for t in a.times:
        ue, ui = a.read("displacement_m", t), b.read("displacement_m", t)
        worst = max(worst, float(np.abs(ui - ue).max() / np.abs(ue).max()))
        np.testing.assert_allclose(b.read("temperature_K", t), a.read("temperature_K", t), rtol=1e-12)
    print(f"max |u_inelastic - u_elastic| / max |u| over the steps: {worst:.2e}")
    assert worst < 1e-8
    temperatures = a.read("temperature_K", a.times[-1])
    assert np.ptp(temperatures) > 10.0  # the map really is a field, not a uniform temperature
    for se, si in zip(elastic["steps"], inelastic["steps"], strict=True):
        assert si["max_displacement_m"] == pytest.approx(se["max_displacement_m"], rel=1e-8)
    (collection,) = temporal_collections(tmp_path / "in" / "results.xdmf")  # one time series for ParaView
    grids = collection.findall("Grid")
    assert len(grids) == len(inelastic["steps"])
    labels = [{a.get("Name"): a.find("DataItem").text for a in g.findall("Attribute")} for g in grids]  # type: ignore[union-attr]
    assert [int(x["step"] or -1) for x in labels] == [s["index"] for s in inelastic["steps"]]
    assert {"cycle", "chamber_temperature_K", "displacement_m", "equivalent_inelastic_strain"} <= set(labels[-1])


def glue_models(material: Any) -> ConstitutiveModel:
    return Maxwell(material, GLUE_VISCOSITY) if material.key == "underfill_capillary" else LinearElastic(material)


def power_cycled_glue() -> Case:
    return laminate_case(
        [
            {"name": "board", "material": "fr4", "thickness": "0.4 mm"},
            {"name": "glue", "material": "underfill_capillary", "thickness": "0.1 mm"},
            {"name": "die", "material": "silicon", "thickness": "0.3 mm"},
        ],
        length="2 mm",
        width="1 mm",
        mesh={"max_size": "1 mm"},
        output={"picture": False},
        solver={"physics": "inelastic", "degree": 1, "inelastic": {"substeps_per_ramp": 1, "dwell_substeps": 2}},
        load={"profile": "custom", "points": [["0 s", "25 C"], ["1200 s", "25 C"]], "steps_per_dwell": 1},
        thermal={
            "mode": "conduction",
            "max_time_step": "100 s",
            "convection": {"bottom": "2000 W/(m^2 K)", "exterior": "10 W/(m^2 K)"},
            "power": {"power": "0.03 W", "on_time": "5 min", "off_time": "5 min", "cycles": 2, "steps_per_phase": 2},
        },
    )


def run_glue(out: Path, **kw: Any) -> dict[str, Any]:
    return run_inelastic(
        power_cycled_glue(), out, True, Console(verbosity=0), comm=MPI.COMM_SELF, models=glue_models, **kw
    )


class Killed(RuntimeError):
    """Stands for a killed process."""


@pytest.fixture(scope="module")
def power_cycled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("power") / "out"
    return run_glue(out), out


def test_conduction_power_cycling_drives_the_inelastic_mechanics(power_cycled: tuple[dict[str, Any], Path]) -> None:
    summary, out = power_cycled
    thermal = summary["thermal"]
    assert thermal["mode"] == "conduction" and thermal["die_junction_max_K"] > 298.15 + 5.0
    assert [s["cycle"] for s in summary["steps"]] == [0, 1, 1, 1, 1, 2, 2, 2, 2]
    record = summary["inelastic"]["cycle_convergence"]
    assert record["cycles"] == 2 and (record["converged"] or "scheduled" in record["reason"])
    energy = summary["inelastic"]["per_region"]["glue"]["energy_density_per_cycle_J_m3"]
    print(f"glue energy density per power cycle {energy} J/m^3, die max {thermal['die_junction_max_K']:.2f} K")
    assert min(energy) > 0.0  # the glue relaxes under the die's heating
    res = XdmfResults.open(out / "results.xdmf")
    assert len(res.times) == len(summary["steps"]) and "temperature_nodal_K" in res.fields
    hot = res.read("temperature_K", res.times[2])  # end of the first on phase
    assert np.ptp(hot) > 0.05 and hot.max() == pytest.approx(thermal["steps"][2]["max_K"], rel=1e-12)
    assert len(temporal_collections(out / "results.xdmf")) == 1
    assert (out / "report.html").is_file() and "Inelastic response" in (out / "report.html").read_text()


def assert_same_glue_run(
    a: dict[str, Any], b: dict[str, Any], temperature: float, displacement: float, energy: float
) -> None:
    """Two summaries of the glue run agree: peak temperature and displacement per step, energy per cycle (rtol)."""
    for x, y in zip(a["thermal"]["steps"], b["thermal"]["steps"], strict=True):
        assert x["max_K"] == pytest.approx(y["max_K"], rel=temperature)
    for x, y in zip(a["steps"], b["steps"], strict=True):
        assert x["max_displacement_m"] == pytest.approx(y["max_displacement_m"], rel=displacement)
    ea = a["inelastic"]["per_region"]["glue"]["energy_density_per_cycle_J_m3"]
    eb = b["inelastic"]["per_region"]["glue"]["energy_density_per_cycle_J_m3"]
    np.testing.assert_allclose(ea, eb, rtol=energy)


def test_resumed_power_cycling_run_equals_the_uninterrupted_one(
    power_cycled: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    full, _ = power_cycled
    out = tmp_path / "out"

    def kill_after_cycle_1(cycle: int) -> None:
        if cycle == 1:
            raise Killed

    with pytest.raises(Killed):
        run_glue(out, after_cycle=kill_after_cycle_1)
    assert (checkpoint.work_folder(out) / checkpoint.RECORD).is_file()
    resumed = run_glue(out, resume=True)
    assert resumed["run"]["resumed"]
    assert resumed["thermal"]["time_steps"] == full["thermal"]["time_steps"]
    assert_same_glue_run(resumed, full, temperature=1e-10, displacement=1e-8, energy=1e-8)


@pytest.mark.slow
def test_leak_paths_hermeticity_and_report_after_an_inelastic_run(tmp_path: Path) -> None:
    """The sealed cavity of tests/test_leak_paths.py, cycled with the inelastic driver (elastic models)."""
    from tests.test_leak_paths import sealed_raw

    crack = [{"roles": ["metallization"], "measure": "von_mises_range", "strength": "1 MPa"}]
    raw = sealed_raw("full", enabled=True, ambient="HAST-130C/85RH", duration="24 h", steps=4, crack=crack)
    raw["load"] = {"profile": "JESD22-A104-G", "cycles": 1, "steps_per_ramp": 1, "steps_per_dwell": 1}
    raw["solver"] = {"degree": 1, "physics": "inelastic", "inelastic": {"substeps_per_ramp": 1, "dwell_substeps": 1}}
    case = validate_case(raw)
    out = tmp_path / "run"
    summary = run_inelastic(case, out, True, Console(verbosity=0), comm=MPI.COMM_SELF, models=LinearElastic)
    h = summary["hermeticity"]
    assert h["verdict"] == "hermetic" and h["verdict_cracked"] == "not hermetic"
    assert h["cracked"]["routes"][0]["materials"][0] == "metallization (copper), cracked"
    assert (out / "moisture.xdmf").is_file() and (out / "moisture_cracked.xdmf").is_file()
    written = json.loads((out / "summary.json").read_text())
    assert written["hermeticity"]["verdict_cracked"] == "not hermetic"
    html = (out / "report.html").read_text()
    assert "Inelastic response" in html and "leak" in html.lower()


@pytest.mark.mpi
def test_two_ranks_give_the_serial_power_cycled_run(tmp_path: Path) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    shared = Path(comm.bcast(str(tmp_path), root=0))
    case = power_cycled_glue()
    distributed = run_inelastic(case, shared / "dist", True, Console(verbosity=0), comm=comm, models=glue_models)
    serial = run_inelastic(
        case, shared / f"serial{comm.rank}", True, Console(verbosity=0), comm=MPI.COMM_SELF, models=glue_models
    )
    assert distributed["run"]["ranks"] == comm.size
    assert_same_glue_run(distributed, serial, temperature=1e-9, displacement=1e-7, energy=1e-6)
