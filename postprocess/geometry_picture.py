"""PNG cutaway of a meshed stack, one colour per material with a legend (pyvista, off-screen).

The model is cut by the plane y = ``cut_y`` (through the row of joints nearest the neutral
point) so the cut face shows the joints' cross sections; parts with y < ``cut_y`` are removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from postprocess.offscreen import offscreen_plotter


@dataclass(frozen=True)
class MeshPicture:
    """Plain data of a tetrahedral mesh to draw (SI units).

    Attributes:
        points: (n, 3) vertex coordinates.
        cells: (m, 4) vertex indices of the tetrahedra.
        material: (m,) index into ``labels`` of each cell.
        labels: legend text of each material index.
    """

    points: np.ndarray
    cells: np.ndarray
    material: np.ndarray
    labels: list[str]


def render_geometry(picture: MeshPicture, png: Path, title: str, cut_y: float | None) -> None:
    """Write ``png``: the stack coloured by material, cut at ``cut_y`` (None: not cut)."""
    import pyvista as pv
    from matplotlib import colormaps

    n = len(picture.cells)
    cells = np.hstack([np.full((n, 1), 4), picture.cells]).ravel()
    grid = pv.UnstructuredGrid(cells, np.full(n, pv.CellType.TETRA, dtype=np.uint8), picture.points * 1e3)
    grid.cell_data["material"] = picture.material
    if cut_y is not None:
        grid = grid.clip(normal=(0, -1, 0), origin=(0, cut_y * 1e3, 0), invert=True)
    palette = colormaps["tab20"]
    plotter = offscreen_plotter()
    for index, label in enumerate(picture.labels):
        part = grid.extract_cells(np.flatnonzero(grid.cell_data["material"] == index))
        if part.n_cells:
            colour = palette(((2 * index) % 20 if index < 10 else (2 * index + 1) % 20) / 19.999)[:3]
            plotter.add_mesh(part, color=colour, show_edges=True, edge_color="#404040", line_width=0.3, label=label)
    plotter.add_legend(bcolor="white", face="rectangle", size=(0.22, 0.04 * max(len(picture.labels), 2)))
    plotter.add_text(f"{title}\n(mm)", font_size=10)
    plotter.show_axes()
    plotter.view_vector((-1.0, -1.6, 0.9))
    plotter.camera.zoom(1.2)
    plotter.screenshot(str(png))
    plotter.close()
