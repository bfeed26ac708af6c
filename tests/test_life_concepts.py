"""Concept ranking: fusible masses in gel (WO 97/40958) against the solder-bump baseline, same die and cycle.

Both examples are shrunk to the same 2 x 2 mm die, one perimeter row at 500 um pitch, the same
JESD22-A104 G cycle, coarse P1 meshes, with [life] on (Engelmaier on the interface-layer shear
strain range: an elastic run).

What the elastic model can and cannot show:

- Comparable lives: both concepts give finite critical-joint lives within a factor of 10 of each
  other, so the concepts can be ranked on one scale (asserted).
- The text's claim (WO 97/40958: the masses are liquid in service, so the connection does not fatigue)
  shows in the load a mass carries: the gel decouples die and sheet, and the masses carry a small
  fraction of the volume-averaged stress of underfilled solder bumps (asserted: < 1/3).
- "Liquid masses strain far less than solid bumps" is NOT reproduced: the elastic solver gives the
  masses their solid-state properties (the example's note) inside a soft gel without underfill, and
  their interface shear strain range comes out *larger* than the underfilled bumps' (0.0062 vs 0.0044
  on this mesh). Showing the liquid state needs the inelastic run with the phase-change model
  (melting above the solidus); that order assertion is kept as a strict xfail so it reports the day
  the model reproduces it.

Inelastic run with the melting law (indalloy_117 ``phase_change``, beta = 0 REPRESENTATIVE; mixed u-p
P2/P1 picked by ``formulation = "auto"``; the life stage counts a fusible joint's drivers over its
solid phase only, :mod:`postprocess.life.solid_phase`, unit-tested in ``test_life_solid_phase.py``):
not in this file because it does not fit the test budget. Measured (2026-11, shared 2 cores): the
2 x 2 mm die above is 34k cells, ~25 s per MUMPS factorization, > 8 min for the first step of
cycle 1; a 1 x 1 mm die (full 2 x 2 array at 500 um pitch, 11.8k cells, 51k dofs, 2 steps per ramp,
one increment per step) solves the heat-up melt (25 -> 75 -> 125 C), the freeze and the cold half;
with a step in G at solidus = liquidus the re-melting increment stagnated down to min_step ("residual
7.2e-02 > 0.5 x 1.1e-01"). Since the eutectic melts over the 1 K below 47 C (numerical mushy zone) the
whole cycle converges (re-melt: 3, 2, 1, 1 Newton iterations through 46-47 C, 4 from 47 to 125 C; about
35 min serial on the loaded machine, far beyond the test budget): the masses' solid-phase shear strain
range is 0.00099 (liquid 47 % of the cycle), 0.30 x the elastic SAC305 bump's below. The order the text
predicts is thus reproduced by that run, not by this file's elastic fixture, so the assertion here
stays a strict xfail. The SAC305
bump of that 1 x 1 mm die (elastic, P1, 10 s): shear strain range 0.00330, Engelmaier N = 2.73e5.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_case
from tests.test_life_stage import coarse_case


@pytest.fixture(scope="module")
def concepts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("concepts")
    return {
        name: run_case(coarse_case(name), Path(root) / name) for name in ("solder_bump_baseline", "liquid_metal_gel")
    }


def _critical(summary: dict[str, Any]) -> dict[str, Any]:
    return min(summary["life"]["joints"], key=lambda j: j["cycles_to_failure"])


@pytest.mark.slow
def test_concepts_give_comparable_lives(concepts: dict[str, dict[str, Any]]) -> None:
    bump = _critical(concepts["solder_bump_baseline"])
    mass = _critical(concepts["liquid_metal_gel"])
    for j in (bump, mass):
        assert 1e3 < j["cycles_to_failure"] < 1e8
    ratio = bump["cycles_to_failure"] / mass["cycles_to_failure"]
    assert 0.1 < ratio < 10.0
    assert concepts["liquid_metal_gel"]["life"]["weibull"]["B10"] > 0


@pytest.mark.slow
def test_fusible_masses_carry_far_less_stress_than_underfilled_bumps(concepts: dict[str, dict[str, Any]]) -> None:
    bump = max(j["mean_von_mises"] for j in concepts["solder_bump_baseline"]["joints"])
    mass = max(j["mean_von_mises"] for j in concepts["liquid_metal_gel"]["joints"])
    assert mass < bump / 3.0


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="elastic run: masses keep solid-state properties (see module docstring)")
def test_liquid_masses_strain_far_less_than_solder_bumps(concepts: dict[str, dict[str, Any]]) -> None:
    bump = _critical(concepts["solder_bump_baseline"])["shear_strain_range"]
    mass = _critical(concepts["liquid_metal_gel"])["shear_strain_range"]
    assert mass < bump / 3.0
