"""Which constitutive model a material gets in an inelastic run.

A material whose data give no inelastic law is linear elastic with its temperature-dependent
E(T), nu(T) (:class:`solvers.constitutive.base.LinearElastic`).
"""

from __future__ import annotations

from fem_package.materials import Material
from solvers.constitutive.base import ConstitutiveModel, LinearElastic


def model_for(material: Material) -> ConstitutiveModel:
    """The constitutive model of ``material``."""
    return LinearElastic(material)
