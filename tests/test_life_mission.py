"""Rainflow (ASTM E1049), Miner's rule and Norris-Landzberg."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from postprocess.life import mission
from postprocess.life.constants import NorrisLandzbergConstants


def test_astm_e1049_rainflow_example() -> None:
    """ASTM E1049-85 (2017) rainflow example history -2, 1, -3, 5, -1, 3, -4, 4, -2.

    The standard's count table: range 3: 0.5, 4: 1.5, 6: 0.5, 8: 1.0, 9: 0.5 cycles (others 0).
    """
    cycles = mission.rainflow_cycles([-2, 1, -3, 5, -1, 3, -4, 4, -2])
    assert cycles.histogram() == {3.0: 0.5, 4.0: 1.5, 6.0: 0.5, 8.0: 1.0, 9.0: 0.5}
    assert cycles.total_count == 4.0


def test_frequency_and_maximum_of_a_triangle_history(tmp_path: Path) -> None:
    """A -40/125 C triangle with a 1 h period: range 165 K, T_max 398.15 K, f = 1/3600 Hz."""
    csv = tmp_path / "field.csv"
    lines = ["time [h],temperature [C]"] + [f"{0.5 * i},{125 if i % 2 else -40}" for i in range(11)]
    csv.write_text("\n".join(lines) + "\n")
    h = mission.read_temperature_history(csv)
    assert h.duration == pytest.approx(5 * 3600)
    assert h.temperature[0] == pytest.approx(233.15)
    c = mission.history_cycles(h)
    assert c.total_count == pytest.approx(5.0)
    assert np.allclose(c.range, 165.0)
    assert np.allclose(c.maximum, 398.15)
    assert np.allclose(c.frequency, 1 / 3600)


def test_csv_needs_units(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("time,temperature\n0,20\n1,30\n")
    with pytest.raises(ValueError, match="header"):
        mission.read_temperature_history(csv)


def test_miner_repeated_identical_cycle() -> None:
    """Three identical 0/100 K cycles: D = 3 / N for a constant life N."""
    cycles = mission.rainflow_cycles([300.0, 400.0, 300.0, 400.0, 300.0, 400.0, 300.0])
    n_f = 1234.5
    assert mission.miner_damage(cycles, lambda dt, tm, f: np.full_like(dt, n_f)) == pytest.approx(3 / n_f, rel=1e-14)


def test_miner_mixed_classes_and_years() -> None:
    """Per-class lives: D = sum n_i/N_i; a day-long history repeats to life = 1/D days."""
    t = np.array([0.0, 6, 12, 18, 24]) * 3600
    temp = np.array([290.0, 340.0, 290.0, 310.0, 290.0])
    hist = mission.TemperatureHistory(t, temp)

    def life(dt: np.ndarray, tm: np.ndarray, f: np.ndarray) -> np.ndarray:
        return 1e4 * (50.0 / dt) ** 2

    res = mission.mission_life(hist, life)
    # rainflow: 290->340 half (N = 1e4), 340->290 half (1e4), 290->310 half (6.25e4), 310->290 half.
    d = 2 * 0.5 / 1e4 + 2 * 0.5 / (1e4 * 2.5**2)
    assert res.damage_per_pass == pytest.approx(d, rel=1e-14)
    assert res.years == pytest.approx(86400 / d / (365.25 * 86400), rel=1e-14)


def test_norris_landzberg_snpb_hand() -> None:
    """SnPb (n 1.9, m 1/3, 1414 K): test 0/100 C at 24/day, field 10/60 C at 1/day.

    By hand: (100/50)^1.9 = 3.732132; (1/24)^(1/3) = 0.346681;
    exp(1414 (1/333.15 - 1/373.15)) = exp(0.454966) = 1.576132; AF = 2.039290.
    """
    k = NorrisLandzbergConstants.from_library("norris_landzberg_snpb")
    af = mission.norris_landzberg_factor(100.0, 50.0, 24.0, 1.0, 373.15, 333.15, k)
    assert af == pytest.approx(3.732132 * 0.346681 * 1.576132, rel=3e-6)
    assert af == pytest.approx(2.039290, rel=1e-6)


def test_norris_landzberg_sac_pan_hand() -> None:
    """SAC (Pan 2005: 2.65, 0.136, 2185 K): test -40/125 C, field 10/70 C, field rate half the test's.

    By hand: (165/60)^2.65 = 14.595926; 0.5^0.136 = 0.910039; exp(2185 (1/343.15 - 1/398.15)) = 2.409927;
    AF = 32.01072.
    """
    k = NorrisLandzbergConstants.from_library("norris_landzberg_sac_pan2005")
    assert (k.n, k.m, k.activation_temperature) == (2.65, 0.136, 2185.0)
    af = mission.norris_landzberg_factor(165.0, 60.0, 2.0, 1.0, 398.15, 343.15, k)
    assert af == pytest.approx(32.01072, rel=1e-6)


def test_norris_landzberg_life_is_test_life_at_test_conditions() -> None:
    k = NorrisLandzbergConstants.from_library("norris_landzberg_snpb")
    life = mission.norris_landzberg_life(3000.0, 165.0, 1 / 3600, 398.15, k)
    same = life(np.array([165.0]), np.array([398.15 - 82.5]), np.array([1 / 3600]))
    assert same[0] == pytest.approx(3000.0, rel=1e-13)
    milder = life(np.array([60.0]), np.array([313.15]), np.array([1 / 86400]))
    assert milder[0] > 3000.0
    assert math.isfinite(float(milder[0]))
