"""Strain-life (Coffin-Manson-Basquin) for ductile interconnect metals such as copper and gold.

    eps_a = sigma_f'/E (2N)^b + eps_f' (2N)^c

eps_a is the total strain amplitude (half the range), 2N the reversals to failure. The equation
has no closed-form inverse; :func:`cycles_from_strain_amplitude` solves it with a safeguarded
Newton iteration in x = ln(2N), which is exact to round-off because g(x) = A e^{bx} + B e^{cx}
is strictly decreasing and convex (b, c < 0): Newton started left of the root climbs to it
monotonically and cannot overshoot. Constants are the user's (material test data); the shipped
copper strain-life model is IPC-TR-579 (:mod:`postprocess.life.copper_strain_life`); none for gold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from postprocess.life._arrays import non_negative, scalar_or_array


@dataclass(frozen=True)
class StrainLifeConstants:
    """Coffin-Manson-Basquin constants, SI.

    Attributes:
        fatigue_strength_coefficient: sigma_f' in Pa.
        fatigue_strength_exponent: b < 0 (Basquin).
        fatigue_ductility_coefficient: eps_f' > 0.
        fatigue_ductility_exponent: c < 0 (Coffin-Manson).
        youngs_modulus: E in Pa.
        source: where the constants come from (printed with results).
    """

    fatigue_strength_coefficient: float
    fatigue_strength_exponent: float
    fatigue_ductility_coefficient: float
    fatigue_ductility_exponent: float
    youngs_modulus: float
    source: str = ""

    def __post_init__(self) -> None:
        if (
            self.fatigue_strength_coefficient <= 0
            or self.youngs_modulus <= 0
            or self.fatigue_ductility_coefficient <= 0
        ):
            raise ValueError("sigma_f', E and eps_f' must be > 0")
        if self.fatigue_strength_exponent >= 0 or self.fatigue_ductility_exponent >= 0:
            raise ValueError("the exponents b and c must be < 0")

    @property
    def elastic_coefficient(self) -> float:
        """sigma_f' / E."""
        return self.fatigue_strength_coefficient / self.youngs_modulus


def two_exponentials_root(
    target: np.ndarray,
    first: tuple[float, float],
    second: tuple[float, float],
    lower: float = -np.inf,
    name: str = "strain-life",
    max_iterations: int = 200,
) -> np.ndarray:
    """x with c1 e^(r1 x) + c2 e^(r2 x) = target, for c > 0 and r < 0 (first, second = (c, r)).

    g(x) = c1 e^(r1 x) + c2 e^(r2 x) is decreasing and convex. Newton's method started left of the
    root, where one term alone already equals the target (not below ``lower``, where g >= target
    is known), climbs to it monotonically: every step is >= 0.
    """
    (c1, r1), (c2, r2) = first, second
    x = np.maximum(lower, np.minimum(np.log(target / c1) / r1, np.log(target / c2) / r2))
    for _ in range(max_iterations):
        t1, t2 = c1 * np.exp(r1 * x), c2 * np.exp(r2 * x)
        step = -(t1 + t2 - target) / (r1 * t1 + r2 * t2)
        x = x + np.maximum(step, 0.0)
        if np.all(np.abs(step) <= 4.0 * np.finfo(float).eps * np.maximum(1.0, np.abs(x))):
            return x
    raise RuntimeError(f"{name} Newton iteration did not converge")


def strain_amplitude(cycles: ArrayLike, constants: StrainLifeConstants) -> Any:
    """Total strain amplitude eps_a at N cycles (2N reversals)."""
    n = non_negative(cycles, "cycles")
    two_n = 2.0 * n
    k = constants
    return scalar_or_array(
        k.elastic_coefficient * two_n**k.fatigue_strength_exponent
        + k.fatigue_ductility_coefficient * two_n**k.fatigue_ductility_exponent
    )


def cycles_from_strain_amplitude(amplitude: ArrayLike, constants: StrainLifeConstants) -> Any:
    """Cycles to failure N for a total strain amplitude eps_a (inverse of :func:`strain_amplitude`).

    Returns inf for eps_a = 0. Amplitudes above sigma_f'/E + eps_f' (failure in less than one
    reversal) are outside the law and raise ``ValueError``.
    """
    eps = non_negative(amplitude, "amplitude")
    k = constants
    a, b = k.elastic_coefficient, k.fatigue_strength_exponent
    bb, c = k.fatigue_ductility_coefficient, k.fatigue_ductility_exponent
    if np.any(eps > a + bb):
        raise ValueError(
            f"strain amplitude {amplitude!r} exceeds sigma_f'/E + eps_f' = {a + bb}: less than one reversal"
        )
    zero = eps == 0
    e = np.where(zero, a + bb, eps)  # placeholder with root x = 0; result replaced by inf
    x = two_exponentials_root(e, (a, b), (bb, c), lower=0.0, name="strain-life")  # x = ln(2N)
    return scalar_or_array(np.where(zero, np.inf, 0.5 * np.exp(x)))
