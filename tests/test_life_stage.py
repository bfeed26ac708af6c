"""The [life] stage of a run, end to end on a coarse quarter flip chip (elastic, Engelmaier auto).

Checks against hand computation from the run's own drivers: Engelmaier (IPC-SM-785)
N_50 = 0.5 (dgamma / 0.65)^(1/c), c = -0.442 - 6e-4 T_C + 0.0174 ln(1 + f_day); the package Weibull
eta = (sum_i k_i eta_i^-beta)^(-1/beta) with eta_i = N_50,i / (ln 2)^(1/beta), B10 = eta (-ln 0.9)^(1/beta);
the mission life of a daily 20/45/20 C triangle (one 25 K cycle a day) scaled by Norris-Landzberg
(Pan et al. 2005 SAC constants) from the test cycle.
"""

from __future__ import annotations

import csv
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from fem_package.case import CaseError
from fem_package.case.case import validate_case
from tests.conftest import run_case


def coarse_case(geometry: str, **life: Any) -> Any:
    """The example of ``geometry`` shrunk to a 2 x 2 mm die, one perimeter row, P1, one cycle without dwell."""
    return validate_case(coarse_raw(geometry, **life))


def coarse_raw(geometry: str, **life: Any) -> dict[str, Any]:
    """The unvalidated case dictionary of :func:`coarse_case` (for tests that change it further)."""
    raw = tomllib.loads(Path(f"examples/{geometry}.toml").read_text(encoding="utf-8"))
    raw["geometry"].update(
        {
            "die_length": "2 mm",
            "die_width": "2 mm",
            "substrate_length": "3 mm",
            "substrate_width": "3 mm",
            "rows": 1,
            "pitch": "500 um",
        }
    )
    raw["load"] = {"profile": "JESD22-A104-G", "cycles": 1, "steps_per_ramp": 1, "steps_per_dwell": 0, "dwell_time": 0}
    raw["mesh"] = {"max_size": "1 mm", "joint_size": "100 um"}
    raw["solver"] = {"degree": 1}
    raw["output"] = {"picture": False}
    raw["life"] = {"weibull_shape": 7.0, **life}
    return raw


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("life") / "run"
    field = out.parent / "field.csv"
    field.write_text("time [h],temperature [C]\n0,20\n12,45\n24,20\n", encoding="utf-8")
    return run_case(coarse_case("solder_bump_baseline", mission_profile=str(field)), out), out


@pytest.mark.slow
def test_engelmaier_lives_match_hand_computation(baseline: tuple[dict[str, Any], Path]) -> None:
    summary, _ = baseline
    life = summary["life"]
    f_day = life["cycle"]["frequency_Hz"] * 86400.0
    assert f_day == pytest.approx(48.0)  # 30 min cycle: two 15 min ramps, no dwell
    t_c = life["cycle"]["mean_temperature_K"] - 273.15
    assert t_c == pytest.approx(42.5)
    c = -0.442 - 6e-4 * t_c + 0.0174 * math.log(1 + f_day)
    for j in life["joints"]:
        assert j["model"] == "engelmaier:engelmaier_snpb"
        assert j["calibrated"] is False  # SAC305 is outside the SnPb fit: flagged
        dg = j["shear_strain_range"]
        assert 1e-4 < dg < 0.05
        assert j["cycles_to_failure"] == pytest.approx(0.5 * (dg / 0.65) ** (1 / c), rel=1e-12)
    crit = min(life["joints"], key=lambda j: j["cycles_to_failure"])
    assert life["critical_joint"]["joint_id"] == crit["joint_id"]
    assert crit["dnp"] == max(j["dnp"] for j in life["joints"])  # the corner joint fails first


@pytest.mark.slow
def test_package_weibull_and_mission_years(baseline: tuple[dict[str, Any], Path]) -> None:
    summary, _ = baseline
    life = summary["life"]
    beta = 7.0
    etas = [j["cycles_to_failure"] / math.log(2) ** (1 / beta) for j in life["joints"]]
    k = [j["multiplicity"] for j in life["joints"]]
    eta = sum(ki * e**-beta for ki, e in zip(k, etas, strict=True)) ** (-1 / beta)
    w = life["weibull"]
    assert w["scale"] == pytest.approx(eta, rel=1e-9)
    assert w["B10"] == pytest.approx(eta * (-math.log(0.9)) ** (1 / beta), rel=1e-9)
    assert w["B1"] < w["B10"] < w["scale"] < min(j["cycles_to_failure"] for j in life["joints"]) * 1.2
    m = life["mission"]
    assert m["norris_landzberg"] == "norris_landzberg_sac_pan2005"
    af = (165.0 / 25.0) ** 2.65 * ((1 / 86400) / (1 / 1800)) ** 0.136 * math.exp(2185 * (1 / 318.15 - 1 / 398.15))
    assert m["damage_per_pass"] == pytest.approx(1.0 / (eta * af), rel=1e-9)
    assert m["characteristic_life_years"] == pytest.approx(eta * af / 365.25, rel=1e-9)


@pytest.mark.slow
def test_outputs_and_interface_layers(baseline: tuple[dict[str, Any], Path]) -> None:
    summary, out = baseline
    life = summary["life"]
    with (out / "life.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["joint_id"]) for r in rows] == [j["joint_id"] for j in summary["joints"]]
    by_id = {j["joint_id"]: j for j in life["joints"]}
    for r in rows:
        assert float(r["cycles_to_failure"]) == pytest.approx(by_id[int(r["joint_id"])]["cycles_to_failure"])
    for name in ("life.xdmf", "life.h5", "life_map.png", "hysteresis.csv", "hysteresis.png"):
        assert (out / name).stat().st_size > 0, name
    with (out / "hysteresis.csv").open(encoding="utf-8") as fh:
        loops = list(csv.DictReader(fh))
    assert set(loops[0]) == {"joint_id", "step", "cycle", "shear_strain", "shear_stress_Pa"}
    assert int(loops[0]["joint_id"]) == life["critical_joint"]["joint_id"]
    pad = 2 * math.sqrt((125e-6) ** 2 - (90e-6) ** 2)  # truncated sphere D = 250 um, standoff 180 um
    for layer in life["interface_layers"]:
        assert 0 < layer["thickness"] <= 100e-6
        # the quarter model's pad faces, completed to the whole pad: within the faceting of a 100 um mesh
        joint = by_id[layer["joint_id"]]
        assert joint["crack_length_m"] == pytest.approx(pad, rel=0.1)
    corner = life["delamination"]["layers"]["underfill"]
    assert corner["peak_peel_stress_Pa"] > 0 and corner["peak_shear_stress_Pa"] > 0
    assert json.loads((out / "summary.json").read_text())["life"]["weibull"]["shape"] == 7.0


def test_case_errors_name_the_key() -> None:
    with pytest.raises(CaseError, match="weibull_shape"):
        validate_case({"life": {}})
    with pytest.raises(CaseError, match=r"life\.constants\.darveaux = 'nope'"):
        validate_case({"life": {"weibull_shape": 5, "constants": {"darveaux": "nope"}}})
    with pytest.raises(CaseError, match=r"\[life.morrow\]"):
        validate_case({"life": {"weibull_shape": 5, "model": "morrow"}})
