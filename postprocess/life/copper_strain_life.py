"""Strain-life of electroplated copper: the IPC-TR-579 modified Manson-Coffin equation.

    d_eps = N^-0.6 D_f^0.75 + 0.9 (S_u / E) [exp(D_f) / 0.36]^(0.1785 log10(1e5 / N))

d_eps is the total (elastic + plastic) cyclic strain range of the copper, N the expected cycles to
failure, D_f the fatigue ductility (fraction), S_u the ultimate strength, E the modulus. Source:
Engelmaier W., Kessler T., J. Electrochem. Soc. 125(1) (1978); IPC-TR-579 (1988); as printed in
ANSI/VITA 51.1-2013 (R2018) Appendix F, Equation 1.6 (constants in ``life_models.toml``,
``[ipc_tr579_copper]``). The plastic term is Manson's universal-slope -0.6; the elastic term replaces
the universal slope by one that passes through 0.9 S_u/E at 1e5 cycles.

With x = log10 N the equation is g(x) = P e^(-a x) + Q e^(-q x), P = D_f^0.75, a = 0.6 ln 10,
Q = 0.9 (S_u/E) B^(5 * 0.1785), q = 0.1785 ln B, B = exp(D_f)/0.36 > 1: strictly decreasing and
convex, so Newton started left of the root (where one term alone equals d_eps) climbs to it
monotonically (:func:`postprocess.life.strain_life.two_exponentials_root`, shared with the
four-parameter strain-life equation).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from postprocess.life._arrays import non_negative, scalar_or_array
from postprocess.life.constants import CopperStrainLifeConstants
from postprocess.life.strain_life import two_exponentials_root

PLASTIC_EXPONENT = 0.6
DUCTILITY_EXPONENT = 0.75
ELASTIC_FACTOR = 0.9
DUCTILITY_DIVISOR = 0.36
ELASTIC_SLOPE = 0.1785
REFERENCE_CYCLES = 1e5
"""The fixed coefficients of the published equation (ANSI/VITA 51.1 Appendix F, Eq. 1.6)."""


def _terms(k: CopperStrainLifeConstants) -> tuple[float, float, float, float]:
    """(P, a, Q, q) of g(x) = P e^(-a x) + Q e^(-q x), x = log10 N."""
    base = math.exp(k.ductility) / DUCTILITY_DIVISOR
    p = k.ductility**DUCTILITY_EXPONENT
    a = PLASTIC_EXPONENT * math.log(10.0)
    q = ELASTIC_SLOPE * math.log(base)
    big_q = (
        ELASTIC_FACTOR * k.ultimate_strength / k.youngs_modulus * base ** (ELASTIC_SLOPE * math.log10(REFERENCE_CYCLES))
    )
    return p, a, big_q, q


def strain_range(cycles: ArrayLike, constants: CopperStrainLifeConstants) -> Any:
    """Total cyclic strain range d_eps at N cycles to failure (the equation as printed)."""
    n = non_negative(cycles, "cycles")
    k = constants
    base = math.exp(k.ductility) / DUCTILITY_DIVISOR
    with np.errstate(divide="ignore"):
        elastic = (
            ELASTIC_FACTOR
            * k.ultimate_strength
            / k.youngs_modulus
            * base ** (ELASTIC_SLOPE * np.log10(REFERENCE_CYCLES / n))
        )
        return scalar_or_array(n**-PLASTIC_EXPONENT * k.ductility**DUCTILITY_EXPONENT + elastic)


def cycles_from_strain_range(strain: ArrayLike, constants: CopperStrainLifeConstants) -> Any:
    """Expected cycles to failure N for a total cyclic strain range (inverse of :func:`strain_range`).

    Returns inf for a zero range. A range above d_eps(N = 1) (failure within the first cycle) is
    outside the correlation and raises ``ValueError``.
    """
    eps = non_negative(strain, "strain range")
    p, a, big_q, q = _terms(constants)
    if np.any(eps > p + big_q):
        raise ValueError(f"strain range {strain!r} exceeds d_eps(N = 1) = {p + big_q:.6g}: failure within one cycle")
    zero = eps == 0
    e = np.where(zero, p + big_q, eps)  # placeholder with root x = 0; replaced by inf below
    x = two_exponentials_root(e, (p, -a), (big_q, -q), name="IPC-TR-579")  # x = log10 N
    return scalar_or_array(np.where(zero, np.inf, 10.0**x))
