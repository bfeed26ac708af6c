"""Helium fine-leak relations of MIL-STD-883 Test Method 1014 and molecular-flow gas exchange of a cavity.

Units: SI inside (Pa, m^3, s; leak rates in Pa m^3/s). ``ATM_CC_PER_S`` converts the standard's
atm cm^3/s (1 atm cm^3/s = 0.101325 Pa m^3/s).

Howl-Mann relation (Howl and Mann, "The back-pressurizing technique of leak-testing", Vacuum 15
(1965) 347; MIL-STD-883 TM1014, test condition A2 "flexible method", the equation of paragraph
3.1.1.2 in revisions 1014.10 - 1014.17): measured helium leak rate after bombing

    R1 = (L P_E / P0) sqrt(M_A / M) [1 - exp(-(L t1 / (V P0)) sqrt(M_A / M))] exp(-(L t2 / (V P0)) sqrt(M_A / M))

with L the equivalent standard leak rate (dry air, 25 C, 1 atm to vacuum), P_E the absolute bombing
pressure, t1 the bombing time, t2 the dwell from release to measurement, V the cavity volume,
P0 = 1 atm, M_A = 28.7 g/mol (air, as the standard writes it) and M = 4 g/mol (helium). R1(L) rises
with L, peaks and falls again (a gross leak loses its helium during the dwell): the fine-leak
inverse is the root below the peak; a gross-leak test must exclude the other root (TM1014 cond. C).

Molecular flow (Knudsen regime of fine leaks): each gas i flows independently through the leak with
the conductance L_i = L sqrt(M_A / M_i), so the partial pressure inside follows

    p_i(t) = p_out - (p_out - p_i(0)) exp(-L_i t / (V P0)),

and the time to reach p_target is t = (V P0 / L_i) ln((p_out - p_i(0)) / (p_out - p_target)).
Moisture content in ppmv is p_H2O / p_total x 1e6 (TM1018's 5000 ppmv limit at 100 C).

Permeation (solution-diffusion through a polymer route, postprocess.leak_paths) is not molecular flow;
for comparison only, a water-vapour route of mass conductance G [kg/(s Pa)] carries the same water
flux as a molecular leak of water leak rate L_H2O = G R T P0 / M_H2O, i.e. an equivalent standard
(air) leak rate L = L_H2O sqrt(M_H2O / M_A).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.optimize import brentq, minimize_scalar

ATM = 101325.0
"""Pa."""
ATM_CC_PER_S = ATM * 1e-6
"""1 atm cm^3/s in Pa m^3/s."""
PSI = 6894.757293168
"""Pa per psi."""
M_AIR = 28.7
"""Molar mass of air as TM1014 writes it, g/mol."""
M_HELIUM = 4.0
"""g/mol (TM1014)."""
M_WATER = 18.015
"""g/mol."""
GAS_CONSTANT = 8.314462618
"""J/(mol K)."""
STANDARD_TEMPERATURE = 298.15
"""K: the standard leak rate is dry air at 25 C (TM1014 definitions)."""


def conductance_ratio(molar_mass_from: float, molar_mass_to: float) -> float:
    """Molecular-flow leak rate of gas 'to' per leak rate of gas 'from': sqrt(M_from / M_to)."""
    return math.sqrt(molar_mass_from / molar_mass_to)


def measured_rate(
    leak: float,
    bomb_pressure: float,
    bomb_time: float,
    dwell_time: float,
    volume: float,
    p0: float = ATM,
    tracer_molar_mass: float = M_HELIUM,
) -> float:
    """R1 [Pa m^3/s of helium] of a cavity with standard leak rate ``leak`` [Pa m^3/s of air] (Howl-Mann)."""
    q = leak * conductance_ratio(M_AIR, tracer_molar_mass)
    k = q / (volume * p0)
    return q * bomb_pressure / p0 * -math.expm1(-k * bomb_time) * math.exp(-k * dwell_time)


def peak_measured_rate(
    bomb_pressure: float, bomb_time: float, dwell_time: float, volume: float, p0: float = ATM
) -> tuple[float, float]:
    """(L, R1) where R1(L) is largest: fine leaks lie below this L."""
    # R1 depends on L only through k = L sqrt(M_A/M) / (V P0): maximise over log k
    scale = volume * p0 / conductance_ratio(M_AIR, M_HELIUM)

    def neg(logk: float) -> float:
        return -measured_rate(math.exp(logk) * scale, bomb_pressure, bomb_time, dwell_time, volume, p0)

    hi = math.log(50.0 / bomb_time)
    res = minimize_scalar(neg, bounds=(hi - 40, hi), method="bounded", options={"xatol": 1e-10})
    leak = math.exp(res.x) * scale
    return leak, measured_rate(leak, bomb_pressure, bomb_time, dwell_time, volume, p0)


def standard_leak_rate(
    r1: float, bomb_pressure: float, bomb_time: float, dwell_time: float, volume: float, p0: float = ATM
) -> float:
    """Equivalent standard leak rate L [Pa m^3/s air] of a measured helium rate R1 (fine-leak root of Howl-Mann).

    Raises ValueError when R1 exceeds the largest R1 these bombing conditions can give.
    """
    if r1 <= 0:
        raise ValueError(f"R1 = {r1:g} Pa m^3/s must be positive")
    l_peak, r_peak = peak_measured_rate(bomb_pressure, bomb_time, dwell_time, volume, p0)
    if r1 > r_peak:
        raise ValueError(
            f"R1 = {r1 / ATM_CC_PER_S:.3g} atm cm3/s exceeds the largest helium reading {r_peak / ATM_CC_PER_S:.3g} "
            "atm cm3/s these bombing conditions can give: check the units, volume and times"
        )
    if r1 == r_peak:
        return l_peak

    def residual(log_leak: float) -> float:  # R1 spans decades: solve for log L
        return math.log(measured_rate(math.exp(log_leak), bomb_pressure, bomb_time, dwell_time, volume, p0) / r1)

    top = math.log(l_peak)
    return math.exp(brentq(residual, top - 80.0, top, xtol=1e-15, rtol=1e-15))


@dataclass(frozen=True)
class FixedCondition:
    """One row of TM1014's fixed-method table (test condition A1)."""

    volume_below: float  # m^3, the row applies to volumes below this (and at or above the previous row's)
    bomb_pressure_gauge: float  # Pa (psig in the standard)
    bomb_time_min: float  # s
    dwell_max: float  # s
    reject_r1: float  # Pa m^3/s helium

    @property
    def bomb_pressure(self) -> float:
        """Absolute bombing pressure, Pa."""
        return self.bomb_pressure_gauge + ATM


