"""Water vapour: saturation pressure over liquid water and vapour density (ideal gas).

Saturation pressure: Wagner and Pruss, "International equations for the saturation properties of
ordinary water substance. Revised according to the International Temperature Scale of 1990",
J. Phys. Chem. Ref. Data 22 (1993) 783 (the IAPWS supplementary release on saturation properties):

    ln(p_sat / p_c) = (T_c / T) (a1 t + a2 t^1.5 + a3 t^3 + a4 t^3.5 + a5 t^4 + a6 t^7.5),  t = 1 - T / T_c,

valid from the triple point (273.16 K) to the critical point; below 0 C it is used for supercooled
water (the dew point of humid air over a surface that stays liquid), not over ice.
Vapour density rho_v = RH p_sat(T) / (R_v T), R_v = R / M_w (ideal gas: water vapour at these partial
pressures deviates from it by well under 1 %, less than the uncertainty of any polymer datum).
"""

from __future__ import annotations

import math

import numpy as np

GAS_CONSTANT = 8.314462618
"""Molar gas constant R in J/(mol K) (CODATA 2018, exact)."""
MOLAR_MASS_WATER = 0.018015268
"""Molar mass of water in kg/mol (IAPWS-95)."""
R_VAPOUR = GAS_CONSTANT / MOLAR_MASS_WATER
"""Specific gas constant of water vapour, 461.52 J/(kg K)."""

T_CRITICAL = 647.096  # K
P_CRITICAL = 22.064e6  # Pa
_A = (-7.85951783, 1.84408259, -11.7866497, 22.6807411, -15.9618719, 1.80122502)
_EXP = (1.0, 1.5, 3.0, 3.5, 4.0, 7.5)


def saturation_pressure(temperature: float | np.ndarray) -> float | np.ndarray:
    """Saturation vapour pressure over liquid water in Pa at ``temperature`` (K), 200 K < T < T_c."""
    t_arr = np.asarray(temperature, dtype=float)
    if np.any(t_arr <= 200.0) or np.any(t_arr >= T_CRITICAL):
        raise ValueError(f"saturation pressure: temperature {temperature} K outside 200 K - {T_CRITICAL} K")
    tau = 1.0 - t_arr / T_CRITICAL
    series = sum(a * tau**e for a, e in zip(_A, _EXP, strict=True))
    p = P_CRITICAL * np.exp(T_CRITICAL / t_arr * series)
    return float(p) if np.ndim(p) == 0 else p


def saturated_vapour_density(temperature: float) -> float:
    """Mass of water vapour per m^3 of gas at saturation (kg/m^3), ideal gas."""
    return float(saturation_pressure(temperature)) / (R_VAPOUR * temperature)


def vapour_density(relative_humidity: float, temperature: float) -> float:
    """Water vapour density rho_v = RH p_sat(T) / (R_v T) in kg/m^3 (RH as a fraction)."""
    return relative_humidity * saturated_vapour_density(temperature)


def dew_point(vapour_density_kg_m3: float, temperature_guess: float = 300.0) -> float:
    """Temperature (K) at which ``vapour_density_kg_m3`` is saturated (Newton on ln rho_sat)."""
    if vapour_density_kg_m3 <= 0:
        return 0.0
    t = temperature_guess
    for _ in range(60):
        f = math.log(saturated_vapour_density(t)) - math.log(vapour_density_kg_m3)
        h = 1e-3
        df = (math.log(saturated_vapour_density(t + h)) - math.log(saturated_vapour_density(t - h))) / (2 * h)
        step = f / df
        t = min(max(t - step, 201.0), T_CRITICAL - 1.0)
        if abs(step) < 1e-9:
            break
    return t
