"""Two-parameter Weibull population statistics for joints and packages.

R(t) = exp(-(t/eta)^beta). A package fails at its first joint failure (weakest link), so it is
a series system: R_pkg(t) = prod_i R_i(t)^k_i, k_i the multiplicity of modelled joint i (one
modelled joint standing for k_i identical joints, e.g. by symmetry). For equal shapes beta this
is again Weibull with eta_pkg = (sum_i k_i eta_i^-beta)^(-1/beta), which for N equal joints is
eta / N^(1/beta); for unequal shapes the percentiles are found by root finding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from postprocess.life._arrays import FloatArray, non_negative, positive, scalar_or_array


def _probability(p: ArrayLike) -> FloatArray:
    a = np.asarray(p, dtype=np.float64)
    if np.any(~(a > 0) | ~(a < 1)):
        raise ValueError(f"failure probability must lie in (0, 1), got {p!r}")
    return a


def _shape(beta: float) -> float:
    if not beta > 0:
        raise ValueError(f"Weibull shape beta must be > 0, got {beta}")
    return float(beta)


def reliability(t: ArrayLike, eta: float, beta: float) -> Any:
    """Survival probability R(t) = exp(-(t/eta)^beta)."""
    tt = non_negative(t, "t")
    return scalar_or_array(np.exp(-((tt / float(positive(eta, "eta"))) ** _shape(beta))))


def failure_probability(t: ArrayLike, eta: float, beta: float) -> Any:
    """F(t) = 1 - R(t), computed as -expm1 for small probabilities."""
    tt = non_negative(t, "t")
    return scalar_or_array(-np.expm1(-((tt / float(positive(eta, "eta"))) ** _shape(beta))))


def percentile_life(p: ArrayLike, eta: float, beta: float) -> Any:
    """Life by which a fraction p has failed: t_p = eta (-ln(1 - p))^(1/beta)."""
    q = _probability(p)
    return scalar_or_array(float(positive(eta, "eta")) * (-np.log1p(-q)) ** (1.0 / _shape(beta)))


def b_life(percent: float, eta: float, beta: float) -> float:
    """B-life: B1 = b_life(1, ...), B10 = b_life(10, ...) (percent failed)."""
    return float(percentile_life(percent / 100.0, eta, beta))


def eta_from_percentile(life: float, p: float, beta: float) -> float:
    """Characteristic life eta from a life at failure fraction p (e.g. Engelmaier's median, p = 0.5)."""
    q = float(_probability(p))
    return float(positive(life, "life")) / (-math.log1p(-q)) ** (1.0 / _shape(beta))


def series_eta(eta: float, beta: float, joints: float) -> float:
    """Characteristic life of a series system of ``joints`` equal joints: eta / N^(1/beta)."""
    if joints < 1:
        raise ValueError(f"joints must be >= 1, got {joints}")
    return float(positive(eta, "eta")) / joints ** (1.0 / _shape(beta))


def _joint_arrays(
    etas: ArrayLike, betas: ArrayLike, multiplicities: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    e = np.atleast_1d(positive(etas, "etas"))
    b = np.broadcast_to(np.atleast_1d(positive(betas, "betas")), e.shape).astype(np.float64)
    k = (
        np.ones_like(e)
        if multiplicities is None
        else np.broadcast_to(np.atleast_1d(non_negative(multiplicities, "multiplicities")), e.shape)
    )
    if np.sum(k) <= 0:
        raise ValueError("the package has no joints (all multiplicities are zero)")
    return e, b, np.asarray(k, dtype=np.float64)


def _cumulative_hazard(t: FloatArray, e: FloatArray, b: FloatArray, k: FloatArray) -> FloatArray:
    """H(t) = sum_i k_i (t/eta_i)^beta_i for each t."""
    return np.sum(k * (t[..., None] / e) ** b, axis=-1)


def series_reliability(t: ArrayLike, etas: ArrayLike, betas: ArrayLike, multiplicities: ArrayLike | None = None) -> Any:
    """Package survival R_pkg(t) = prod_i R_i(t)^k_i for joints i with (eta_i, beta_i, k_i)."""
    e, b, k = _joint_arrays(etas, betas, multiplicities)
    tt = non_negative(t, "t")
    return scalar_or_array(np.exp(-_cumulative_hazard(np.asarray(tt), e, b, k)))


def series_percentile(p: float, etas: ArrayLike, betas: ArrayLike, multiplicities: ArrayLike | None = None) -> float:
    """Life t_p of the package at which a fraction p of packages has failed (first joint failure).

    Solves H(t) = sum_i k_i (t/eta_i)^beta_i = -ln(1 - p). H is increasing in t and the solution
    lies between the smallest and largest single-joint percentile for target -ln(1-p)/sum(k), so a
    bisection in ln t converges to round-off; equal shapes use the closed form directly.
    """
    target = -math.log1p(-float(_probability(p)))
    e, b, k = _joint_arrays(etas, betas, multiplicities)
    live = k > 0
    e, b, k = e[live], b[live], k[live]
    if np.all(b == b[0]):
        return float((np.sum(k * e ** -b[0]) / target) ** (-1.0 / b[0]))
    per_joint = target / np.sum(k)
    guesses = e * per_joint ** (1.0 / b)
    lo, hi = math.log(float(np.min(guesses))), math.log(float(np.max(guesses)))
    # H(exp(lo)) <= target <= H(exp(hi)): at t = min guess every term <= its share, at max >= it.
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _cumulative_hazard(np.asarray(math.exp(mid)), e, b, k) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * max(1.0, abs(mid)):
            break
    return math.exp(0.5 * (lo + hi))
