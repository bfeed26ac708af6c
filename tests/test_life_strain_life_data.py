"""Shipped copper strain-life constants (IPC-TR-579 / ANSI/VITA 51.1 Appendix F) and their use by ``auto``.

Hand computation: the printed equation
    d_eps = N^-0.6 D_f^0.75 + 0.9 (S_u/E) [exp(D_f)/0.36]^(0.1785 log10(1e5/N))
with the published values D_f = 0.30, S_u = 4e4 psi, E = 1.2e7 psi (S_u/E is unit-free, so the
psi values are used as printed), solved for N by bisection on log10 N, independently of the
implementation's Newton iteration.
"""

from __future__ import annotations

import csv
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from fem_package.case import CaseError
from fem_package.case.case import validate_case
from postprocess.life.constants import CopperStrainLifeConstants, get
from postprocess.life.copper_strain_life import cycles_from_strain_range, strain_range
from postprocess.life.joint_life import CycleConditions, Drivers, auto_model, joint_life
from tests.conftest import run_case

PSI = 6894.757293168361  # Pa


def _printed_equation(n: float) -> float:
    df, su_over_e = 0.30, 4.0e4 / 1.2e7
    return n**-0.6 * df**0.75 + 0.9 * su_over_e * (math.exp(df) / 0.36) ** (0.1785 * math.log10(1e5 / n))


def _hand_cycles(strain: float) -> float:
    lo, hi = 0.0, 15.0  # log10 N; the printed strain falls with N
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _printed_equation(10.0**mid) > strain:
            lo = mid
        else:
            hi = mid
    return 10.0 ** (0.5 * (lo + hi))


def test_shipped_copper_table_is_the_vita_51_1_set() -> None:
    data = get("ipc_tr579_copper", "ipc_tr579")
    assert data.attributes["materials"].split() == ["copper"]
    for c in data.constants.values():
        assert "VITA 51.1" in c.source and "compared with the original" in c.checked
    k = CopperStrainLifeConstants.from_library()
    assert k.ductility == 0.30
    assert k.ultimate_strength == pytest.approx(4.0e4 * PSI, rel=1e-12)
    assert k.youngs_modulus == pytest.approx(1.2e7 * PSI, rel=1e-12)


@pytest.mark.parametrize("strain", [2e-3, 5e-3, 1e-2, 3e-2, 0.2])
def test_life_matches_hand_bisection_of_the_printed_equation(strain: float) -> None:
    k = CopperStrainLifeConstants.from_library()
    n = cycles_from_strain_range(strain, k)
    assert n == pytest.approx(_hand_cycles(strain), rel=1e-9)
    assert strain_range(n, k) == pytest.approx(strain, rel=1e-12)


def test_life_limits() -> None:
    k = CopperStrainLifeConstants.from_library()
    assert cycles_from_strain_range(0.0, k) == math.inf
    one_cycle = _printed_equation(1.0)
    assert cycles_from_strain_range(one_cycle * (1 - 1e-9), k) == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(ValueError, match="one cycle"):
        cycles_from_strain_range(one_cycle * 1.01, k)


@pytest.mark.parametrize(
    ("name", "args", "allowed"),
    [
        ("ductility", (-0.1, 2.7e8, 8.3e10), "0 < D_f <= 2"),
        ("ductility", (30.0, 2.7e8, 8.3e10), "0 < D_f <= 2"),
        ("ultimate_strength", (0.3, 0.0, 8.3e10), "> 0 Pa"),
        ("youngs_modulus", (0.3, 2.7e8, 1.0e8), "> ultimate_strength"),
    ],
)
def test_bad_constants_are_rejected_with_key_value_and_range(
    name: str, args: tuple[float, float, float], allowed: str
) -> None:
    value = args[("ductility", "ultimate_strength", "youngs_modulus").index(name)]
    with pytest.raises(ValueError) as err:
        CopperStrainLifeConstants(*args, key="my_copper")
    message = str(err.value)
    assert f"my_copper.{name} = {value!r}" in message and allowed in message


def test_case_rejects_a_table_of_another_model() -> None:
    raw = tomllib.loads(Path("examples/compliant_lead.toml").read_text(encoding="utf-8"))
    raw["life"] = {"weibull_shape": 7.0, "constants": {"ipc_tr579": "engelmaier_snpb"}}
    with pytest.raises(CaseError, match=r"life\.constants\.ipc_tr579 = 'engelmaier_snpb'.*ipc_tr579_copper"):
        validate_case(raw)


def test_auto_picks_copper_strain_life_in_elastic_and_inelastic_runs() -> None:
    for inelastic in (False, True):
        assert auto_model("copper", inelastic, {}) == "ipc_tr579"
        assert auto_model("gold", inelastic, {}) == "engelmaier"  # no shipped gold constants
    assert auto_model("sac305", True, {}) == "syed_energy"
    assert auto_model("sac305", False, {}) == "engelmaier"
    cycle = CycleConditions(315.65, 1 / 1800)
    drivers = Drivers(shear_strain_range=0.004, equivalent_strain_range=0.01)
    copper = joint_life("ipc_tr579", "copper", drivers, cycle, {})
    assert (copper.label, copper.metric, copper.calibrated) == (
        "ipc_tr579:ipc_tr579_copper",
        "equivalent_strain_range",
        True,
    )
    assert copper.cycles_to_failure == pytest.approx(_hand_cycles(0.01), rel=1e-9)
    assert joint_life("ipc_tr579", "gold", drivers, cycle, {}).calibrated is False  # forced on gold: flagged
    with pytest.raises(ValueError, match="equivalent strain range"):
        joint_life("ipc_tr579", "copper", Drivers(shear_strain_range=0.004), cycle, {})


def _copper_lead_case() -> Any:
    """examples/compliant_lead.toml with copper leads, 2 x 2 leads, no board, P1, one coarse cycle."""
    raw = tomllib.loads(Path("examples/compliant_lead.toml").read_text(encoding="utf-8"))
    raw["geometry"].update({"leads_x": 2, "leads_y": 2, "board": False})
    raw["materials"]["assign"]["lead"] = "copper"
    raw["materials"]["assign"].pop("solder", None)
    raw["materials"]["assign"].pop("board", None)
    raw["load"] = {"profile": "JESD22-A104-G", "cycles": 1, "steps_per_ramp": 1, "steps_per_dwell": 0, "dwell_time": 0}
    raw["mesh"] = {"max_size": "1 mm", "joint_size": "20 um"}
    raw["solver"] = {"degree": 1}
    raw["output"] = {"picture": False}
    raw["life"] = {"weibull_shape": 7.0}
    return validate_case(raw)


@pytest.mark.slow
def test_copper_leads_get_the_strain_life_model_end_to_end(tmp_path: Path) -> None:
    summary = run_case(_copper_lead_case(), tmp_path / "run")
    life = summary["life"]
    assert life["joints"]
    for j in life["joints"]:
        assert j["material"] == "copper"
        assert (j["model"], j["metric"], j["calibrated"]) == (
            "ipc_tr579:ipc_tr579_copper",
            "equivalent_strain_range",
            True,
        )
        e = j["equivalent_strain_range"]
        assert e == max(j["equivalent_strain_range_by_interface"].values())
        assert 1e-5 < e < 0.05
        assert j["cycles_to_failure"] == pytest.approx(_hand_cycles(e), rel=1e-9)
    assert "ipc_tr579:ipc_tr579_copper" in life["models"]
    with (tmp_path / "run" / "life.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    assert any("ipc_tr579:ipc_tr579_copper" in r for r in rows[1:])
