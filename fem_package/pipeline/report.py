"""The last stage of a run: report.html in the results folder (rank 0, after summary.json)."""

from __future__ import annotations

import time
from pathlib import Path

from fem_package.console import Console


def write_run_report(folder: Path, console: Console) -> None:
    """Build ``folder/report.html`` from the finished folder.

    The results are complete before this runs; a failure here must not throw them away, so it is
    reported as an error with the command that rebuilds the report, and the run goes on.
    """
    from postprocess.report import build_report

    t0 = time.perf_counter()
    try:
        build_report(folder)
    except Exception as exc:  # the report is a view of finished results: keep them whatever happens here
        console.error(f"report.html not written ({type(exc).__name__}: {exc}); rebuild it with 'flipstack report'")
        return
    console.detail(f"report.html written ({time.perf_counter() - t0:.1f} s)")