CM3 = 1e-6
HOUR = 3600.0
FIXED_METHOD: tuple[FixedCondition, ...] = (
    FixedCondition(0.05 * CM3, 75 * PSI, 2 * HOUR, 1 * HOUR, 5e-8 * ATM_CC_PER_S),
    FixedCondition(0.5 * CM3, 75 * PSI, 4 * HOUR, 1 * HOUR, 5e-8 * ATM_CC_PER_S),
    FixedCondition(1.0 * CM3, 45 * PSI, 2 * HOUR, 1 * HOUR, 1e-7 * ATM_CC_PER_S),
    FixedCondition(10.0 * CM3, 45 * PSI, 5 * HOUR, 1 * HOUR, 5e-8 * ATM_CC_PER_S),
    FixedCondition(20.0 * CM3, 45 * PSI, 10 * HOUR, 1 * HOUR, 5e-8 * ATM_CC_PER_S),
)
"""MIL-STD-883 TM1014 test condition A1 (fixed method), Table I, as in revisions 1014.10 - 1014.14
(the last row, 10 - 20 cm^3 at 45 psig for at least 10 h, is confirmed by Microcircuit Laboratories,
Technical Note 4, for TM1014.14). REPRESENTATIVE: the other rows are quoted from memory of the
standard and were not checked against its text here; check the revision your contract names."""

FLEXIBLE_REJECT: tuple[tuple[float, float], ...] = (
    (0.01 * CM3, 5e-8 * ATM_CC_PER_S),
    (0.4 * CM3, 1e-7 * ATM_CC_PER_S),
    (math.inf, 1e-6 * ATM_CC_PER_S),
)
"""(volume up to, reject limit of L in Pa m^3/s air): TM1014 test condition A2 (flexible method) failure
criteria of revision 1014.10 (MIL-STD-883E): V <= 0.01 cm^3: 5e-8, V <= 0.4 cm^3: 1e-7, larger:
1e-6 atm cm^3/s air. REPRESENTATIVE: quoted from memory, not checked against the text here; later
revisions (MIL-STD-883J/K/L) tightened the limits for some device classes."""


def fixed_condition(volume: float) -> FixedCondition:
    """The TM1014 fixed-method row for a cavity of ``volume`` m^3 (ValueError above 20 cm^3)."""
    for row in FIXED_METHOD:
        if volume < row.volume_below:
            return row
    raise ValueError(f"cavity volume {volume / CM3:g} cm3: the fixed method covers volumes below 20 cm3")


def reject_limit(volume: float) -> float:
    """TM1014 flexible-method reject limit of L [Pa m^3/s air] for a cavity of ``volume`` m^3."""
    for upper, limit in FLEXIBLE_REJECT:
        if volume <= upper:
            return limit
    raise AssertionError("unreachable")


def partial_pressure(
    time: float, leak: float, volume: float, p_out: float, p_start: float = 0.0, molar_mass: float = M_WATER
) -> float:
    """Partial pressure [Pa] of a gas inside the cavity after ``time`` s through a leak of standard rate ``leak``."""
    rate = leak * conductance_ratio(M_AIR, molar_mass) / (volume * ATM)
    return p_out - (p_out - p_start) * math.exp(-rate * time)


def time_to_partial_pressure(
    p_target: float, leak: float, volume: float, p_out: float, p_start: float = 0.0, molar_mass: float = M_WATER
) -> float:
    """Seconds until the inside partial pressure reaches ``p_target`` (between p_start and p_out)."""
    remaining = (p_out - p_target) / (p_out - p_start) if p_out != p_start else 0.0
    if not 0 < remaining <= 1:
        raise ValueError(
            f"p_target = {p_target:g} Pa is never reached: the inside goes from {p_start:g} Pa towards {p_out:g} Pa"
        )
    rate = leak * conductance_ratio(M_AIR, molar_mass) / (volume * ATM)
    return -math.log(remaining) / rate


def time_to_moisture(ppmv: float, leak: float, volume: float, p_water_out: float, p_total: float = ATM) -> float:
    """Seconds for a dry cavity at ``p_total`` to reach ``ppmv`` water vapour through a leak of standard rate L."""
    return time_to_partial_pressure(ppmv * 1e-6 * p_total, leak, volume, p_water_out)


def permeation_equivalent_leak(conductance: float, temperature: float = STANDARD_TEMPERATURE) -> float:
    """Standard (air) leak rate [Pa m^3/s] whose molecular water flow equals a permeation route's.

    ``conductance`` G in kg/(s Pa) of water vapour (postprocess.leak_paths): L_H2O = G R T P0 / M_H2O,
    L = L_H2O sqrt(M_H2O / M_A).
    """
    l_water = conductance * GAS_CONSTANT * temperature * ATM / (M_WATER * 1e-3)
    return l_water / conductance_ratio(M_AIR, M_WATER)
