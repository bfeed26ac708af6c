"""Mandel notation in UFL: symmetric tensors <-> 6-vectors, 6x6 tangents acting on strains.

Same convention as :mod:`solvers.constitutive.base`:

    a -> [a_xx, a_yy, a_zz, sqrt2 a_yz, sqrt2 a_xz, sqrt2 a_xy],

so a : b = mandel(a) . mandel(b) and (C : e) = C_6x6 mandel(e).
"""

from __future__ import annotations

from typing import Any

from fem_package.fenics import ufl

SQRT2 = 2.0**0.5


def mandel(t: Any) -> Any:
    """UFL 6-vector of the symmetric tensor ``t``."""
    return ufl.as_vector([t[0, 0], t[1, 1], t[2, 2], SQRT2 * t[1, 2], SQRT2 * t[0, 2], SQRT2 * t[0, 1]])


def tensor(v: Any) -> Any:
    """UFL symmetric 3x3 tensor of the Mandel 6-vector ``v``."""
    s = 1.0 / SQRT2
    return ufl.as_matrix(
        [
            [v[0], s * v[5], s * v[4]],
            [s * v[5], v[1], s * v[3]],
            [s * v[4], s * v[3], v[2]],
        ]
    )


def matrix(c: Any) -> Any:
    """UFL 6x6 matrix of a 36-vector stored row by row (a tangent at a quadrature point)."""
    return ufl.as_matrix([[c[6 * i + j] for j in range(6)] for i in range(6)])
