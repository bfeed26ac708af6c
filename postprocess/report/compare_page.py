"""``compare.html`` (self-contained: table and bar chart inline) and ``compare.csv`` of a comparison."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from postprocess.report.comparison import (
    ConceptResult,
    Metric,
    any_hermeticity,
    as_row,
    present_metrics,
    roles,
)
from postprocess.report.html import Html, figure, join, number, paragraph, table, tag
from postprocess.report.page import render_page
from postprocess.report.plots import figure_image, new_figure
from postprocess.report.section import Section


def _label(r: ConceptResult) -> str:
    return f"{r.geometry_type}\n{r.folder.name}"


def bar_chart(results: Sequence[ConceptResult], metrics: Sequence[Metric], role_names: Sequence[str]) -> Html:
    """Left: each critical-joint metric relative to the baseline; right: peak von Mises per role (MPa)."""
    fig = new_figure(11.0, 4.2)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
    x = np.arange(len(results))
    width = 0.8 / max(len(metrics), 1)
    for k, m in enumerate(metrics):
        values = [r.ratios.get(m.key) for r in results]
        heights = [v if v is not None else 0.0 for v in values]
        left.bar(x + (k - (len(metrics) - 1) / 2) * width, heights, width, label=m.label)
    left.axhline(1.0, color="k", lw=0.8, ls="--")
    left.set_xticks(x, [_label(r) for r in results], fontsize=8)
    left.set_ylabel("ratio to baseline")
    left.set_title("critical joint", fontsize=10)
    left.legend(fontsize=8)
    width = 0.8 / max(len(role_names), 1)
    for k, role in enumerate(role_names):
        peaks = [r.peak_von_mises_by_role.get(role, 0.0) / 1e6 for r in results]
        right.bar(x + (k - (len(role_names) - 1) / 2) * width, peaks, width, label=role)
    right.set_xticks(x, [_label(r) for r in results], fontsize=8)
    right.set_ylabel("peak von Mises [MPa]")
    right.set_title("peak von Mises per region role", fontsize=10)
    right.legend(fontsize=8, ncols=2)
    return figure(figure_image(fig, "comparison bar chart"), "Runs side by side (dashed: baseline = 1)")


def comparison_table(results: Sequence[ConceptResult], metrics: Sequence[Metric], role_names: Sequence[str]) -> Html:
    """One row per run; the baseline row highlighted."""
    hermetic = any_hermeticity(results)
    headers = ["concept", "run folder", "critical joint", "DNP [mm]"]
    for m in metrics:
        headers += [f"{m.label} [{m.unit}]", "ratio"]
    headers += [f"peak von Mises {role} [MPa]" for role in role_names]
    if hermetic:
        headers.append("hermeticity")
    rows = []
    for r in results:
        row: list[object] = [r.concept + (" (baseline)" if r.baseline else ""), r.folder.name]
        row += [r.critical_joint or "-", number(r.dnp, 4, 1e-3)]
        for m in metrics:
            row += [number(r.metrics[m.key], 4), number(r.ratios.get(m.key), 3)]
        row += [number(r.peak_von_mises_by_role.get(role), 4, 1e6) for role in role_names]
        if hermetic:
            row.append(r.hermeticity or "-")
        rows.append(row)
    return table(headers, rows, [i for i, r in enumerate(results) if r.baseline])


def write_compare_csv(path: Path, results: Sequence[ConceptResult]) -> None:
    """``compare.csv``: one row per run, SI units, ratios to the baseline."""
    metrics, role_names = present_metrics(results), roles(results)
    rows = [as_row(r, metrics, role_names, any_hermeticity(results)) for r in results]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else repr(v) if isinstance(v, float) else v for k, v in row.items()})


def write_comparison(results: Sequence[ConceptResult], out: Path | str) -> tuple[Path, Path]:
    """Write ``out/compare.html`` and ``out/compare.csv`` (the folder is created); returns both paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    metrics, role_names = present_metrics(results), roles(results)
    base = next(r for r in results if r.baseline)
    note = paragraph(
        f"Baseline: {base.concept} ({base.folder.name}). Ratios are each run's value over the baseline's; "
        "for the strain range and the energy below 1 is better, for the life above 1."
    )
    links = tag(
        "ul",
        join(
            tag("li", tag("a", r.concept, href=os.path.relpath(r.folder.resolve() / "report.html", folder.resolve())))
            for r in results
        ),
    )
    sections = [
        Section("table", "Critical joints and peak stresses", note + comparison_table(results, metrics, role_names)),
        Section("chart", "Bar chart", bar_chart(results, metrics, role_names)),
        Section("runs", "Run reports", links),
    ]
    html_path, csv_path = folder / "compare.html", folder / "compare.csv"
    html_path.write_text(
        render_page("Concept comparison", f"{len(results)} runs", sections, "flipstack compare"), encoding="utf-8"
    )
    write_compare_csv(csv_path, results)
    return html_path, csv_path
