"""Moisture ingress into the sealed_cavity example: a metallization defect lets the cavity get wet,
the full metallization keeps it dry; plus the [hermeticity] case section and the pipeline stage."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from fem_package.case import CaseError, validate_case
from fem_package.console import Console
from fem_package.fenics import MPI
from fem_package.pipeline.hermeticity import run_hermeticity
from geometries import mesh_geometry
from tests.conftest import REPO, laminate_case, run_case

HERMETICITY = {"enabled": True, "ambient": "85C/85RH", "duration": "3000 h", "steps": 14, "first_step": "1 h"}


def sealed_case(metallization: str):
    raw = tomllib.loads((REPO / "examples" / "sealed_cavity.toml").read_text())
    geometry = {**raw["geometry"], "metallization": metallization}
    if metallization != "full":
        geometry["faces"] = ["+x", "-x"]
    raw = {**raw, "geometry": geometry, "hermeticity": HERMETICITY, "mesh": {"max_size": "150 um"}}
    return validate_case(raw)


@pytest.mark.slow
def test_defect_metallization_lets_the_cavity_get_wet_full_stays_dry(tmp_path: Path):
    out = {}
    for variant in ("defect", "full"):
        case = sealed_case(variant)
        tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)
        folder = tmp_path / variant
        folder.mkdir()
        section = run_hermeticity(case, tagged, folder, Console(verbosity=0))
        out[variant] = section["intact"]["diffusion"]
        out[variant]["verdict"] = section["verdict"]
        table = np.genfromtxt(folder / "cavity_humidity.csv", delimiter=",", names=True)
        out[variant]["table"] = table
        assert (folder / "moisture.xdmf").exists() and (folder / "cavity_humidity.png").stat().st_size > 5000
    wet, dry = out["defect"], out["full"]
    print({k: {n: v for n, v in g.items()} for k, g in wet["gas_volumes"].items()})
    assert wet["ambient_nodes"] > 0 and dry["ambient_nodes"] == 0
    assert wet["verdict"] == "not hermetic" and dry["verdict"] == "hermetic"
    cav = wet["gas_volumes"]["cavity"]
    assert cav["time_to_50pct_s"] is not None and 0 < cav["time_to_50pct_s"] < 3000 * 3600
    assert cav["final_humidity"] > 0.5 * 0.85
    assert cav["time_constant_s"] is not None and cav["time_constant_s"] > 0
    assert dry["gas_volumes"]["cavity"]["max_humidity"] < 0.01
    assert np.all(dry["table"]["cavity_rh_percent"] < 1.0)
    # RH rises monotonically in the defect variant under steady ambient
    assert np.all(np.diff(wet["table"]["cavity_rh_percent"]) >= -1e-9)


def test_laminate_pipeline_writes_hermeticity_section(tmp_path: Path):
    """No cavity: ingress into the permeable layers only; summary gets the diffusion results."""
    case = laminate_case(
        [
            {"name": "board", "material": "fr4", "thickness": "200 um"},
            {"name": "die", "material": "silicon", "thickness": "100 um"},
        ],
        length="1 mm",
        width="1 mm",
        load={"profile": "custom", "points": [["0 s", "25 C"], ["60 s", "85 C"]], "steps_per_ramp": 1},
        mesh={"max_size": "100 um"},
        solver={"degree": 1},
        hermeticity={"enabled": True, "ambient": "HAST-130C/85RH", "duration": "24 h", "steps": 6},
        output={"picture": False},
    )
    summary = run_case(case, tmp_path / "run")
    h = json.loads((tmp_path / "run" / "summary.json").read_text())["hermeticity"]
    assert h == json.loads(json.dumps(summary["hermeticity"]))
    assert h["verdict"] is None and h["cracked"] is None  # no cavity: no leak routes, no verdict
    d = h["intact"]["diffusion"]
    assert d["permeable_regions"] == {"board": "fr4"} and d["barrier_materials"] == ["silicon"]
    assert d["gas_volumes"] == {} and d["polymer_water_kg_modelled"] > 0
    assert (tmp_path / "run" / "moisture.xdmf").exists()


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"enabled": True, "ambient": "custom", "temperature": "85 C"}, "needs temperature and humidity"),
        ({"ambient": "custom", "temperature": "85 C", "humidity": 1.5}, "humidity = 1.5 is outside 0 - 1"),
        ({"ambient": "climate"}, "needs climate_file"),
        ({"first_step": "2000 h", "duration": "1000 h"}, "first_step"),
        ({"diffusivity_factor": {"glue": 10}}, "diffusivity_factor.glue: unknown role"),
        ({"operating_temperature": "300 C"}, "operating_temperature = 300.0 C is outside"),
    ],
)
def test_hermeticity_section_rejects_bad_input(section, expected):
    with pytest.raises(CaseError, match=expected):
        laminate_case([{"name": "board", "material": "fr4", "thickness": "1 mm"}], hermeticity=section)


def test_climate_file_is_read_relative_to_the_case(tmp_path: Path):
    (tmp_path / "year.csv").write_text("time_h,temperature_C,rh_percent\n0,10,80\n12,30,40\n24,10,80\n")
    case_file = tmp_path / "case.toml"
    case_file.write_text(
        '[geometry]\ntype = "laminate"\nlength = "1 mm"\nwidth = "1 mm"\n'
        'layers = [{name = "board", material = "fr4", thickness = "1 mm"}]\n'
        '[hermeticity]\nenabled = true\nambient = "climate"\nclimate_file = "year.csv"\n'
        'duration = "48 h"\nrepeat_climate = true\n'
    )
    from fem_package.case import load_case

    climate = load_case(case_file).hermeticity.climate()
    assert climate.at(6 * 3600) == pytest.approx((293.15, 0.6))
    assert climate.at(30 * 3600) == pytest.approx((293.15, 0.6))  # repeated
    case_file.write_text(case_file.read_text().replace("repeat_climate = true", "repeat_climate = false"))
    with pytest.raises(CaseError, match="exceeds the climate series"):
        load_case(case_file)
