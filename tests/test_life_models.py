"""Solder life models against hand computations with the published constants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from postprocess.life import solder
from postprocess.life.constants import DarveauxConstants, EngelmaierConstants, SyedConstants

PSI = 6894.757293168361  # Pa, 1 lbf/in^2
INCH = 0.0254  # m


def test_engelmaier_hand_computation() -> None:
    """IPC-SM-785 form, SnPb: T_sj = 50 C, f = 2 cycles/day, dgamma = 1 %.

    By hand: c = -0.442 - 6e-4 * 50 + 1.74e-2 * ln(3) = -0.472 + 0.0191158539 = -0.4528841462;
    dgamma / (2 eps_f') = 0.01 / 0.65 = 0.0153846154; N_f = 0.5 * 0.0153846154^(1/c) = 5035.12.
    """
    t_sj = 50.0 + 273.15
    f = 2.0 / 86400.0
    assert solder.engelmaier_exponent(t_sj, f) == pytest.approx(-0.4528841462, rel=1e-9)
    assert solder.engelmaier_cycles(0.01, t_sj, f) == pytest.approx(5035.12, rel=1e-5)


def test_engelmaier_with_dnp_strain() -> None:
    """DNP estimate then life: L_D = 10 mm, dalpha = 14 ppm/K, dT = 100 K, h = 0.1 mm, F = 1.

    dgamma = 10e-3 * 14e-6 * 100 / 1e-4 = 0.14. T_sj = 25 C, 24 cycles/day:
    c = -0.442 - 0.015 + 0.0174 ln 25 = -0.4009915606; N_f = 0.5 (0.14/0.65)^(1/c) = 23.0044.
    """
    dg = solder.dnp_shear_strain_range(10e-3, 0.1e-3, 3e-6, 17e-6, 100.0)
    assert dg == pytest.approx(0.14, rel=1e-12)
    assert solder.engelmaier_cycles(dg, 298.15, 24 / 86400) == pytest.approx(23.0044, rel=1e-5)


def test_engelmaier_trends_and_vectorisation() -> None:
    """Life falls with strain, with temperature and at lower frequency; arrays broadcast."""
    n = solder.engelmaier_cycles(np.array([0.005, 0.01, 0.02]), 323.15, 1 / 86400)
    assert np.all(np.diff(n) < 0)
    assert solder.engelmaier_cycles(0.01, 373.15, 1 / 86400) < solder.engelmaier_cycles(0.01, 273.15, 1 / 86400)
    assert solder.engelmaier_cycles(0.01, 323.15, 1 / 86400) < solder.engelmaier_cycles(0.01, 323.15, 100 / 86400)
    assert solder.engelmaier_cycles(0.0, 323.15, 1 / 86400) == math.inf


def test_engelmaier_constants_are_ipc_snpb() -> None:
    k = EngelmaierConstants.from_library()
    assert (k.fatigue_ductility_coefficient, k.c0, k.c_temperature, k.c_frequency) == (0.325, -0.442, -6e-4, 1.74e-2)


def test_dnp_unequal_swings() -> None:
    """|a_s dT_s - a_c dT_c|: a hotter die (power cycling) reduces the mismatch."""
    same = solder.dnp_shear_strain_range(5e-3, 1e-4, 3e-6, 17e-6, 80.0)
    hot_die = solder.dnp_shear_strain_range(5e-3, 1e-4, 3e-6, 17e-6, 100.0, 80.0, factor=0.9)
    assert same == pytest.approx(5e-3 * 14e-6 * 80 / 1e-4)
    assert hot_die == pytest.approx(0.9 * 5e-3 * (17e-6 * 80 - 3e-6 * 100) / 1e-4)


def test_coffin_manson_inverts_the_law() -> None:
    n = solder.coffin_manson_cycles(0.02, 0.325, -0.5)
    assert 0.325 * (2 * n) ** -0.5 == pytest.approx(0.02 / 2, rel=1e-12)
    with pytest.raises(ValueError):
        solder.coffin_manson_cycles(0.02, 0.325, 0.5)
    with pytest.raises(ValueError):
        solder.coffin_manson_cycles(-0.02, 0.325, -0.5)


def test_darveaux_hand_computation_snpb_2000() -> None:
    """Darveaux 2000 (K1 = 22400, K2 = -1.52, K3 = 5.86e-7 in/cycle, K4 = 0.98), dW = 100 psi, a = 0.02 in.

    By hand: N0 = 22400 * 100^-1.52 = 22400 * 10^-3.04 = 20.4290;
    da/dN = 5.86e-7 * 100^0.98 = 5.86e-7 * 10^1.96 = 5.34438e-5 in/cycle;
    growth = 0.02 / 5.34438e-5 = 374.225 cycles; N = 394.654 cycles.
    """
    dw = 100 * PSI
    a = 0.02 * INCH
    assert solder.darveaux_initiation_cycles(dw) == pytest.approx(20.4290, rel=1e-5)
    assert solder.darveaux_crack_growth_rate(dw) == pytest.approx(5.34438e-5 * INCH, rel=1e-5)
    assert solder.darveaux_cycles(dw, a) == pytest.approx(394.654, rel=1e-5)


def test_darveaux_unit_conversion() -> None:
    """SI constants from MPa / mm publications agree with the psi / in form."""
    psi_in = DarveauxConstants.from_published(22400, -1.52, 5.86e-7, 0.98, "psi", "in")
    k1_mpa = 22400 * (1e6 / PSI) ** -1.52  # N0 = K1' dW[MPa]^K2
    mpa_mm = DarveauxConstants.from_published(k1_mpa, -1.52, 5.86e-7 * 25.4 * (1e6 / PSI) ** 0.98, 0.98, "MPa", "mm")
    for got, want in zip(
        (mpa_mm.k1, mpa_mm.k2, mpa_mm.k3, mpa_mm.k4), (psi_in.k1, psi_in.k2, psi_in.k3, psi_in.k4), strict=True
    ):
        assert got == pytest.approx(want, rel=1e-12)


def test_volume_average() -> None:
    assert solder.volume_average([1.0, 3.0], [1.0, 3.0]) == pytest.approx(2.5)
    with pytest.raises(ValueError):
        solder.volume_average([1.0, 3.0], [0.0, 0.0])


def test_syed_hand_computation() -> None:
    """Syed 2004: N = (0.0019 W[MPa])^-1; W = 0.5 MPa gives 1052.63; eps_acc = 0.02 gives 1068.38."""
    assert SyedConstants.from_library().energy_coefficient == pytest.approx(1.9e-9, rel=1e-12)
    assert solder.syed_energy_cycles(0.5e6) == pytest.approx(1 / (0.0019 * 0.5), rel=1e-12)
    assert solder.syed_energy_cycles(0.5e6) == pytest.approx(1052.63, rel=1e-5)
    assert solder.syed_creep_strain_cycles(0.02) == pytest.approx(1068.38, rel=1e-5)


def test_morrow() -> None:
    """N = (W/W_f)^(1/m): W_f = 50 MJ/m^3, m = -0.7, W = 0.5 MJ/m^3 -> 100^(1/0.7) = 719.69."""
    assert solder.morrow_cycles(0.5e6, 50e6, -0.7) == pytest.approx(719.686, rel=1e-5)
    with pytest.raises(ValueError):
        solder.morrow_cycles(0.5e6, 50e6, 0.7)
