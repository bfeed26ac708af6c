"""Small numpy helpers shared by the life models."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def as_float_array(x: ArrayLike, name: str) -> FloatArray:
    """``x`` as a float array; NaN or infinite entries are a ``ValueError`` naming ``name``."""
    a = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return a


def non_negative(x: ArrayLike, name: str) -> FloatArray:
    """``x`` as a float array, every entry >= 0."""
    a = as_float_array(x, name)
    if np.any(a < 0):
        raise ValueError(f"{name} must be >= 0, got {x!r}")
    return a


def positive(x: ArrayLike, name: str) -> FloatArray:
    """``x`` as a float array, every entry > 0."""
    a = as_float_array(x, name)
    if np.any(a <= 0):
        raise ValueError(f"{name} must be > 0, got {x!r}")
    return a


def scalar_or_array(a: FloatArray) -> Any:
    """A 0-d array as a Python float, otherwise the array."""
    return float(a) if a.ndim == 0 else a
