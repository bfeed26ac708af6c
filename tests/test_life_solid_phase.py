"""Solid-phase-only fatigue drivers of fusible joints (:mod:`postprocess.life.solid_phase`), synthetic data.

Hand computation for the cycle 125 C -> -40 C -> 125 C in 6 equal steps of 300 s, started from
125 C, solidus 47 C (Indalloy 117):

    steps  T [C]:  70   15  -40   15   70  125      solid (T <= 47 C): steps 1, 2, 3
    gamma_xz:     9.0  0.1  0.4  0.3  7.0  5.0      (liquid steps carry large, meaningless strains)

Solid range = max |gamma_a - gamma_b| over steps 1..3 = 0.4 - 0.1 = 0.3 (the all-step range would be
9.0 - 0.1 = 8.9). Liquid time: above 47 C from 125 C down to 47 C and from 47 C up to 125 C, i.e.
78/165 of each half cycle: liquid fraction 78/165 = 0.47273.
"""

from __future__ import annotations

import numpy as np
import pytest

from fem_package.case import CaseError, validate_case
from postprocess.life.solid_phase import liquid_time_fraction, solid_phase, solid_stretches
from tests.test_life_stage import coarse_case

K = 273.15
SOLIDUS = 47.0 + K


def _cycle() -> tuple[np.ndarray, np.ndarray]:
    t = 300.0 * np.arange(1, 7)
    T = np.array([70.0, 15.0, -40.0, 15.0, 70.0, 125.0]) + K
    return t, T


def test_solid_phase_range_and_liquid_fraction_by_hand() -> None:
    t, T = _cycle()
    sp = solid_phase(t, T, SOLIDUS, start=(0.0, 125.0 + K))
    assert [s.tolist() for s in sp.stretches] == [[1, 2, 3]]
    assert sp.solid_steps == 3 and sp.fatigues
    assert sp.liquid_fraction == pytest.approx(78.0 / 165.0, rel=1e-12)
    gamma = np.zeros((6, 2, 2))  # (steps, 2 interfaces, xz/yz)
    gamma[:, 0, 0] = [9.0, 0.1, 0.4, 0.3, 7.0, 5.0]
    gamma[:, 1, 1] = [1.0, 0.02, -0.02, 0.0, 3.0, 2.0]  # top interface, yz: range 0.04
    r = sp.range_of(gamma)
    assert r == pytest.approx([0.3, 0.04], rel=1e-12)
    # the all-step range the elastic rule would take
    assert np.linalg.norm(gamma[:, None, 0] - gamma[None, :, 0], axis=-1).max() == pytest.approx(8.9)


def test_liquid_over_the_cycle_gives_no_fatigue() -> None:
    t, T = _cycle()
    # galinstan-like solidus -19 C: solid only at the -40 C step, one step -> no strain range in the solid
    sp = solid_phase(t, T, -19.0 + K, start=(0.0, 125.0 + K))
    assert sp.solid_steps == 1 and not sp.fatigues
    assert sp.liquid_fraction == pytest.approx(1.0 - 2 * 21.0 / 165.0 / 2.0, rel=1e-12)
    assert np.all(np.isnan(sp.range_of(np.ones((6, 2, 2)))))
    hot = solid_phase(t, T + 200.0, SOLIDUS)
    assert hot.solid_steps == 0 and not hot.fatigues and hot.liquid_fraction == 1.0


def test_stretches_join_across_the_cycle_boundary_and_split_at_a_melt() -> None:
    solid = np.array([True, True, False, False, True, False, True])
    assert [s.tolist() for s in solid_stretches(solid)] == [[6, 0, 1], [4]]
    # two melts in a cycle: the range is the larger of the two solid lives, never across a melt
    sp = solid_phase(np.arange(7.0), np.where(solid, 0.0, 400.0), SOLIDUS)
    x = np.array([0.0, 1.0, 50.0, 50.0, 10.0, 60.0, 0.5])[:, None, None] * np.ones((1, 1, 1))
    assert sp.range_of(x) == pytest.approx([1.0])  # stretch {6, 0, 1}: 1.0 - 0.0; {4} alone has no range
    assert liquid_time_fraction(np.array([0.0, 1.0, 2.0]), np.array([0.0, 100.0, 0.0]), 50.0) == pytest.approx(0.5)


def test_energy_model_for_a_fusible_joint_is_refused_by_case_validation() -> None:
    """Syed's energy for a role with a phase_change law would count melt/freeze work: bad input (exit code 2)."""
    raw = coarse_case("liquid_metal_gel").model_dump(mode="json")
    raw["solver"] = {"physics": "inelastic"}
    raw["life"]["models"] = {"mass": "syed_energy"}
    with pytest.raises(
        CaseError,
        match=r"life\.models\.mass = 'syed_energy': role 'mass' is fusible \(indalloy_117.*"
        r"allowed: auto, engelmaier, ipc_tr579",
    ):
        validate_case(raw)
    raw["solver"] = {"physics": "elastic"}  # an elastic run keeps the masses solid: any model
    validate_case(raw)
    raw["solver"], raw["life"]["models"] = {"physics": "inelastic"}, {"mass": "engelmaier"}
    validate_case(raw)
