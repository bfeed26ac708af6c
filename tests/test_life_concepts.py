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

The order with the melting law (``test_molten_masses_strain_far_less_than_solder_bumps_in_the_inelastic_cycle``):
a 1 x 1 mm die (2 x 2 joints at 500 um, quarter) so it fits the budget, both concepts inelastic over one
-40/125 C cycle: Anand SAC305 bumps under underfill; Indalloy 117 masses with the ``phase_change`` law
(beta = 0 REPRESENTATIVE), mixed u-p P2/P1 picked by ``formulation = "auto"``, fatigue counted over the
solid phase only (:mod:`postprocess.life.solid_phase`). The 2 x 2 mm die above would take > 8 min per
step with MUMPS. Re-melting the eutectic masses stagnated down to min_step while the law had a step in
G at solidus = liquidus; it converges since the eutectic melts over the 1 K below 47 C (re-melt: 3, 2,
1, 1 Newton iterations through 46-47 C). Measured there: masses' solid-phase shear strain range 0.00101
(liquid 47 % of the cycle), bumps 0.00457. The elastic order assertion above stays a strict xfail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fem_package.case import validate_case
from tests.conftest import run_case
from tests.test_life_stage import coarse_case, coarse_raw


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


def small_die_cycle(geometry: str) -> Any:
    """``geometry``'s example on a 1 x 1 mm die (2 x 2 joints at 500 um, quarter), inelastic, one -40/125 C cycle."""
    raw = coarse_raw(geometry)
    raw["geometry"].update(
        {
            "die_length": "1 mm",
            "die_width": "1 mm",
            "substrate_length": "1.5 mm",
            "substrate_width": "1.5 mm",
            "array": "full",
            "symmetry": "quarter",
        }
    )
    raw["load"]["steps_per_ramp"] = 2
    inelastic = {"substeps_per_ramp": 1, "phase_change_substeps": 2, "max_cycles": 1}
    raw["solver"] = {"degree": 1, "physics": "inelastic", "inelastic": inelastic}
    return validate_case(raw)


@pytest.mark.slow
def test_molten_masses_strain_far_less_than_solder_bumps_in_the_inelastic_cycle(tmp_path: Path) -> None:
    """The text's order, with the melting law: Indalloy 117 masses in gel vs underfilled SAC305 bumps.

    Same 1 x 1 mm die and -40/125 C cycle. The masses melt at 47 C (liquid 47 % of the cycle) and
    fatigue only while solid (:mod:`postprocess.life.solid_phase`); the bumps creep (Anand) all cycle.
    Measured (2026-11): masses' solid-phase shear strain range 0.00101, bumps 0.00457 (0.22 x). With
    the masses kept solid (the elastic fixture above) they strain more than the bumps (0.0062 vs 0.0044).
    """
    bump = _critical(run_case(small_die_cycle("solder_bump_baseline"), tmp_path / "bump"))
    masses = run_case(small_die_cycle("liquid_metal_gel"), tmp_path / "mass")
    mass = _critical(masses)
    ranges = mass["shear_strain_range"], bump["shear_strain_range"]
    print(f"shear strain range: masses (solid phase) {ranges[0]:.5f}, bumps {ranges[1]:.5f}")
    assert masses["run"]["formulation"] == "mixed"
    assert 0.4 < mass["liquid_fraction_of_cycle"] < 0.55  # liquid above 46-47 C of -40..125 C
    assert mass["shear_strain_range"] < bump["shear_strain_range"] / 3.0
