"""The moisture models' cavity rise as a MIL-STD-883 TM1014 equivalent standard leak rate, with its reject limit.

A helium fine-leak test measures R1 and converts it (Howl-Mann, :func:`postprocess.gas_leak.standard_leak_rate`)
into the equivalent standard leak rate L (atm cm^3/s of dry air at 25 C, 1 atm to vacuum), rejected above
a limit that depends on the cavity volume. This module goes the other way, so that a user can put a
helium result next to the diffusion model:

* from the diffusion model's fitted cavity time constant tau (RH/RH_amb = 1 - exp(-t/tau),
  :func:`postprocess.cavity_humidity.fit_time_constant`): a molecular leak fills a cavity of volume V
  with water vapour as p(t) = p_out (1 - exp(-L_H2O t / (V P0))), L_H2O = L sqrt(M_A / M_H2O)
  (:func:`postprocess.gas_leak.partial_pressure`), so the same rise needs

      L_tau = V P0 sqrt(M_H2O / M_A) / tau;

* from the leak-path conductance G [kg/(s Pa)] of the routes reaching the volume's walls (full package):
  the molecular leak carrying the same water flux, L_G = G R T P0 / M_H2O sqrt(M_H2O / M_A)
  (:func:`postprocess.gas_leak.permeation_equivalent_leak`), and the quasi-steady time constant of a
  storage-free wall, tau_G = V P0 / L_H2O = V M_H2O / (G R T) (equal to tau when the polymer stores
  no water, i.e. when the cavity fills slowly compared with the route's time lag L^2 / (6 D));
* the TM1014 reject limit of L for V (test condition A2, :func:`postprocess.gas_leak.reject_limit`) and,
  for a fixed-method (A1) reading, the helium rate R1 that L_tau would show under the A1 bombing
  conditions of V (longest allowed dwell) next to the A1 reject R1, and whether L_tau lies above the
  peak of R1(L) (a gross leak: the helium escapes before the reading, TM1014 condition C must find it).

Assumptions (state them with the numbers):
 1. The cavity rise is one exponential (Tencer, ECTC 1994); the fitted tau of a thick polymer wall
    includes its storage and time lag, which a molecular leak does not have: L_tau is the leak that
    gives the same moisture rise, not a flow a helium test would see.
 2. Molecular (Knudsen) flow, each gas independent: the fine-leak regime of TM1014.
 3. L is defined at 25 C; the sqrt(T) rise of a molecular conductance between 25 C and the exposure
    temperature T is neglected (10 % at 85 C, 16 % at 130 C); G and tau are at T.
 4. V is the full package's gas volume (modelled volume x symmetry copies); wall-group conductances
    are full-package sums.
 5. Permeation through a polymer is not a leak: helium also permeates polymers, so a fine-leak reading
    of a polymer-sealed package is mostly helium permeation; the comparison is for orientation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from postprocess.gas_leak import (
    ATM,
    ATM_CC_PER_S,
    M_AIR,
    M_WATER,
    conductance_ratio,
    fixed_condition,
    measured_rate,
    peak_measured_rate,
    permeation_equivalent_leak,
    reject_limit,
)


def leak_from_time_constant(time_constant: float, volume: float, p0: float = ATM) -> float:
    """Standard (air) leak rate [Pa m^3/s] whose molecular water exchange fills ``volume`` with ``time_constant``."""
    if time_constant <= 0 or volume <= 0:
        raise ValueError(f"time constant {time_constant:g} s and volume {volume:g} m^3 must be positive")
    return volume * p0 / (time_constant * conductance_ratio(M_AIR, M_WATER))


def time_constant_of_leak(leak: float, volume: float, p0: float = ATM) -> float:
    """Time constant [s] of the water-vapour rise in ``volume`` through a leak of standard rate ``leak`` [Pa m^3/s]."""
    return volume * p0 / (leak * conductance_ratio(M_AIR, M_WATER))


@dataclass(frozen=True)
class LeakEquivalence:
    """The TM1014 view of one gas volume's moisture ingress (SI: m^3, s, Pa m^3/s)."""

    volume: float
    reject_limit: float
    leak_from_time_constant: float | None
    leak_from_conductance: float | None
    time_constant_from_conductance: float | None
    helium_reading_fixed_method: float | None
    reject_reading_fixed_method: float | None
    gross_leak: bool | None  # L_tau above the peak of R1(L) under the fixed-method conditions

    def as_dict(self) -> dict[str, Any]:
        """Summary row in the standard's units (atm cm^3/s)."""

        def cc(x: float | None) -> float | None:
            return None if x is None else x / ATM_CC_PER_S

        exceeds = None if self.leak_from_time_constant is None else self.leak_from_time_constant > self.reject_limit
        return {
            "volume_m3": self.volume,
            "reject_limit_atm_cm3_per_s": cc(self.reject_limit),
            "equivalent_leak_from_time_constant_atm_cm3_per_s": cc(self.leak_from_time_constant),
            "equivalent_leak_from_conductance_atm_cm3_per_s": cc(self.leak_from_conductance),
            "time_constant_from_conductance_s": self.time_constant_from_conductance,
            "exceeds_reject_limit": exceeds,
            "helium_reading_fixed_method_atm_cm3_per_s": cc(self.helium_reading_fixed_method),
            "helium_reject_fixed_method_atm_cm3_per_s": cc(self.reject_reading_fixed_method),
            "gross_leak_for_fixed_method": self.gross_leak,
        }


def tm1014_equivalence(
    volume: float, time_constant: float | None, conductance: float | None, temperature: float
) -> LeakEquivalence:
    """The equivalences of the module docstring for a gas volume of ``volume`` m^3 (full package).

    ``time_constant``: the diffusion model's fitted tau [s] (None: no rise); ``conductance``: leak-path
    G [kg/(s Pa)] into this volume (None: not analysed, 0: no route); ``temperature``: exposure T [K].
    """
    l_tau = leak_from_time_constant(time_constant, volume) if time_constant else None
    l_g = permeation_equivalent_leak(conductance, temperature) if conductance is not None else None
    tau_g = time_constant_of_leak(l_g, volume) if l_g else None
    reading = reject_r1 = None
    gross = None
    try:
        row = fixed_condition(volume)
    except ValueError:  # above 20 cm^3: no fixed-method row
        row = None
    if row is not None:
        reject_r1 = row.reject_r1
        if l_tau is not None:
            conditions = (row.bomb_pressure, row.bomb_time_min, row.dwell_max, volume)
            reading = measured_rate(l_tau, *conditions)
            gross = l_tau > peak_measured_rate(*conditions)[0]
    return LeakEquivalence(volume, reject_limit(volume), l_tau, l_g, tau_g, reading, reject_r1, gross)
