"""Joint grids shared by the array geometries: how many joints fit, and where they sit.

Joints lie on a rectangular grid of pitch p centred on the neutral point (the die centre):
x_i = (i - (n_x - 1) / 2) p, y_j = (j - (n_y - 1) / 2) p, listed row by row (j outer, i inner).
A perimeter array keeps the ``rows`` outermost rings: ring(i, j) = min(i, j, n_x-1-i, n_y-1-j) < rows.
"""

from __future__ import annotations

import math
from typing import Literal


def fitting_count(given: int | None, size: float, pitch: float) -> int:
    """``given``, or as many joints as fit ``size`` at ``pitch`` (at least one)."""
    return given or max(math.floor(size / pitch + 1e-9), 1)


def grid_positions(
    nx: int, ny: int, pitch_x: float, pitch_y: float | None = None, array: Literal["full", "perimeter"] = "full",
    rows: int = 1,
) -> list[tuple[float, float]]:  # fmt: skip
    """(x, y) of every joint of the full package, centred on the origin, row by row."""
    pitch_y = pitch_x if pitch_y is None else pitch_y
    out = []
    for j in range(ny):
        for i in range(nx):
            if array == "perimeter" and min(i, j, nx - 1 - i, ny - 1 - j) >= rows:
                continue
            out.append(((i - (nx - 1) / 2) * pitch_x, (j - (ny - 1) / 2) * pitch_y))
    return out
