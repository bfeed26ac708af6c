"""Scaled Jacobian of linear tetrahedra (the Verdict library's definition).

For a tetrahedron with vertices p0..p3 the Jacobian determinant J = det[p1-p0, p2-p0, p3-p0]
is the same at every corner; the scaled Jacobian divides it by the largest product of the
three edge lengths meeting at a corner and normalizes the regular tetrahedron to 1:

    SJ = sqrt(2) J / max_corner (|e1| |e2| |e3|)

SJ is 1 for the regular tetrahedron, 0 for a flat one and negative for an inverted one
(Stimpson et al., "The Verdict Geometric Quality Library", Sandia SAND2007-1751, sec. 6.10).
"""

from __future__ import annotations

import numpy as np

# Edges leaving each corner, as (corner, three other vertices) in a right-handed order.
_CORNERS = ((0, 1, 2, 3), (1, 2, 0, 3), (2, 0, 1, 3), (3, 2, 1, 0))


def scaled_jacobian(points: np.ndarray, tets: np.ndarray) -> np.ndarray:
    """Scaled Jacobian of every tetrahedron.

    Args:
        points: (n_points, 3) vertex coordinates.
        tets: (n_cells, 4) vertex indices of linear tetrahedra.
    """
    p = points[tets]  # (n, 4, 3)
    e1, e2, e3 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]
    det = np.einsum("ij,ij->i", e1, np.cross(e2, e3))
    largest = np.zeros(len(tets))
    for c, a, b, d in _CORNERS:
        lengths = [np.linalg.norm(p[:, k] - p[:, c], axis=1) for k in (a, b, d)]
        largest = np.maximum(largest, lengths[0] * lengths[1] * lengths[2])
    return np.sqrt(2.0) * det / np.where(largest > 0, largest, 1.0)
