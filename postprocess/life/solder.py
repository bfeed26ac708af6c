"""Solder-joint fatigue models: Coffin-Manson, Engelmaier (IPC-SM-785), Darveaux, Syed, Morrow.

All inputs are SI: strains dimensionless, energy densities in J/m^3 (= Pa), lengths in m,
temperatures in K, frequencies in Hz. Every function accepts scalars or numpy arrays
(broadcast) and returns a float for scalar input. Published constants come from
``fem_package/data/life_models.toml`` through :mod:`postprocess.life.constants`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from fem_package.units import ZERO_CELSIUS
from postprocess.life._arrays import FloatArray, as_float_array, non_negative, positive, scalar_or_array
from postprocess.life.constants import DarveauxConstants, EngelmaierConstants, SyedConstants

SECONDS_PER_DAY = 86400.0


def _power_life(driver: FloatArray, coefficient: float, exponent: float | FloatArray) -> FloatArray:
    """coefficient * driver^exponent with driver = 0 giving infinite life (exponent < 0)."""
    with np.errstate(divide="ignore"):
        return np.where(driver > 0, coefficient * np.power(np.where(driver > 0, driver, 1.0), exponent), np.inf)


def coffin_manson_cycles(
    plastic_strain_range: ArrayLike, fatigue_ductility_coefficient: float, fatigue_ductility_exponent: float
) -> Any:
    """Cycles to failure from the Coffin-Manson law  d(eps_p)/2 = eps_f' (2 N)^c.

    N = 0.5 (d(eps_p) / (2 eps_f'))^(1/c). The same form holds for shear (dgamma_p, gamma_f').

    Args:
        plastic_strain_range: plastic (or inelastic) strain range per cycle, >= 0 (0 gives inf).
        fatigue_ductility_coefficient: eps_f' > 0.
        fatigue_ductility_exponent: c < 0.
    """
    d = non_negative(plastic_strain_range, "plastic_strain_range")
    if fatigue_ductility_coefficient <= 0:
        raise ValueError(f"fatigue_ductility_coefficient must be > 0, got {fatigue_ductility_coefficient}")
    if fatigue_ductility_exponent >= 0:
        raise ValueError(f"fatigue_ductility_exponent must be < 0, got {fatigue_ductility_exponent}")
    return scalar_or_array(
        0.5 * _power_life(d / (2.0 * fatigue_ductility_coefficient), 1.0, 1.0 / fatigue_ductility_exponent)
    )


def engelmaier_exponent(
    mean_temperature: ArrayLike, frequency: ArrayLike, constants: EngelmaierConstants | None = None
) -> Any:
    """Engelmaier's fatigue ductility exponent c = -0.442 - 6e-4 T_sj + 1.74e-2 ln(1 + f).

    Args:
        mean_temperature: mean cyclic solder-joint temperature T_sj in K (converted to C for the fit).
        frequency: cyclic frequency in Hz (converted to cycles per day for the fit), > 0.
        constants: defaults to the IPC-SM-785 SnPb constants of ``life_models.toml``.
    """
    k = constants or EngelmaierConstants.from_library()
    t_c = as_float_array(mean_temperature, "mean_temperature") - ZERO_CELSIUS
    per_day = positive(frequency, "frequency") * SECONDS_PER_DAY
    c = k.c0 + k.c_temperature * t_c + k.c_frequency * np.log1p(per_day)
    if np.any(c >= 0):
        raise ValueError(f"Engelmaier exponent c = {c} is not negative: outside the model's range")
    return scalar_or_array(c)


def engelmaier_cycles(
    shear_strain_range: ArrayLike,
    mean_temperature: ArrayLike,
    frequency: ArrayLike,
    constants: EngelmaierConstants | None = None,
) -> Any:
    """Median cycles to failure N_f = 0.5 (dgamma / (2 eps_f'))^(1/c) (IPC-SM-785, IPC-9701).

    Args:
        shear_strain_range: cyclic (total) engineering shear strain range dgamma, >= 0
            (e.g. :func:`dnp_shear_strain_range` or flipstack's joint ``shear_strain_range``).
        mean_temperature: mean cyclic solder joint temperature T_sj in K.
        frequency: cycles per second (Hz); 1 cycle/day = 1/86400 Hz.
        constants: defaults to SnPb (eps_f' = 0.325).
    """
    k = constants or EngelmaierConstants.from_library()
    dg = non_negative(shear_strain_range, "shear_strain_range")
    c = np.asarray(engelmaier_exponent(mean_temperature, frequency, k))
    return scalar_or_array(0.5 * _power_life(dg / (2.0 * k.fatigue_ductility_coefficient), 1.0, 1.0 / c))


def dnp_shear_strain_range(
    dnp: ArrayLike,
    standoff_height: ArrayLike,
    cte_component: float,
    cte_substrate: float,
    temperature_range_component: float,
    temperature_range_substrate: float | None = None,
    factor: float = 1.0,
) -> Any:
    """Analytic cyclic shear strain of a joint, dgamma = F L_D |a_s dT_s - a_c dT_c| / h.

    For equal temperature swings this is F L_D dalpha dT / h (IPC-SM-785, Engelmaier). F is the
    empirical non-ideal factor (1 for the ideal leadless case); a cross-check of the FE
    ``shear_strain_range``, not a replacement for it (it ignores warpage and joint shape).

    Args:
        dnp: distance from the neutral point L_D in m.
        standoff_height: joint height h in m, > 0.
        cte_component, cte_substrate: CTEs in 1/K.
        temperature_range_component: cyclic temperature swing of the component in K.
        temperature_range_substrate: of the substrate; defaults to the component's.
        factor: F.
    """
    h = positive(standoff_height, "standoff_height")
    ld = non_negative(dnp, "dnp")
    dt_s = temperature_range_component if temperature_range_substrate is None else temperature_range_substrate
    mismatch = abs(cte_substrate * dt_s - cte_component * temperature_range_component)
    return scalar_or_array(factor * ld * mismatch / h)


def volume_average(values: ArrayLike, volumes: ArrayLike) -> float:
    """Volume-weighted average sum(v_i V_i) / sum(V_i), e.g. Darveaux's dW over the interface layer."""
    v = as_float_array(values, "values")
    w = non_negative(volumes, "volumes")
    if v.shape != w.shape:
        raise ValueError(f"values and volumes differ in shape: {v.shape} vs {w.shape}")
    total = float(np.sum(w))
    if total <= 0:
        raise ValueError("volumes sum to zero")
    return float(np.sum(v * w) / total)


def darveaux_initiation_cycles(energy_density_range: ArrayLike, constants: DarveauxConstants | None = None) -> Any:
    """Cycles to crack initiation N0 = K1 dW^K2 (dW volume-averaged per cycle, J/m^3)."""
    k = constants or DarveauxConstants.from_library()
    dw = non_negative(energy_density_range, "energy_density_range")
    return scalar_or_array(_power_life(dw, k.k1, k.k2))


def darveaux_crack_growth_rate(energy_density_range: ArrayLike, constants: DarveauxConstants | None = None) -> Any:
    """Crack growth rate da/dN = K3 dW^K4 in m/cycle."""
    k = constants or DarveauxConstants.from_library()
    dw = non_negative(energy_density_range, "energy_density_range")
    return scalar_or_array(k.k3 * np.power(dw, k.k4))


def darveaux_cycles(
    energy_density_range: ArrayLike, crack_length: ArrayLike, constants: DarveauxConstants | None = None
) -> Any:
    """Darveaux life N = N0 + a / (da/dN): initiation plus growth across the length a.

    Args:
        energy_density_range: volume-averaged viscoplastic work per cycle dW in J/m^3 over the
            interface element layer the constants were fitted with (see ``applies_to`` in the data).
        crack_length: characteristic crack length a in m (usually the pad diameter at the interface).
        constants: defaults to Darveaux 2000 SnPb.
    """
    k = constants or DarveauxConstants.from_library()
    dw = non_negative(energy_density_range, "energy_density_range")
    a = positive(crack_length, "crack_length")
    n0 = np.asarray(darveaux_initiation_cycles(dw, k))
    with np.errstate(divide="ignore"):
        growth = np.where(dw > 0, a / np.where(dw > 0, k.k3 * np.power(dw, k.k4), 1.0), np.inf)
    return scalar_or_array(n0 + growth)


def syed_energy_cycles(accumulated_creep_energy_density: ArrayLike, constants: SyedConstants | None = None) -> Any:
    """Syed (2004): N = (C' W_acc)^-1, W_acc the accumulated creep energy density per cycle in J/m^3."""
    k = constants or SyedConstants.from_library()
    w = non_negative(accumulated_creep_energy_density, "accumulated_creep_energy_density")
    return scalar_or_array(_power_life(w, 1.0 / k.energy_coefficient, -1.0))


def syed_creep_strain_cycles(accumulated_creep_strain: ArrayLike, constants: SyedConstants | None = None) -> Any:
    """Syed (2004): N = (C eps_acc)^-1, eps_acc the accumulated equivalent creep strain per cycle."""
    k = constants or SyedConstants.from_library()
    e = non_negative(accumulated_creep_strain, "accumulated_creep_strain")
    return scalar_or_array(_power_life(e, 1.0 / k.creep_strain_coefficient, -1.0))


def morrow_cycles(energy_density: ArrayLike, fatigue_energy_coefficient: float, exponent: float) -> Any:
    """Morrow's energy law W = W_f N^m solved for N: N = (W / W_f)^(1/m).

    Args:
        energy_density: inelastic (hysteresis) energy density per cycle W in J/m^3.
        fatigue_energy_coefficient: W_f in J/m^3, > 0.
        exponent: m < 0 (the fatigue exponent of the user's fit).
    """
    w = non_negative(energy_density, "energy_density")
    if fatigue_energy_coefficient <= 0:
        raise ValueError(f"fatigue_energy_coefficient must be > 0, got {fatigue_energy_coefficient}")
    if exponent >= 0:
        raise ValueError(f"exponent must be < 0, got {exponent}")
    return scalar_or_array(_power_life(w / fatigue_energy_coefficient, 1.0, 1.0 / exponent))
