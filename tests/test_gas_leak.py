"""MIL-STD-883 TM1014 helium fine-leak relations and molecular-flow gas exchange (postprocess.gas_leak)."""

from __future__ import annotations

import math

import pytest

from postprocess.gas_leak import (
    ATM,
    ATM_CC_PER_S,
    CM3,
    FIXED_METHOD,
    GAS_CONSTANT,
    HOUR,
    M_AIR,
    M_HELIUM,
    M_WATER,
    PSI,
    fixed_condition,
    measured_rate,
    partial_pressure,
    peak_measured_rate,
    permeation_equivalent_leak,
    reject_limit,
    standard_leak_rate,
    time_to_moisture,
    time_to_partial_pressure,
)

BOMB = 75 * PSI + ATM  # 75 psig absolute


def test_howl_mann_by_hand() -> None:
    """L = 1e-7 atm cm3/s air, V = 0.05 cm3, 75 psig for 2 h, 1 h dwell (TM1014 fixed-method row 1 conditions).

    By hand in the standard's units: sqrt(28.7/4) = 2.67862; P_E = 89.696 psia = 6.10345 atm;
    k = L sqrt(M_A/M) / (V P0) = 5.35724e-6 /s; R1 = 2.67862e-7 x 6.10345 x (1 - e^-0.0385721) x e^-0.0192861
    = 6.0679e-8 atm cm3/s He.
    """
    r1 = measured_rate(1e-7 * ATM_CC_PER_S, BOMB, 2 * HOUR, 1 * HOUR, 0.05 * CM3)
    p_abs = BOMB / ATM
    assert p_abs == pytest.approx(6.10345, rel=1e-5)
    assert r1 / ATM_CC_PER_S == pytest.approx(6.0679e-8, rel=1e-4)
    # this package would fail the fixed method's 5e-8 reject limit: L = 1e-7 is above that row's limit
    assert r1 > fixed_condition(0.04 * CM3).reject_r1


def test_small_leak_limit_and_gross_leak_hiding() -> None:
    """L t1 sqrt(M_A/M)/(V P0) << 1: R1 -> L^2 P_E (M_A/M) t1 / (V P0^2); a gross leak empties before measurement."""
    v, t1, t2 = 0.1 * CM3, 4 * HOUR, 0.5 * HOUR
    tiny = 1e-11 * ATM_CC_PER_S
    approx = tiny**2 * BOMB * (M_AIR / M_HELIUM) * t1 / (v * ATM**2)
    assert measured_rate(tiny, BOMB, t1, t2, v) == pytest.approx(approx, rel=1e-4)
    l_peak, r_peak = peak_measured_rate(BOMB, t1, t2, v)
    assert measured_rate(l_peak * 0.9, BOMB, t1, t2, v) < r_peak
    assert measured_rate(l_peak * 1.1, BOMB, t1, t2, v) < r_peak
    assert measured_rate(1e-3 * ATM_CC_PER_S, BOMB, t1, t2, v) < 1e-12 * r_peak  # gross leak reads as tight


@pytest.mark.parametrize("leak_atm_cc", [1e-11, 1e-9, 5e-8, 1e-7, 1e-6])
def test_round_trip_r1_l_r1(leak_atm_cc: float) -> None:
    v, t1, t2 = 0.02 * CM3, 2 * HOUR, 1 * HOUR
    leak = leak_atm_cc * ATM_CC_PER_S
    l_peak, _ = peak_measured_rate(BOMB, t1, t2, v)
    assert leak < l_peak
    r1 = measured_rate(leak, BOMB, t1, t2, v)
    assert standard_leak_rate(r1, BOMB, t1, t2, v) == pytest.approx(leak, rel=1e-9)


def test_reading_above_the_peak_is_refused() -> None:
    _, r_peak = peak_measured_rate(BOMB, 2 * HOUR, 1 * HOUR, 0.05 * CM3)
    with pytest.raises(ValueError, match="exceeds the largest helium reading"):
        standard_leak_rate(2 * r_peak, BOMB, 2 * HOUR, 1 * HOUR, 0.05 * CM3)


def test_tm1014_tables() -> None:
    assert [r.volume_below / CM3 for r in FIXED_METHOD] == [0.05, 0.5, 1.0, 10.0, 20.0]
    last = fixed_condition(15 * CM3)
    assert last.bomb_pressure_gauge == pytest.approx(45 * PSI) and last.bomb_time_min == 10 * HOUR
    assert fixed_condition(0.01 * CM3).bomb_pressure == pytest.approx(BOMB)
    with pytest.raises(ValueError, match="below 20 cm3"):
        fixed_condition(25 * CM3)
    assert reject_limit(0.005 * CM3) / ATM_CC_PER_S == pytest.approx(5e-8)
    assert reject_limit(0.2 * CM3) / ATM_CC_PER_S == pytest.approx(1e-7)
    assert reject_limit(2 * CM3) / ATM_CC_PER_S == pytest.approx(1e-6)


def test_moisture_ingress_through_a_molecular_leak() -> None:
    """Dry 0.01 cm3 cavity, L = 1e-8 atm cm3/s air, outside water 2000 Pa (about 60 % RH at 25 C).

    Water conductance L_w = L sqrt(28.7/18.015) = 1.2622e-8 atm cm3/s; tau = V P0 / L_w = 7.923e5 s;
    5000 ppmv of 1 atm = 506.6 Pa: t = tau ln(2000 / (2000 - 506.6)) = 2.314e5 s (2.7 days).
    """
    v, leak = 0.01 * CM3, 1e-8 * ATM_CC_PER_S
    tau = v * ATM / (leak * math.sqrt(M_AIR / M_WATER))
    assert tau == pytest.approx(7.923e5, rel=1e-3)
    t = time_to_moisture(5000, leak, v, 2000.0)
    assert t == pytest.approx(tau * math.log(2000 / (2000 - 506.625)), rel=1e-12)
    assert t == pytest.approx(2.314e5, rel=1e-3)
    assert partial_pressure(t, leak, v, 2000.0) == pytest.approx(506.625, rel=1e-12)
    # helium leaves faster than water enters: sqrt(18.015 / 4) = 2.122 times the rate
    t_he = time_to_partial_pressure(0.5, leak, v, 0.0, p_start=1.0, molar_mass=M_HELIUM)
    t_w = time_to_partial_pressure(1000.0, leak, v, 2000.0, molar_mass=M_WATER)
    assert t_w / t_he == pytest.approx(math.sqrt(M_WATER / M_HELIUM), rel=1e-12)
    with pytest.raises(ValueError, match="never reached"):
        time_to_partial_pressure(3000.0, leak, v, 2000.0)


def test_permeation_equivalent_carries_the_same_water_flux() -> None:
    g = 1e-18  # kg/(s Pa) of water vapour (a polymer route)
    leak = permeation_equivalent_leak(g)
    l_water = leak * math.sqrt(M_AIR / M_WATER)
    dp = 1000.0
    moles_permeation = g * dp / (M_WATER * 1e-3)
    moles_leak = l_water / ATM * dp / (GAS_CONSTANT * 298.15)
    assert moles_leak == pytest.approx(moles_permeation, rel=1e-12)
    assert leak / ATM_CC_PER_S == pytest.approx(
        1.0902e-7, rel=1e-4
    )  # 1e-18 x 101325 / 0.018015 mol/s = 1.377e-7 atm cm3/s water
