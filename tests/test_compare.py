"""Concept comparison on synthetic results folders: baseline choice, ratios, optional columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from postprocess.report.compare_page import write_comparison
from postprocess.report.comparison import compare_runs, ratio
from postprocess.report.run_data import RunFolderError
from tests.report_helpers import summary


def concept(folder: Path, geometry: str, strain_range: float, life: float | None = None, **extra: object) -> Path:
    """A results folder of geometry ``geometry`` whose critical joint (id 2) has ``strain_range``."""
    s = summary(**extra)
    s["case"]["geometry_type"] = geometry
    s["case"]["title"] = f"{geometry} concept"
    s["critical_joint"]["shear_strain_range"] = strain_range
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps(s))
    if life is not None:
        rows = "joint_id,name,dnp_m,metric,metric_value,model,cycles_to_failure,damage_per_cycle\n"
        rows += f"0,bump_0000,0.000354,shear_strain_range,0.001,engelmaier,{10 * life},0\n"
        rows += f"2,bump_0002,0.001061,shear_strain_range,{strain_range},engelmaier,{life},0\n"
        (folder / "life.csv").write_text(rows)
    return folder


def test_the_solder_bump_run_is_the_default_baseline(tmp_path: Path) -> None:
    lead = concept(tmp_path / "lead", "compliant_lead", 0.5e-3, life=20000.0, hermeticity={"hermetic": True})
    bump = concept(tmp_path / "bump", "solder_bump", 2.0e-3, life=1000.0)
    gel = concept(tmp_path / "gel", "liquid_metal_gel", 0.1e-3)
    results = compare_runs([lead, bump, gel])
    assert [r.baseline for r in results] == [False, True, False]
    by_name = {r.folder.name: r for r in results}
    assert by_name["lead"].ratios["shear_strain_range"] == pytest.approx(0.25, rel=1e-12)
    assert by_name["lead"].ratios["cycles_to_failure"] == pytest.approx(20.0, rel=1e-12)  # critical joint 2's life
    assert by_name["gel"].ratios["cycles_to_failure"] is None  # no life.csv
    assert by_name["lead"].hermeticity == "hermetic" and by_name["bump"].hermeticity is None
    assert by_name["bump"].peak_von_mises_by_role == {"die": 2e8, "substrate": 1e8, "joint": 3.2e8}

    html, table = write_comparison(results, tmp_path / "cmp")
    with table.open() as f:
        rows = list(csv.DictReader(f))
    assert [r["baseline"] for r in rows] == ["False", "True", "False"]
    assert float(rows[0]["cycles_to_failure_ratio"]) == pytest.approx(20.0)
    assert rows[2]["cycles_to_failure"] == "" and rows[0]["hermeticity"] == "hermetic"
    assert "inelastic_energy_density" not in rows[0]  # no run has it: no column
    text = html.read_text()
    assert text.count("<img") == 1 and "compliant_lead: compliant_lead concept" in text
    assert 'href="../bump/report.html"' in text


def test_an_explicit_baseline_is_added_when_not_listed(tmp_path: Path) -> None:
    a = concept(tmp_path / "a", "solder_bump", 2.0e-3)
    b = concept(tmp_path / "b", "contact_element", 1.0e-3)
    results = compare_runs([a], baseline=b)
    assert [r.folder.name for r in results] == ["b", "a"] and results[0].baseline
    assert results[1].ratios["shear_strain_range"] == pytest.approx(2.0)


def test_energy_from_the_critical_joint_and_guarded_ratios(tmp_path: Path) -> None:
    s = summary()
    s["critical_joint"]["inelastic_energy_density"] = 3.0e5
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "summary.json").write_text(json.dumps(s))
    base = concept(tmp_path / "base", "solder_bump", 1e-3)
    per_cycle = {"energy_density_per_cycle_J_m3": [1.9e5, 1.5e5]}  # an inelastic run: the last cycle counts
    crit = {k: v for k, v in s["critical_joint"].items() if k != "inelastic_energy_density"} | per_cycle
    (tmp_path / "base" / "summary.json").write_text(json.dumps(summary() | {"critical_joint": crit}))
    results = compare_runs([tmp_path / "e", base], baseline=base)
    assert results[0].ratios["inelastic_energy_density"] == pytest.approx(2.0)
    assert ratio(1.0, 0.0) is None and ratio(None, 1.0) is None and ratio(1.0, float("inf")) is None
    with pytest.raises(RunFolderError, match="no summary"):
        compare_runs([tmp_path / "missing"])
