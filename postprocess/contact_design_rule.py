"""Design rule of seed 002 for contact elements: element length vs thermal length difference.

The seed text (claims 8-11) asks that the length of the contact element be at least 5 % greater than

(a) the largest bulging of the die surface (claim 8),
(b) the largest distance between contact area and the contact connection area of an intermediate
    carrier (claim 9),
(c) the largest length difference relative to the central neutral point at maximum thermal cycling
    (claim 10),
(d) the same length difference between the die and an intermediate carrier (claim 11).

Implemented here: the thermal length-difference rule, with the die's counterpart (the substrate or
interposer the elements stand on) as the reference. For element i at distance DNP_i of its contact
area from the neutral point (die centre):

    d_i      = DNP_i * max_T | integral_{T0}^{T} alpha_sub - integral_{T0}^{T} alpha_die |
    L_req,i  = 1.05 d_i
    margin_i = L_i / L_req,i - 1        (infinite at DNP = 0),   passes when margin_i >= 0

with T0 the stress-free temperature, T over the cycle extremes (and, if the two CTE curves cross
inside the cycle, the crossing temperatures, where the mismatch strain is extremal; for the usual
data - substrate CTE above the die's everywhere - this is the worse extreme). alpha are the in-plane
instantaneous CTEs of :class:`fem_package.materials.Material`, integrated exactly over their
piecewise-linear tables. Claim 10 names no counterpart; read literally (the die against a reference
that does not expand) it is this rule with a zero-CTE counterpart, i.e. pass
``substrate=die.with_overrides({"cte": 0.0})``. With the substrate as counterpart the formula is
claim 11 (d) for a carrier that is the substrate itself, which is the package this tool models.

Out of scope: (a) needs the die's out-of-plane bulging, a result of the analysis, not an input (the
run's displacement field has it; a post-run check could take max |u_z| over the die bottom);
(b) and (d) refer to an intermediate carrier with flat conductors between die and board, which the
``contact_element`` geometry does not model (the elements stand directly on the substrate). For the
modelled gap (b) would read L >= 1.05 H, reported by the builder as ``element_length_to_height``
in the model info (a straight element needs a tilt of at least acos(1/1.05) = 17.8 deg).

This module imports ``fem_package`` only (never ``geometries``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from fem_package.materials import Material, Property
from fem_package.model_description import ModelDescription

LENGTH_FACTOR = 1.05
"""Element length must exceed the thermal length difference by at least 5 % (seed 002, claims 8-11)."""


@dataclass(frozen=True)
class ContactElementInput:
    """One element for the rule: joint id, name, DNP of its contact area (m), centre-line length (m)."""

    id: int
    name: str
    dnp: float
    length: float


@dataclass(frozen=True)
class DesignRuleRow:
    """Result of the rule for one element, SI units (margin dimensionless, ``inf`` at DNP = 0)."""

    id: int
    name: str
    dnp: float
    length: float
    thermal_length_difference: float
    required_length: float
    margin: float
    passes: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON and CSV."""
        return asdict(self)


def in_plane_cte(material: Material) -> Property:
    """The in-plane (x-y) instantaneous CTE of ``material``: ``cte_in_plane`` if orthotropic, else ``cte``."""
    return material["cte_in_plane"] if material.orthotropic_expansion else material["cte"]


def _crossings(a: Property, b: Property, lo: float, hi: float) -> list[float]:
    """Temperatures in (lo, hi) where the piecewise-linear a(T) - b(T) changes sign."""
    knots = np.unique(np.concatenate(([lo, hi], a.temperatures, b.temperatures)))
    knots = knots[(knots >= lo) & (knots <= hi)]
    diff = np.array([a(t) - b(t) for t in knots])
    out = []
    for t0, t1, f0, f1 in zip(knots[:-1], knots[1:], diff[:-1], diff[1:], strict=True):
        if f0 * f1 < 0:
            out.append(float(t0 + (t1 - t0) * f0 / (f0 - f1)))
    return out


def mismatch_strain(
    die: Material, substrate: Material, stress_free_temperature: float, cycle_extremes: tuple[float, float]
) -> tuple[float, float]:
    """Largest |in-plane free thermal strain of substrate - die| over the cycle, and the temperature (K) of it.

    Strain at T: integral_{T0}^{T} (alpha_sub - alpha_die), exact for the tabulated CTEs.
    Candidates: both extremes and the temperatures inside the cycle where the CTE curves cross.
    """
    t_min, t_max = sorted(cycle_extremes)
    a_sub, a_die = in_plane_cte(substrate), in_plane_cte(die)
    t0 = stress_free_temperature
    best = (-1.0, t_min)
    for t in [t_min, t_max, *_crossings(a_sub, a_die, t_min, t_max)]:
        strain = abs(a_sub.integral(t0, t) - a_die.integral(t0, t))
        if strain > best[0]:
            best = (strain, t)
    return best


def check_contact_elements(
    elements: Iterable[ContactElementInput],
    die: Material,
    substrate: Material,
    stress_free_temperature: float,
    cycle_extremes: tuple[float, float],
) -> list[DesignRuleRow]:
    """Apply the length rule (module docstring) to every element; one row per element, in input order.

    Args:
        elements: id, name, DNP (m) and centre-line length (m) of each element.
        die, substrate: materials of the die and of the part the elements stand on.
        stress_free_temperature: temperature (K) at which die and substrate are free of mismatch.
        cycle_extremes: lowest and highest temperature of the cycle (K), in either order.
    """
    strain, _ = mismatch_strain(die, substrate, stress_free_temperature, cycle_extremes)
    rows = []
    for e in elements:
        if e.dnp < 0 or e.length <= 0:
            raise ValueError(f"element {e.name}: dnp = {e.dnp} m must be >= 0 and length = {e.length} m > 0")
        difference = e.dnp * strain
        required = LENGTH_FACTOR * difference
        margin = e.length / required - 1.0 if required > 0 else math.inf
        rows.append(DesignRuleRow(e.id, e.name, e.dnp, e.length, difference, required, margin, margin >= 0))
    return rows


def elements_from_description(description: ModelDescription) -> list[ContactElementInput]:
    """The rule's inputs from a built ``contact_element`` model: its joints of role ``contact_element``.

    DNP is that of the joint centre (the contact-area centre); the length is
    ``description.info["element_length"]``, shared by all elements of the geometry.
    """
    length = float(description.info["element_length"])
    return [
        ContactElementInput(int(r.joint_id or 0), r.name, float(r.dnp or 0.0), length)
        for r in description.joints
        if r.role == "contact_element"
    ]
