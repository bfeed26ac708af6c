"""Which constitutive model a material gets in an inelastic run.

The law comes from ``fem_package/data/constitutive.toml`` (:func:`fem_package.constitutive_data.law_for`):
``anand`` -> :class:`~solvers.constitutive.anand.Anand`, ``j2`` ->
:class:`~solvers.constitutive.j2_plasticity.J2Plasticity`, ``prony`` ->
:class:`~solvers.constitutive.viscoelastic.PronyViscoelastic`, ``phase_change`` ->
:class:`~solvers.constitutive.phase_change.PhaseChange`. A material whose data give no inelastic
law is linear elastic with its temperature-dependent E(T), nu(T)
(:class:`solvers.constitutive.base.LinearElastic`).
"""

from __future__ import annotations

from fem_package.constitutive_data import (
    AnandParameters,
    J2Parameters,
    LawParameters,
    PhaseChangeParameters,
    PronyParameters,
    law_for,
)
from fem_package.materials import Material
from solvers.constitutive.anand import Anand
from solvers.constitutive.base import ConstitutiveModel, LinearElastic
from solvers.constitutive.j2_plasticity import J2Plasticity
from solvers.constitutive.phase_change import PhaseChange
from solvers.constitutive.viscoelastic import PronyViscoelastic


def model_from(material: Material, params: LawParameters | None) -> ConstitutiveModel:
    """The model of ``material`` with the given law parameters (None: linear elastic)."""
    if isinstance(params, AnandParameters):
        return Anand(material, params)
    if isinstance(params, J2Parameters):
        return J2Plasticity(material, params)
    if isinstance(params, PronyParameters):
        return PronyViscoelastic(material, params)
    if isinstance(params, PhaseChangeParameters):
        return PhaseChange(material, params)
    return LinearElastic(material)


def model_for(material: Material) -> ConstitutiveModel:
    """The constitutive model of ``material`` from the shipped law data (linear elastic when none)."""
    return model_from(material, law_for(material.key))
