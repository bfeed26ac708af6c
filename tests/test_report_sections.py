"""report.html section builders on small synthetic results folders (no solve)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from postprocess.report import SECTIONS, build_report, report_sections
from postprocess.report.run_data import RunData, RunFolderError
from postprocess.report.sections import hermeticity, hysteresis, life_map, other, weibull
from tests.report_helpers import folder_with


def test_plain_run_has_the_core_sections_and_none_of_the_optional_ones(tmp_path: Path) -> None:
    run = RunData.open(folder_with(tmp_path))
    keys = [s.key for s in report_sections(run)]
    assert keys == ["case", "thermal-profile", "joints", "regions", "solver", "versions"]
    for builder in (hysteresis.build, life_map.build, weibull.build, hermeticity.build, other.build):
        assert builder(run) is None


def test_report_is_self_contained_and_escapes_text(tmp_path: Path) -> None:
    path = build_report(folder_with(tmp_path))
    html = path.read_text()
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', html))
    assert "synthetic &lt;run&gt; &amp; co" in html and "<run>" not in html
    # the critical joint's row is the highlighted one
    assert re.search(r'<tr class="critical"><td>bump_0002 \(critical\)</td>', html)


def test_missing_summary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match=r"no summary\.json"):
        RunData.open(tmp_path)


def test_hysteresis_loop_area_is_the_enclosed_work() -> None:
    # rectangle |gamma| <= a, |tau| <= b traversed once: W = 4 a b
    a, b = 2e-3, 20e6
    strain = np.array([-a, a, a, -a])
    stress = np.array([-b, -b, b, b])
    assert hysteresis.loop_area(strain, stress) == pytest.approx(4 * a * b, rel=1e-12)
    # an elastic line encloses nothing
    assert hysteresis.loop_area(np.array([0.0, a, 2 * a]), np.array([0.0, b, 2 * b])) == pytest.approx(0.0, abs=1e-9)


def hysteresis_csv(a: float, b: float) -> str:
    rows = ["joint_id,step,cycle,shear_strain,shear_stress_Pa"]
    corners = [(-a, -b), (a, -b), (a, b), (-a, b)]
    for joint, scale in ((2, 1.0), (0, 0.5)):
        for k, (g, t) in enumerate(corners):
            rows.append(f"{joint},{k + 1},1,{g * scale},{t * scale}")
    return "\n".join(rows) + "\n"


def test_hysteresis_section_lists_loops_and_inelastic_summary(tmp_path: Path) -> None:
    files = {"hysteresis.csv": hysteresis_csv(2e-3, 20e6)}
    run = RunData.open(folder_with(tmp_path, files, inelastic={"energy_per_cycle_J_m3": [1.6e5, 1.5e5]}))
    section = hysteresis.build(run)
    assert section is not None and section.body.count("<img") == 1
    body = section.body
    assert "1.6e+05" in body  # loop area of the critical joint (4 a b)
    assert "4e+04" in body  # the half-size loop of joint 0: a quarter of it
    assert '<tr class="critical"><td>bump_0002</td>' in body
    assert "energy_per_cycle_J_m3" in body and "150000" in body


def test_life_map_reads_the_brief_columns_and_the_life_csv_of_the_life_package(tmp_path: Path) -> None:
    brief = "joint,x,y,dnp,cycles_to_failure\n0,0.00025,0.00025,0.000354,5000\n2,0.00075,0.00075,0.001061,850\n"
    run = RunData.open(folder_with(tmp_path, {"life.csv": brief}))
    points = life_map.life_points(run)
    assert points is not None and [p.joint_id for p in points] == [0, 2]
    section = life_map.build(run)
    assert section is not None and "<img" in section.body
    shortest = re.search(r'<tr class="critical"><td>([^<]+)</td><td class="num">([^<]+)</td>', section.body)
    assert shortest is not None and shortest.groups() == ("bump_0002", "1.061")
    # postprocess.life's life.csv has no positions: they come from the summary's joints
    life_pkg = "joint_id,name,dnp_m,metric,metric_value,model,cycles_to_failure,damage_per_cycle\n"
    life_pkg += "1,bump_0001,0.000791,shear_strain_range,0.003,engelmaier,inf,0.0\n"
    (tmp_path / "life.csv").write_text(life_pkg)
    points = life_map.life_points(RunData.open(tmp_path))
    assert points is not None and (points[0].x, points[0].y) == (0.75e-3, 0.25e-3)
    assert math.isinf(points[0].cycles_to_failure)
    assert life_map.build(RunData.open(tmp_path)) is not None  # infinite life drawn hollow, not an error


def test_life_map_rejects_a_joint_without_position(tmp_path: Path) -> None:
    run = RunData.open(folder_with(tmp_path, {"life.csv": "joint_id,cycles_to_failure\n7,100\n"}))
    with pytest.raises(ValueError, match="joint 7 has no x, y"):
        life_map.build(run)


def test_weibull_section_gives_b_lives(tmp_path: Path) -> None:
    run = RunData.open(folder_with(tmp_path, life={"weibull": {"shape": 2.0, "scale": 1000.0}, "model": "engelmaier"}))
    section = weibull.build(run)
    assert section is not None and "<img" in section.body
    # B10 = eta (-ln 0.9)^(1/beta) = 1000 * 0.32459 ; B1 = 1000 * (-ln 0.99)^0.5 = 100.25
    assert "324.6" in section.body and "100.3" in section.body
    further = other.build(run)  # the rest of 'life' is not lost
    assert further is not None and "engelmaier" in further.body and "weibull" not in further.body


def test_hermeticity_section_plots_rh_and_lists_leak_paths(tmp_path: Path) -> None:
    t = np.linspace(0.0, 10 * 365.25 * 86400.0, 11)
    csv_text = "time_s,time_h,ambient_rh_percent,cavity_rh_percent\n" + "".join(
        f"{ti},{ti / 3600},85,{85 * (1 - math.exp(-ti / t[-1]))}\n" for ti in t
    )
    leak = {"verdict": "not hermetic", "leak_paths": [{"from": "outside", "to": "cavity", "through": "BCB frame"}]}
    run = RunData.open(folder_with(tmp_path, {"cavity_humidity.csv": csv_text}, hermeticity=leak))
    section = hermeticity.build(run)
    assert section is not None and "<img" in section.body
    assert "Verdict: not hermetic" in section.body and "BCB frame" in section.body
    assert hermeticity.verdict_text({"hermetic": True}) == "hermetic"


def test_unknown_summary_sections_appear_under_further_results(tmp_path: Path) -> None:
    run = RunData.open(folder_with(tmp_path, thermal={"max_temperature_K": 401.5, "model": "transient"}))
    section = other.build(run)
    assert section is not None and "thermal" in section.body and "401.5" in section.body
    assert [s.key for s in report_sections(run)].count("further") == 1
    assert len(SECTIONS) == 12
