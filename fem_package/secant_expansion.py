"""Secant (mean) expansion coefficients: the CTE convention of Abaqus, CalculiX and Ansys tables.

flipstack integrates the instantaneous (tangent) coefficient alpha(T) from a region's
stress-free temperature T_ref (:mod:`fem_package.materials`):

    eps_th(T) = integral_{T_ref}^{T} alpha(s) ds.

Abaqus and CalculiX (``*EXPANSION, ZERO=T_0``) take a secant coefficient alpha_sec and
subtract its value at the initial temperature T_I (Abaqus Analysis User's Guide,
"Thermal expansion"):

    eps_th(T) = alpha_sec(T) (T - T_0) - alpha_sec(T_I) (T_I - T_0).

With T_0 = T_I = T_ref and

    alpha_sec(T) = integral_{T_ref}^{T} alpha(s) ds / (T - T_ref),   alpha_sec(T_ref) = alpha(T_ref)

(the limit T -> T_ref), both give the same strain at every tabulated temperature. Between
table points the solver interpolates alpha_sec linearly, so the strain is exact only at the
listed temperatures: list every temperature a load step uses.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from fem_package.materials import Property

SAME_TEMPERATURE = 1e-9
"""|T - T_ref| (K) below which the limit alpha(T_ref) is used instead of the quotient."""


def secant_cte(alpha: Property, reference: float, temperatures: np.ndarray) -> np.ndarray:
    """alpha_sec(T) = integral_{T_ref}^{T} alpha dT / (T - T_ref) at ``temperatures`` (K), exact for the table."""
    t = np.asarray(temperatures, dtype=float)
    dt = t - reference
    near = np.abs(dt) < SAME_TEMPERATURE
    integral = alpha.integrals(reference, t)
    return np.where(near, alpha.at(np.full(t.shape, reference)), integral / np.where(near, 1.0, dt))


def table_temperatures(properties: Iterable[Property], extra: Iterable[float]) -> np.ndarray:
    """Sorted distinct temperatures (K) of a secant table: the tangent tables' knots and ``extra``.

    Knots of the tangent tables keep the shape of alpha_sec; ``extra`` holds the reference
    temperature and every load-step temperature, where the secant strain must be exact.
    Values closer than 1 uK are merged.
    """
    knots = [p.temperatures for p in properties if not p.is_constant]
    values = np.sort(np.concatenate([*knots, np.asarray(list(extra), dtype=float)]))
    if values.size == 0:
        return values
    keep = np.concatenate(([True], np.diff(values) > 1e-6))
    return values[keep]
