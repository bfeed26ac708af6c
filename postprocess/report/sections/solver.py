"""Section 'Solver': problem size, mesh quality, timings and the per-step solver record."""

from __future__ import annotations

from typing import Any

from postprocess.report.html import join, key_values, number, table, tag
from postprocess.report.run_data import RunData
from postprocess.report.section import Section

STEP_HEADERS = (
    "step",
    "time [s]",
    "T [°C]",
    "cycle",
    "segment",
    "CG iterations",
    "reason",
    "assemble [s]",
    "solve [s]",
    "|u| max [µm]",
)


def _step_rows(steps: list[dict[str, Any]], solver_steps: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    rows = []
    for i, s in enumerate(steps):
        st = solver_steps[i] if i < len(solver_steps) else {}
        rows.append(
            (
                s["index"],
                number(s["time_s"], 6),
                number(s["temperature_K"] - 273.15, 4),
                s.get("cycle", "-"),
                s.get("segment", "-"),
                s.get("iterations", st.get("iterations", "-")),
                st.get("reason", "-"),
                number(st.get("assemble_seconds"), 3),
                number(st.get("solve_seconds"), 3),
                number(s.get("max_displacement_m"), 4, 1e-6),
            )
        )
    return rows


def build(run: RunData) -> Section | None:
    """Always present: ``run``, ``mesh``, ``timings_s``, ``steps`` and ``solver_steps`` of the summary."""
    s = run.summary
    r, mesh = s.get("run", {}), s.get("mesh", {})
    size = key_values(
        [
            ("MPI ranks", r.get("ranks", "-")),
            ("displacement degree", f"P{r['degree']}" if "degree" in r else "-"),
            ("degrees of freedom", r.get("dofs", "-")),
            ("cells / vertices", f"{mesh.get('cells', '-')} / {mesh.get('vertices', '-')}"),
            (
                "scaled Jacobian min / mean",
                f"{number(mesh.get('min_scaled_jacobian'), 3)} / {number(mesh.get('mean_scaled_jacobian'), 3)}",
            ),
        ],
        caption="Problem",
    )
    timings = s.get("timings_s", {})
    times = key_values([(k, f"{number(v, 3)} s") for k, v in timings.items()], caption="Timings (wall clock)")
    body = [tag("div", size + times, class_="columns")]
    steps = s.get("steps") or []
    if steps:
        body.append(table(STEP_HEADERS, _step_rows(steps, s.get("solver_steps") or []), caption="Load steps"))
    return Section("solver", "Solver statistics and timings", join(body))
