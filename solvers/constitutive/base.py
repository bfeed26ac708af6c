"""The contract between the finite-element driver and a constitutive model, and Mandel notation.

Mandel notation stores a symmetric tensor a as the 6-vector

    [a_xx, a_yy, a_zz, sqrt2 a_yz, sqrt2 a_xz, sqrt2 a_xy],

so that a : b equals the dot product of the 6-vectors, norms agree, and a fourth-order
tensor with minor symmetries is a 6x6 matrix whose products with 6-vectors are the tensor
contractions (the tangent of a hyperelastic or associative model is then a symmetric matrix).
Strain and stress use the same convention (no engineering factor 2 on shear strains).

A model's :meth:`ConstitutiveModel.update` is a return-mapping step from t_n to t_n+1:

    (eps_mech_n+1, state_n, T_n, T_n+1, dt) -> (sigma_n+1, C_alg = d sigma_n+1 / d eps_mech_n+1, state_n+1)

where eps_mech = eps(u) - eps_th is the mechanical strain (the driver subtracts the free thermal
strain of the material), ``state`` holds the internal variables of every point (e.g. inelastic
strain, deformation resistance) and is never modified in place: the driver keeps state_n until the
step converges, so a failed Newton iteration or a cut step restarts from the converged state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from fem_package.materials import Material

SQRT2 = float(np.sqrt(2.0))
IDENTITY = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
"""The second-order identity in Mandel notation."""
VOLUMETRIC = np.outer(IDENTITY, IDENTITY) / 3.0
"""Projector onto the volumetric part: (1/3) I (x) I."""
DEVIATORIC = np.eye(6) - VOLUMETRIC
"""Projector onto the deviatoric part: II - (1/3) I (x) I."""


def to_mandel(tensors: np.ndarray) -> np.ndarray:
    """(n, 3, 3) symmetric tensors -> (n, 6) Mandel vectors."""
    t = np.asarray(tensors)
    return np.stack(
        [t[:, 0, 0], t[:, 1, 1], t[:, 2, 2], SQRT2 * t[:, 1, 2], SQRT2 * t[:, 0, 2], SQRT2 * t[:, 0, 1]], axis=1
    )


def from_mandel(vectors: np.ndarray) -> np.ndarray:
    """(n, 6) Mandel vectors -> (n, 3, 3) symmetric tensors."""
    v = np.asarray(vectors)
    s = v[:, 3:] / SQRT2
    return np.stack(
        [
            np.stack([v[:, 0], s[:, 2], s[:, 1]], axis=1),
            np.stack([s[:, 2], v[:, 1], s[:, 0]], axis=1),
            np.stack([s[:, 1], s[:, 0], v[:, 2]], axis=1),
        ],
        axis=1,
    )


def deviator(vectors: np.ndarray) -> np.ndarray:
    """Deviatoric part of (n, 6) Mandel vectors."""
    return vectors @ DEVIATORIC


def von_mises(stress: np.ndarray) -> np.ndarray:
    """Equivalent stress sqrt(3/2 s : s) of (n, 6) Mandel stresses."""
    s = deviator(stress)
    return np.sqrt(1.5 * np.einsum("ij,ij->i", s, s))


def isotropic_stiffness(bulk: np.ndarray, shear: np.ndarray) -> np.ndarray:
    """(n, 6, 6) isotropic elasticity C = 3K P_vol + 2G P_dev in Mandel notation."""
    k, g = np.atleast_1d(bulk), np.atleast_1d(shear)
    return 3.0 * k[:, None, None] * VOLUMETRIC + 2.0 * g[:, None, None] * DEVIATORIC


def bulk_shear(material: Material, temperature: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bulk and shear moduli K = E / (3 (1 - 2 nu)), G = E / (2 (1 + nu)) at the given temperatures (Pa)."""
    e = material["youngs_modulus"].at(temperature)
    nu = material["poisson_ratio"].at(temperature)
    return e / (3.0 * (1.0 - 2.0 * nu)), e / (2.0 * (1.0 + nu))


@dataclass
class PointUpdate:
    """Result of :meth:`ConstitutiveModel.update` for n points."""

    stress: np.ndarray  # (n, 6) Mandel, Pa
    tangent: np.ndarray  # (n, 6, 6) algorithmic tangent d stress / d strain, Pa
    state: np.ndarray  # (n, state_size) internal variables at t_n+1
    inelastic_strain: np.ndarray  # (n, 6) Mandel inelastic (creep/plastic/viscous/melt) strain at t_n+1
    dissipation: np.ndarray  # (n,) inelastic work increment  integral sigma : d eps_in over the step, J/m^3


class ConstitutiveModel(Protocol):
    """A material law evaluated at quadrature points; stateless apart from its parameters."""

    name: str
    """Short id written to the results, e.g. 'anand', 'j2', 'prony', 'phase_change', 'elastic'."""
    state_size: int
    """Number of internal variables per point."""

    def initial_state(self, n: int, temperature: np.ndarray) -> np.ndarray:
        """(n, state_size) internal variables of a virgin material at its stress-free state."""
        ...

    def update(
        self,
        strain: np.ndarray,
        state: np.ndarray,
        temperature_old: np.ndarray,
        temperature: np.ndarray,
        dt: float,
    ) -> PointUpdate:
        """Stress, tangent and internal variables at t_n+1 from the mechanical strain at t_n+1 (n, 6)."""
        ...


class LinearElastic:
    """Isotropic linear elasticity with temperature-dependent E(T), nu(T): sigma = C(T) : eps_mech."""

    name = "elastic"
    state_size = 0

    def __init__(self, material: Material):
        self.material = material

    def initial_state(self, n: int, temperature: np.ndarray) -> np.ndarray:
        return np.zeros((n, 0))

    def update(
        self,
        strain: np.ndarray,
        state: np.ndarray,
        temperature_old: np.ndarray,
        temperature: np.ndarray,
        dt: float,
    ) -> PointUpdate:
        k, g = bulk_shear(self.material, temperature)
        c = isotropic_stiffness(k, g)
        n = strain.shape[0]
        return PointUpdate(np.einsum("nij,nj->ni", c, strain), c, state, np.zeros((n, 6)), np.zeros(n))
