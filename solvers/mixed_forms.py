"""UFL pieces of the displacement-pressure (u-p) form of small-strain isotropic elasticity.

The stress is split into its deviatoric part, carried by the displacement, and its mean
part, carried either by an independent pressure-like field p (the mean stress, positive in
tension) or, in compressible cells, by the displacement as usual:

    sigma = 2 mu dev(e) + (chi p + (1 - chi) K tr(e)) I,      e = eps(u) - eps_th,

with chi = 1 in cells whose volumetric stress is the field p and chi = 0 elsewhere. The
perturbed-Lagrangian weak form (Zienkiewicz & Taylor, "The Finite Element Method", vol. 1,
6th ed., sec. 11.3; Hughes, "The Finite Element Method", 2000, sec. 4.3) reads: find (u, p) with

    F_u = integral [2 mu dev(e) + (1 - chi) K tr(e) I] : eps(v) + chi p div(v) dx = 0   for all v,
    F_p = integral [chi tr(e) - p / K] q dx = 0                                       for all q,

so that p = K tr(e) in the chi = 1 cells, weakly, and p = 0 where chi = 0. The system is
symmetric; K = infinity (1/K = 0) is exact incompressibility of the mechanical strain.
The functions take UFL expressions (DG0 functions or constants) for mu, K, 1/K and chi so a
nonlinear driver can take the same residual (e.g. with ``ufl.derivative`` for its Jacobian).
"""

from __future__ import annotations

from typing import Any

from fem_package.fenics import ufl


def strain(w: Any) -> Any:
    """Small-strain tensor eps(w) = sym(grad w)."""
    return ufl.sym(ufl.grad(w))


def deviatoric_stress(mu: Any, e: Any) -> Any:
    """Deviatoric stress 2 mu dev(e) of an isotropic material for the mechanical strain ``e``."""
    return 2.0 * mu * ufl.dev(e)


def mean_stress(p: Any, e: Any, chi: Any = None, bulk_in_displacement: Any = None) -> Any:
    """Mean stress chi p + (1 - chi) K tr(e); ``bulk_in_displacement`` is (1 - chi) K (0 where chi = 1).

    ``None`` for chi means chi = 1 everywhere and for ``bulk_in_displacement`` no such term.
    """
    m = p if chi is None else chi * p
    return m if bulk_in_displacement is None else m + bulk_in_displacement * ufl.tr(e)


def mixed_stress(mu: Any, p: Any, e: Any, chi: Any = None, bulk_in_displacement: Any = None) -> Any:
    """Cauchy stress sigma = 2 mu dev(e) + (chi p + (1 - chi) K tr(e)) I."""
    return deviatoric_stress(mu, e) + mean_stress(p, e, chi, bulk_in_displacement) * ufl.Identity(3)


def mixed_residuals(
    u: Any,
    p: Any,
    v: Any,
    q: Any,
    mu: Any,
    inverse_bulk: Any,
    eps_th: Any,
    chi: Any = None,
    bulk_in_displacement: Any = None,
) -> tuple[Any, Any]:
    """Residual forms (F_u, F_p) of the u-p formulation (see the module docstring) for tests v, q.

    ``inverse_bulk`` is 1/K (cell-wise; 0 for an incompressible material). With the defaults
    (``None``: chi = 1, no bulk stiffness in the displacement) this is plain u-p elasticity.
    """
    e = strain(u) - eps_th
    f_u = ufl.inner(deviatoric_stress(mu, e), strain(v)) * ufl.dx
    f_u += mean_stress(p, e, chi, bulk_in_displacement) * ufl.div(v) * ufl.dx
    volumetric = ufl.tr(e) if chi is None else chi * ufl.tr(e)
    f_p = (volumetric - inverse_bulk * p) * q * ufl.dx
    return f_u, f_p
