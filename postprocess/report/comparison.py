"""Concepts side by side: the critical joint's metrics of several runs and their ratios to a baseline.

Per run: the concept (geometry type and case title), the critical joint and its shear-strain range,
its inelastic energy density per cycle and its cycles to failure when the run has them, the peak
von Mises stress per region role, and the hermeticity verdict when present. Each metric is divided
by the baseline run's value (the solder_bump run unless another is named).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postprocess.report.run_data import RunData, RunFolderError
from postprocess.report.sections.hermeticity import verdict_text

BASELINE_GEOMETRY = "solder_bump"
"""The concept the others are compared with unless a baseline is given."""

ENERGY_KEYS = ("energy_density_per_cycle_J_m3", "inelastic_energy_density", "energy_density_range")
"""Keys of the critical joint's inelastic energy density per cycle (J/m³), in the summary's
``critical_joint`` or the joint's entry of ``joints``."""


@dataclass(frozen=True)
class Metric:
    """A critical-joint quantity compared between runs."""

    key: str
    label: str
    unit: str
    higher_is_better: bool


METRICS = (
    Metric("shear_strain_range", "shear strain range", "-", False),
    Metric("inelastic_energy_density", "inelastic energy density per cycle", "J/m³", False),
    Metric("cycles_to_failure", "cycles to failure", "cycles", True),
)


@dataclass
class ConceptResult:
    """One run in the comparison (SI units)."""

    folder: Path
    geometry_type: str
    title: str
    critical_joint: str | None
    dnp: float | None
    metrics: dict[str, float | None]
    peak_von_mises_by_role: dict[str, float]
    hermeticity: str | None
    ratios: dict[str, float | None] = field(default_factory=dict)
    baseline: bool = False

    @property
    def concept(self) -> str:
        """'geometry type: title'."""
        return f"{self.geometry_type}: {self.title}"


def _critical_value(run: RunData, keys: Sequence[str]) -> float | None:
    crit = run.summary.get("critical_joint") or {}
    joint = run.joints_by_id.get(int(crit["joint_id"]), {}) if "joint_id" in crit else {}
    for source in (crit, joint):
        for key in keys:
            value = source.get(key)
            if isinstance(value, list) and value and isinstance(value[-1], int | float):
                return float(value[-1])  # a per-cycle history: the last (stabilized) cycle
            if isinstance(value, int | float):
                return float(value)
    return None


def critical_life(run: RunData) -> float | None:
    """Cycles to failure of the critical joint from life.csv (the shortest life if it is not listed)."""
    rows = run.table("life.csv")
    if not rows:
        return None
    crit = (run.summary.get("critical_joint") or {}).get("joint_id")
    lives = {int(r.get("joint_id") or r["joint"]): float(r["cycles_to_failure"]) for r in rows}
    return lives.get(int(crit)) if crit is not None and int(crit) in lives else min(lives.values())


def peak_by_role(run: RunData) -> dict[str, float]:
    """Largest peak von Mises (Pa) over the regions of each role, and over the joints as role 'joint'."""
    peaks: dict[str, float] = {}
    for r in (run.summary.get("regions") or {}).values():
        if isinstance(r.get("peak_von_mises"), int | float):
            role = str(r.get("role", "?"))
            peaks[role] = max(peaks.get(role, 0.0), float(r["peak_von_mises"]))
    joints = [float(j["peak_von_mises"]) for j in run.summary.get("joints") or []]
    if joints:
        peaks["joint"] = max(joints)
    return peaks


def concept_result(run: RunData) -> ConceptResult:
    """The comparison row of one run."""
    crit = run.summary.get("critical_joint") or {}
    h = run.section("hermeticity")
    return ConceptResult(
        folder=run.folder,
        geometry_type=run.geometry_type,
        title=run.title,
        critical_joint=crit.get("name"),
        dnp=crit.get("dnp"),
        metrics={
            "shear_strain_range": _critical_value(run, ("shear_strain_range",)),
            "inelastic_energy_density": _critical_value(run, ENERGY_KEYS),
            "cycles_to_failure": critical_life(run),
        },
        peak_von_mises_by_role=peak_by_role(run),
        hermeticity=verdict_text(h) if isinstance(h, dict) else None,
    )


def ratio(value: float | None, reference: float | None) -> float | None:
    """value / reference; None when either is missing or the reference is zero (or not finite)."""
    if value is None or reference is None or reference == 0 or not math.isfinite(reference):
        return None
    return value / reference


def compare_runs(folders: Sequence[Path | str], baseline: Path | str | None = None) -> list[ConceptResult]:
    """The comparison rows, baseline first marked; RunFolderError for a folder without summary.json.

    Baseline: ``baseline`` when given (added to the runs if not among them), else the first
    solder_bump run, else the first run.
    """
    if not folders:
        raise RunFolderError("no results folders to compare")
    paths = [Path(f) for f in folders]
    if baseline is not None and not any(p.resolve() == Path(baseline).resolve() for p in paths):
        paths.insert(0, Path(baseline))
    results = [concept_result(RunData.open(p)) for p in paths]
    if baseline is not None:
        base = next(r for r in results if r.folder.resolve() == Path(baseline).resolve())
    else:
        base = next((r for r in results if r.geometry_type == BASELINE_GEOMETRY), results[0])
    base.baseline = True
    for r in results:
        r.ratios = {m.key: ratio(r.metrics[m.key], base.metrics[m.key]) for m in METRICS}
    return results


def roles(results: Sequence[ConceptResult]) -> list[str]:
    """Region roles present in any run, in first-seen order."""
    return list(dict.fromkeys(role for r in results for role in r.peak_von_mises_by_role))


def present_metrics(results: Sequence[ConceptResult]) -> list[Metric]:
    """The metrics that at least one run has."""
    return [m for m in METRICS if any(r.metrics[m.key] is not None for r in results)]


def any_hermeticity(results: Sequence[ConceptResult]) -> bool:
    """Whether any run has a hermeticity verdict."""
    return any(r.hermeticity is not None for r in results)


def as_row(r: ConceptResult, metrics: Sequence[Metric], role_names: Sequence[str], hermetic: bool) -> dict[str, Any]:
    """The CSV row of a run (SI units, full precision)."""
    row: dict[str, Any] = {
        "run": str(r.folder),
        "geometry_type": r.geometry_type,
        "title": r.title,
        "baseline": r.baseline,
        "critical_joint": r.critical_joint or "",
        "dnp_m": r.dnp,
    }
    for m in metrics:
        row[m.key] = r.metrics[m.key]
        row[f"{m.key}_ratio"] = r.ratios.get(m.key)
    for role in role_names:
        row[f"peak_von_mises_Pa_{role}"] = r.peak_von_mises_by_role.get(role)
    if hermetic:
        row["hermeticity"] = r.hermeticity or ""
    return row
