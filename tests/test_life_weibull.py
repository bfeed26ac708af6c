"""Weibull B-lives and weakest-link package statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from postprocess.life import weibull


def test_b10_closed_form() -> None:
    """B10 = eta (-ln 0.9)^(1/beta): eta 2000, beta 6 -> 2000 * 0.1053605^(1/6) = 1374.494."""
    assert weibull.b_life(10, 2000.0, 6.0) == pytest.approx(2000.0 * (-math.log(0.9)) ** (1 / 6), rel=1e-14)
    assert weibull.b_life(10, 2000.0, 6.0) == pytest.approx(1374.494, rel=1e-6)
    assert weibull.b_life(1, 2000.0, 6.0) == pytest.approx(2000.0 * (-math.log(0.99)) ** (1 / 6), rel=1e-14)
    assert weibull.failure_probability(weibull.b_life(10, 2000.0, 6.0), 2000.0, 6.0) == pytest.approx(0.1, rel=1e-12)


def test_eta_from_median() -> None:
    """Engelmaier's N_f is the median: eta = N50 / (ln 2)^(1/beta)."""
    eta = weibull.eta_from_percentile(1000.0, 0.5, 4.0)
    assert eta == pytest.approx(1000.0 / math.log(2) ** 0.25, rel=1e-14)
    assert weibull.percentile_life(0.5, eta, 4.0) == pytest.approx(1000.0, rel=1e-14)


def test_series_equal_joints() -> None:
    """N equal joints: eta_pkg = eta / N^(1/beta); the solver and the closed form agree."""
    eta, beta, n = 3000.0, 5.0, 400
    eta_pkg = weibull.series_eta(eta, beta, n)
    assert eta_pkg == pytest.approx(3000.0 / 400**0.2, rel=1e-14)
    assert weibull.series_percentile(0.632120558828558, [eta], [beta], [n]) == pytest.approx(eta_pkg, rel=1e-12)
    assert weibull.series_reliability(500.0, [eta], [beta], [n]) == pytest.approx(
        weibull.reliability(500.0, eta, beta) ** n, rel=1e-12
    )


def test_multiplicity_equals_repeated_joints() -> None:
    etas, betas = [1000.0, 2500.0], [4.0, 7.0]
    t10 = weibull.series_percentile(0.1, etas, betas, [4, 2])
    t10_expanded = weibull.series_percentile(0.1, [1000.0] * 4 + [2500.0] * 2, [4.0] * 4 + [7.0] * 2)
    assert t10 == pytest.approx(t10_expanded, rel=1e-12)


def test_unequal_joints_equal_shape_closed_form() -> None:
    etas = np.array([1500.0, 2000.0, 4000.0])
    k = np.array([4, 8, 100])
    beta = 6.0
    eta_pkg = float(np.sum(k * etas**-beta) ** (-1 / beta))
    b1 = weibull.series_percentile(0.01, etas, beta, k)
    assert b1 == pytest.approx(weibull.b_life(1, eta_pkg, beta), rel=1e-12)


def test_unequal_shapes_percentile_solves_reliability() -> None:
    etas, betas, k = [1500.0, 5000.0, 900.0], [3.0, 8.0, 2.0], [4, 100, 1]
    for p in (1e-4, 0.01, 0.1, 0.5, 0.9):
        t = weibull.series_percentile(p, etas, betas, k)
        assert weibull.series_reliability(t, etas, betas, k) == pytest.approx(1 - p, rel=1e-12)
        assert t < min(weibull.percentile_life(p, e, b) for e, b in zip(etas, betas, strict=True))


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        weibull.percentile_life(1.0, 1000.0, 3.0)
    with pytest.raises(ValueError):
        weibull.reliability(10.0, 1000.0, 0.0)
    with pytest.raises(ValueError):
        weibull.series_percentile(0.1, [1000.0], [3.0], [0])
