"""Section 'Regions': peak and volume-averaged von Mises stress of every non-joint region."""

from __future__ import annotations

from postprocess.report.html import number, table
from postprocess.report.run_data import RunData
from postprocess.report.section import Section

HEADERS = (
    "region",
    "role",
    "material",
    "stress-free T [°C]",
    "peak von Mises [MPa]",
    "mean von Mises [MPa]",
    "volume [mm³]",
)


def build(run: RunData) -> Section | None:
    """Present when the summary has regions; sorted by peak von Mises, largest first."""
    regions = run.summary.get("regions") or {}
    if not regions:
        return None
    ordered = sorted(regions.items(), key=lambda kv: -(kv[1].get("peak_von_mises") or 0.0))
    rows = [
        (
            name,
            r.get("role", "-"),
            r.get("material", "-"),
            number(r["stress_free_temperature_K"] - 273.15, 4) if "stress_free_temperature_K" in r else "-",
            number(r.get("peak_von_mises"), 4, 1e6),
            number(r.get("mean_von_mises"), 4, 1e6),
            number(r.get("volume"), 4, 1e-9),
        )
        for name, r in ordered
    ]
    return Section("regions", "Peak stresses per region", table(HEADERS, rows))
