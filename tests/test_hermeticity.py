"""Hermeticity joined: one [hermeticity] section, P = D S of moisture.toml in the leak ranking, cracks from the
thermal cycle re-running leak paths and diffusion (intact and cracked verdicts), TM1014 equivalence, 2 ranks."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from fem_package.case import Case, CaseError, validate_case
from fem_package.console import Console
from fem_package.fenics import MPI
from fem_package.moisture_data import moisture_library
from fem_package.pipeline.hermeticity import HermeticityStage
from fem_package.pipeline.leak_paths import region_permeabilities
from fem_package.tagged_mesh import TaggedMesh
from geometries import mesh_geometry
from postprocess.gas_leak import ATM, ATM_CC_PER_S, M_AIR, M_WATER, partial_pressure
from postprocess.leak_equivalence import leak_from_time_constant, tm1014_equivalence
from tests.test_leak_paths import T_85C, sealed_raw

R = 8.314462618
HERMETICITY: dict[str, Any] = {"enabled": True, "duration": "3 h", "steps": 10, "first_step": "20 s"}
"""85C/85RH for 3 h: the small cavity behind a cracked coating fills within minutes, the intact one never."""
CRACK = [{"roles": ["metallization"], "measure": "von_mises_range", "strength": "150 MPa"}]


def small_raw(metallization: str = "full", **hermeticity: Any) -> dict[str, Any]:
    """The small sealed cavity of tests/test_leak_paths.py with HERMETICITY updated by ``hermeticity``."""
    return sealed_raw(metallization, **{**HERMETICITY, **hermeticity})


def bcb_permeability_85c_by_hand() -> float:
    """P = D S of BCB at 85 C from the numbers of data/moisture.toml [materials.bcb] (T_ref = 23 C)."""
    d = 5.0e-13 * math.exp(35e3 / R * (1 / 296.15 - 1 / 358.15))  # Arrhenius D, Ed = 35 kJ/mol
    s = 1.75 / 2810.0 * math.exp(43e3 / R * (1 / 358.15 - 1 / 296.15))  # C_sat/p_sat(23 C) (2.81 kPa), Hs = -43 kJ/mol
    return d * s


def synthetic_cycle(stage: HermeticityStage, tagged: TaggedMesh, metal_stress: float) -> None:
    """Two load steps: stress-free, then uniaxial ``metal_stress`` in the metallization (owned cells)."""
    n = tagged.mesh.topology.index_map(3).size_local
    own = tagged.cell_tags.indices < n
    tags = np.zeros(n, dtype=np.int64)
    tags[tagged.cell_tags.indices[own]] = tagged.cell_tags.values[own]
    stress = np.zeros((n, 3, 3))
    stress[tags == tagged.description.region("metallization").tag, 0, 0] = metal_stress
    for step_stress in (np.zeros((n, 3, 3)), stress):
        stage.observe(None, SimpleNamespace(stress=step_stress))


def read_rh(path: Path) -> np.ndarray:
    with path.open() as f:
        return np.array([float(row["cavity_rh_percent"]) for row in csv.DictReader(f)])


# ---- one source of moisture properties -------------------------------------------------------------------
def test_ranking_permeability_is_d_times_s_of_moisture_toml() -> None:
    hand = bcb_permeability_85c_by_hand()
    print(f"BCB at 85 C: P = D S = {hand:.4e} kg/(m s Pa)")
    assert moisture_library().properties["bcb"].permeability(T_85C) == pytest.approx(hand, rel=2e-3)
    # the cracked material: a gas-filled crack network more permeable than any intact polymer, 1000 x the thermosets
    cracked = moisture_library().cracked.permeability(T_85C)
    assert all(cracked > p.permeability(T_85C) for p in moisture_library().properties.values())
    assert cracked > 1000 * moisture_library().properties["bcb"].permeability(T_85C)


def test_case_section_holds_leak_paths_crack_and_cracked_material() -> None:
    case = validate_case(small_raw(crack=CRACK, cracked={"diffusivity": 1e-6}, leak_paths={"temperature": "60 C"}))
    h = case.hermeticity
    assert h.leak_path_temperature() == pytest.approx(333.15)
    assert h.cracked.properties().diffusivity_ref == 1e-6
    assert h.cracked.properties().saturated_concentration_ref == moisture_library().cracked.saturated_concentration_ref
    assert validate_case(small_raw()).hermeticity.leak_path_temperature() == pytest.approx(T_85C)  # the preset's
    with pytest.raises(CaseError, match="leak_paths"):  # the old top-level section is gone
        validate_case({**small_raw(), "leak_paths": {"outside": ["outside"]}})
    with pytest.raises(CaseError, match=r"temperature = 300\.0 C is outside -40 C - 200 C"):
        validate_case(small_raw(leak_paths={"temperature": "300 C"}))
    with pytest.raises(CaseError, match=r"cracked\.diffusivity"):
        validate_case(small_raw(cracked={"diffusivity": -1.0}))
    with pytest.raises(CaseError, match=r"hermeticity\.crack: role 'lid' is unknown; allowed roles: die"):
        validate_case(small_raw(crack=[{"roles": ["lid"], "measure": "von_mises_peak", "strength": "1 MPa"}]))


# ---- TM1014 equivalence ------------------------------------------------------------------------------------
def test_tm1014_equivalent_leak_reproduces_the_time_constant() -> None:
    volume, tau = 2e-9, 5.0e5  # 2 mm^3 cavity, tau ~ 6 days
    leak = leak_from_time_constant(tau, volume)
    assert leak == pytest.approx(volume * ATM * math.sqrt(M_WATER / M_AIR) / tau, rel=1e-12)
    # a molecular leak of that rate fills the cavity to 1 - 1/e of the outside vapour pressure at t = tau
    assert partial_pressure(tau, leak, volume, 1000.0) == pytest.approx(1000.0 * (1 - math.exp(-1)), rel=1e-12)
    g = 1e-17  # kg/(s Pa): a leak-path conductance
    eq = tm1014_equivalence(volume, tau, g, T_85C).as_dict()
    assert eq["time_constant_from_conductance_s"] == pytest.approx(volume * M_WATER * 1e-3 / (g * R * T_85C), rel=1e-9)
    assert eq["equivalent_leak_from_time_constant_atm_cm3_per_s"] == pytest.approx(leak / ATM_CC_PER_S, rel=1e-12)
    assert eq["reject_limit_atm_cm3_per_s"] == pytest.approx(5e-8)  # V <= 0.01 cm^3
    assert eq["exceeds_reject_limit"] is (leak > 5e-8 * ATM_CC_PER_S)
    assert tm1014_equivalence(0.1e-6, None, 0.0, T_85C).as_dict()["reject_limit_atm_cm3_per_s"] == pytest.approx(1e-7)


# ---- link to mechanics: the cracked metallization -----------------------------------------------------------
@pytest.fixture(scope="module")
def full_small() -> tuple[Case, TaggedMesh]:
    case = validate_case(small_raw(crack=CRACK))
    return case, mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)


def test_cracked_metallization_makes_the_cavity_wet(full_small: tuple[Case, TaggedMesh], tmp_path: Path) -> None:
    """Full metallization: intact hermetic and dry; cracked (200 MPa > 150 MPa) not hermetic and wet."""
    case, tagged = full_small
    perm = region_permeabilities(case, tagged, T_85C)
    by_name = {r.name: perm[r.tag] for r in tagged.description.regions}
    assert by_name["frame"] == pytest.approx(bcb_permeability_85c_by_hand(), rel=2e-3)
    assert by_name["metallization"] == 0.0 and by_name["cover"] == 0.0
    stage = HermeticityStage(case, tagged, MPI.COMM_SELF, Console(verbosity=0))
    synthetic_cycle(stage, tagged, 200e6)
    h = stage.finish(tmp_path)
    intact, cracked = h["intact"], h["cracked"]
    print(json.dumps({k: h[k]["diffusion"]["gas_volumes"] for k in ("intact", "cracked")}, indent=1))
    print(json.dumps(cracked["tm1014"], indent=1))
    assert h["verdict"] == intact["verdict"] == "hermetic" and intact["routes"] == []
    assert h["verdict_cracked"] == cracked["verdict"] == "not hermetic"
    n_metal = int(np.count_nonzero(tagged.cell_tags.values == tagged.description.region("metallization").tag))
    assert h["cracking"]["cracked_cells"] == {"metallization (copper)": n_metal}
    assert h["cracking"]["max_utilisation"] == pytest.approx(200 / 150)
    route = cracked["routes"][0]
    assert route["materials"][0] == "metallization (copper), cracked" and route["reaches"] == "cavity_wall"
    dry, wet = intact["diffusion"], cracked["diffusion"]
    assert dry["ambient_nodes"] == 0 and dry["gas_volumes"]["cavity"]["max_humidity"] < 1e-9
    assert dry["gas_volumes"]["cavity"]["time_constant_s"] is None
    assert wet["ambient_nodes"] > 0 and wet["permeable_regions"]["cracked"] == "cracked"
    cav = wet["gas_volumes"]["cavity"]
    assert cav["final_humidity"] == pytest.approx(0.85, rel=1e-3)  # steady: the ambient's 85 %
    assert 0 < cav["time_to_10pct_s"] < cav["time_to_50pct_s"] < cav["time_to_90pct_s"] < 3 * 3600
    assert cav["dew_point_time_s"] is not None and cav["time_constant_s"] > 0
    # TM1014: L from the fitted tau (by hand), the reject limit of a cavity below 0.01 cm^3
    tm = cracked["tm1014"]["cavity"]
    volume = 4 * cav["volume_modelled_m3"]  # quarter model
    assert tm["volume_m3"] == pytest.approx(volume)
    expected = volume * ATM * math.sqrt(M_WATER / M_AIR) / cav["time_constant_s"] / ATM_CC_PER_S
    assert tm["equivalent_leak_from_time_constant_atm_cm3_per_s"] == pytest.approx(expected, rel=1e-12)
    assert tm["reject_limit_atm_cm3_per_s"] == pytest.approx(5e-8)
    assert tm["equivalent_leak_from_conductance_atm_cm3_per_s"] == pytest.approx(
        cracked["equivalent_leak_full_package_atm_cm3_per_s"], rel=1e-12
    )
    assert intact["tm1014"]["cavity"]["equivalent_leak_from_time_constant_atm_cm3_per_s"] is None
    # the files: intact names and the _cracked ones; the CSV is the RH history
    for name in ("leak_paths", "moisture", "cavity_humidity"):
        for suffix in ("", "_cracked"):
            assert any(tmp_path.glob(f"{name}{suffix}.*")), name + suffix
    rh_wet, rh_dry = read_rh(tmp_path / "cavity_humidity_cracked.csv"), read_rh(tmp_path / "cavity_humidity.csv")
    assert np.all(rh_dry == 0.0) and rh_wet[-1] == pytest.approx(85.0, rel=1e-3)
    assert np.all(np.diff(rh_wet) >= -1e-9)


def test_below_the_strength_nothing_cracks(full_small: tuple[Case, TaggedMesh], tmp_path: Path) -> None:
    case, tagged = full_small
    stage = HermeticityStage(case, tagged, MPI.COMM_SELF, Console(verbosity=0))
    synthetic_cycle(stage, tagged, 120e6)
    h = stage.finish(tmp_path)
    assert h["verdict"] == h["verdict_cracked"] == "hermetic" and h["cracking"]["cracked_cells"] == {}
    assert h["cracking"]["max_utilisation"] == pytest.approx(120 / 150)
    assert not (tmp_path / "moisture_cracked.xdmf").exists()


# ---- MPI: the moisture stage on 2 ranks gives the serial RH history --------------------------------------------
@pytest.mark.mpi
def test_two_ranks_give_the_serial_cavity_humidity(tmp_path: Path) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    case = validate_case(small_raw(crack=CRACK))
    folder = Path(comm.bcast(str(tmp_path), root=0))
    results = {}
    for name, c in (("distributed", comm), ("serial", MPI.COMM_SELF)):
        out = folder / (name if c is comm else f"{name}{comm.rank}")
        if c.rank == 0:
            out.mkdir(parents=True)
        c.barrier()
        tagged = mesh_geometry(case.geometry, case.mesh, c)
        stage = HermeticityStage(case, tagged, c, Console(verbosity=0))
        synthetic_cycle(stage, tagged, 200e6)
        results[name] = (stage.finish(out), out)
    (dist, d_out), (ser, s_out) = results["distributed"], results["serial"]
    assert dist["verdict"] == ser["verdict"] == "hermetic"
    assert dist["verdict_cracked"] == ser["verdict_cracked"] == "not hermetic"
    assert dist["cracking"]["cracked_cells"] == ser["cracking"]["cracked_cells"]
    a, b = dist["cracked"]["diffusion"], ser["cracked"]["diffusion"]
    assert a["dofs"] == b["dofs"] and a["ambient_nodes"] == b["ambient_nodes"]
    for key in ("time_to_10pct_s", "time_to_50pct_s", "time_to_90pct_s", "time_constant_s", "dew_point_time_s"):
        assert a["gas_volumes"]["cavity"][key] == pytest.approx(b["gas_volumes"]["cavity"][key], rel=1e-8), key
    assert a["polymer_water_kg_modelled"] == pytest.approx(b["polymer_water_kg_modelled"], rel=1e-8)
    if comm.rank == 0:
        rh_d, rh_s = read_rh(d_out / "cavity_humidity_cracked.csv"), read_rh(s_out / "cavity_humidity_cracked.csv")
        assert rh_d.shape == rh_s.shape and rh_d[-1] > 80.0
        np.testing.assert_allclose(rh_d, rh_s, rtol=1e-5, atol=1e-9)  # the CSV holds 6 significant digits


# ---- the whole run: thermal cycle -> cracks -> both verdicts ----------------------------------------------------
@pytest.mark.slow
def test_run_reports_intact_and_cracked_hermeticity(tmp_path: Path) -> None:
    """flipstack run: the metallization's von Mises range over JESD22-A104 G exceeds 1 MPa everywhere."""
    from tests.conftest import run_case

    raw = small_raw(crack=[{"roles": ["metallization"], "measure": "von_mises_range", "strength": "1 MPa"}])
    raw["load"] = {"profile": "JESD22-A104-G", "cycles": 1, "steps_per_ramp": 1, "steps_per_dwell": 1}
    raw["solver"] = {"degree": 1}
    summary = run_case(validate_case(raw), tmp_path / "run")
    h = json.loads((tmp_path / "run" / "summary.json").read_text())["hermeticity"]
    assert h == json.loads(json.dumps(summary["hermeticity"]))
    assert h["verdict"] == "hermetic" and h["verdict_cracked"] == "not hermetic"
    assert h["cracked"]["routes"][0]["materials"][0] == "metallization (copper), cracked"
    assert h["intact"]["diffusion"]["gas_volumes"]["cavity"]["max_humidity"] < 1e-9
    wet = h["cracked"]["diffusion"]["gas_volumes"]["cavity"]
    assert wet["final_humidity"] > 0.8 and wet["time_to_50pct_s"] < 3 * 3600
    assert h["cracked"]["tm1014"]["cavity"]["equivalent_leak_from_time_constant_atm_cm3_per_s"] > 0
    for name in ("leak_paths", "cavity_humidity"):
        for ext in ("csv", "vtp" if name == "leak_paths" else "png"):
            for suffix in ("", "_cracked"):
                assert (tmp_path / "run" / f"{name}{suffix}.{ext}").is_file(), f"{name}{suffix}.{ext}"
    assert (tmp_path / "run" / "moisture_cracked.xdmf").is_file()
