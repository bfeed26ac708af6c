"""Which mechanics formulation a case needs: displacement-only, or mixed u-p where materials are nearly incompressible.

The displacement formulation locks as nu -> 1/2: the volumetric stiffness K grows without
bound against the shear modulus G, K/G = 2 (1 + nu) / (3 (1 - 2 nu)) (49.7 at nu = 0.49,
4999 at 0.4999). ``[solver] formulation = "auto"`` takes the mixed formulation
(:mod:`solvers.mixed_thermoelastic`) when any material of the model has a Poisson ratio
above ``[solver] incompressible_poisson_ratio`` at any step temperature (its property
table may rise towards 1/2 when a fusible metal melts), else the displacement one. An inelastic
run (:mod:`solvers.inelastic.mixed_problem`) also takes it when a material's constitutive model
melts within the temperature range (the phase-change law keeps K and releases the shear).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from fem_package.case.solver import SolverSettings
from fem_package.materials import Material
from solvers.constitutive.base import ConstitutiveModel
from solvers.inelastic.mixed_problem import melting
from solvers.mechanics_problem import ProblemFactory
from solvers.mixed_thermoelastic import MixedThermoelasticProblem
from solvers.thermoelastic import ThermoelasticProblem


def max_poisson_ratio(materials: Iterable[Material], temperatures: Iterable[float]) -> float:
    """Largest Poisson ratio of the materials at the given temperatures (K) and at their table points within them."""
    t = np.asarray(list(temperatures), dtype=float)
    largest = 0.0
    for m in materials:
        prop = m["poisson_ratio"]
        inside = prop.temperatures[(prop.temperatures >= t.min()) & (prop.temperatures <= t.max())]
        largest = max(largest, float(prop.at(np.concatenate((t, inside))).max()))
    return largest


def choose_formulation(settings: SolverSettings, materials: Iterable[Material], temperatures: Iterable[float]) -> str:
    """'displacement' or 'mixed' for ``settings.formulation`` (auto decides by the largest Poisson ratio)."""
    if settings.formulation != "auto":
        return settings.formulation
    nearly_incompressible = max_poisson_ratio(materials, temperatures) > settings.incompressible_poisson_ratio
    return "mixed" if nearly_incompressible else "displacement"


def choose_inelastic_formulation(
    settings: SolverSettings,
    materials: Iterable[Material],
    temperatures: Iterable[float],
    models: Callable[[Material], ConstitutiveModel],
) -> str:
    """:func:`choose_formulation` of an inelastic run: auto also takes 'mixed' when a material's model melts
    (the phase-change law: bulk modulus kept, shear released) anywhere in the temperature range."""
    materials, temperatures = list(materials), list(temperatures)
    if choose_formulation(settings, materials, temperatures) == "mixed":
        return "mixed"
    if settings.formulation != "auto":
        return settings.formulation
    hottest = np.array([max(temperatures)])
    return "mixed" if any(melting(models(m), hottest)[0] for m in materials) else "displacement"


def problem_class(formulation: str) -> ProblemFactory:
    """The mechanics problem class of a formulation name."""
    return MixedThermoelasticProblem if formulation == "mixed" else ThermoelasticProblem
