"""PNG cutaway of the deformed stack, rendered off-screen with pyvista from results.xdmf.

The last time step with the largest displacement is shown. The model is cut by the
plane y = y_c through the critical joint (the cut face shows that joint row's cross
sections), warped by the displacement magnified so the largest displacement is 3% of the
model size, and coloured by von Mises stress (cell data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from postprocess.offscreen import offscreen_plotter
from postprocess.xdmf_results import XdmfResults


def _grid(results: XdmfResults, time: float) -> Any:
    """A pyvista grid of the tetrahedra with every field at ``time`` attached."""
    import pyvista as pv

    n = len(results.cells)
    cells = np.hstack([np.full((n, 1), 4), results.cells]).ravel()
    grid = pv.UnstructuredGrid(cells, np.full(n, pv.CellType.TETRA, dtype=np.uint8), results.points)
    for name in results.fields:
        data = results.read(name, time)
        target = grid.point_data if results.center(name) == "Node" else grid.cell_data
        target[name] = data[:, 0] if data.ndim == 2 and data.shape[1] == 1 else data
    return grid


def render_cutaway(xdmf: Path, png: Path, summary: dict[str, Any], scale: float | None = None) -> None:
    """Write ``png`` from the results in ``xdmf`` (call on one rank only)."""

    steps = summary["steps"]
    step = int(np.argmax([s["max_displacement_m"] for s in steps]))
    results = XdmfResults.open(xdmf)
    grid = _grid(results, results.times[step])
    size = float(np.linalg.norm(np.array(grid.bounds[1::2]) - np.array(grid.bounds[0::2])))
    umax = steps[step]["max_displacement_m"]
    factor = scale if scale is not None else (0.03 * size / umax if umax > 0 else 1.0)
    warped = grid.warp_by_vector("displacement_m", factor=factor)
    crit = summary.get("critical_joint")
    if crit:
        joint = next(j for j in summary["joints"] if j["joint_id"] == crit["joint_id"])
        warped = warped.clip(normal=(0, -1, 0), origin=(0, joint["y"], 0), invert=True)
    vm = warped.cell_data["von_mises_Pa"] / 1e6
    warped.cell_data["von Mises [MPa]"] = vm
    plotter = offscreen_plotter()
    plotter.add_mesh(
        warped,
        scalars="von Mises [MPa]",
        cmap="turbo",
        show_edges=False,
        clim=(0.0, float(np.percentile(vm, 99.5)) or 1.0),
        scalar_bar_args={"title": "von Mises [MPa]", "vertical": True},
    )
    temperature = steps[step]["temperature_K"] - 273.15
    plotter.add_text(f"{summary['case']['title']}\nT = {temperature:.0f} C, displacement x {factor:.0f}", font_size=10)
    plotter.view_vector((-1.0, -1.6, 0.9))
    plotter.camera.zoom(1.3)
    plotter.screenshot(str(png))
    plotter.close()
