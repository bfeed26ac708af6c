"""Case parameters of ``liquid_metal_gel``: fusible (liquid-in-service) masses in cavities of a compliant gel.

The package follows WO 97/40958 (Tessera, "Microelectronic connections with liquid conductive
elements"; digest in ``shared/seeds/NOTES.md``, section 001), chip-scale unit of Figs. 1-4 on a
substrate, with the options of Figs. 9 and 22:

- die contacts 24 and sheet contacts 16, each with a barrier metal 18 "about 1 micron thick";
- masses 42 of a low-melting fusible alloy filling cavities through the compliant layer 54, which is
  "between about 50 and 250 microns thick" (silicone gel, Sylgard 577 in the text);
- a flexible polyimide sheet 10 "about 25 microns or less thick" with solid via liners 15 (terminals);
- the substrate 60 (circuit panel) the terminals are bonded to;
- optionally masses tapered along their axis (Fig. 9, mass 442b), and a compliant encapsulant
  around the unit carrying a metal or aluminium-nitride spreader/shield over the die (Fig. 22).

Defaults the text does not give (die, pitch, mass and contact diameters, substrate) describe a
5 mm chip-scale unit with two perimeter rows at 500 um pitch; every figure can be changed.
"""

from __future__ import annotations

import math
from typing import Literal, Self

from pydantic import Field, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.joint_array import fitting_count, grid_positions
from fem_package.units import Length, format_length

GEL_RANGE = (50e-6, 250e-6)
"""WO 97/40958: "the compliant layer is between about 50 and 250 microns thick"."""
SHEET_RANGE = (5e-6, 25e-6)
"""WO 97/40958: polyimide sheet "about 25 microns or less thick"; below 5 um a film is no free sheet
(thinnest commercial polyimide films are 7.5 um) and would need cells of a few um over the whole die."""
BARRIER_RANGE = (0.1e-6, 5e-6)
"""WO 97/40958: "A layer of barrier metal about 1 micron thick typically is sufficient"; it may be a
stack of several metals, so up to 5 um is accepted."""
MIN_BARRIER_LAYER = 2e-6
"""Thinnest barrier drawn as its own layer (``barrier = "layer"``): cells inside it are capped at 4x its
thickness, so a 1 um disc of 200 um diameter alone would need ~10^4 cells. The text's ~1 um barrier is
represented with ``barrier = "merged"`` (see :class:`LiquidMetalGelGeometry`)."""
MIN_CONTACT = 2e-6
"""Thinnest contact pad drawn (cells inside are capped at 3x its thickness)."""
MAX_TAPER_DEG = 30.0
"""Largest taper half-angle of a mass (cone side vs its axis)."""
MIN_NARROW_RATIO = 0.4
"""Narrow-end diameter of a tapered mass at least this fraction of its wide-end diameter."""
MIN_RING = (2e-6, 0.02)
"""A contact wider than the mass end it carries overhangs it by a ring at least max(2 um, 2 % of the
contact diameter) wide, or by nothing: a thinner ring is a sliver that forces tiny cells."""


def _within(value: float, lo: float, hi: float) -> bool:
    """lo <= value <= hi, allowing for the rounding of unit conversion ("50 um" -> 4.9999999e-05 m)."""
    return lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9)


class LiquidMetalGelGeometry(CaseModel):
    """Die on a gel layer with fusible masses in cavities, polyimide sheet with vias, substrate; die centre at origin.

    The barrier metal (``barrier_thickness``, ~1 um in the text) is represented one of two ways:

    - ``"merged"`` (default): the barrier keeps its place in the stack (the mass height is unchanged)
      but is drawn as part of the contact pad it covers, which is then ``contact_thickness +
      barrier_thickness`` thick and of the contact material. A 1 um Ni film on a Cu pad changes the
      joint's stiffness by far less than the discretisation does, and no sub-micron layer enters the mesh.
    - ``"layer"``: the barrier is drawn as its own disc on each contact (role ``barrier``, nickel by
      default); needs ``barrier_thickness >= 2 um`` (:data:`MIN_BARRIER_LAYER`).
    """

    type: Literal["liquid_metal_gel"] = "liquid_metal_gel"
    symmetry: Literal["quarter", "half", "full"] = Field("quarter", description="modelled part of the package")
    die_length: Length = Field(5e-3, gt=0, description="die extent along x [m]")
    die_width: Length = Field(5e-3, gt=0, description="die extent along y [m]")
    die_thickness: Length = Field(0.5e-3, gt=0, description="die thickness [m]")
    substrate_length: Length = Field(10e-3, gt=0, description="substrate extent along x [m]")
    substrate_width: Length = Field(10e-3, gt=0, description="substrate extent along y [m]")
    substrate_thickness: Length = Field(0.8e-3, gt=0, description="substrate (circuit panel) thickness [m]")
    gel_thickness: Length = Field(
        150e-6, gt=0, description="compliant layer between die face and sheet, 50-250 um per WO 97/40958 [m]"
    )
    sheet_thickness: Length = Field(25e-6, gt=0, description="polyimide sheet, 5-25 um [m]")
    via_diameter: Length = Field(150e-6, gt=0, description="diameter of the Cu via liners (terminals) [m]")
    pitch: Length = Field(500e-6, gt=0, description="mass pitch, both directions [m]")
    array: Literal["full", "perimeter"] = Field("perimeter", description="full area array or perimeter rows")
    rows: int = Field(2, ge=1, description="number of perimeter rows (array = 'perimeter')")
    masses_x: int | None = Field(None, ge=1, description="masses along x; default: as many as fit the die")
    masses_y: int | None = Field(None, ge=1, description="masses along y; default: as many as fit the die")
    mass_diameter: Length = Field(200e-6, gt=0, description="diameter of a mass (its wide end when tapered) [m]")
    taper_angle: float = Field(
        0.0, ge=0, description="half-angle of a tapered mass (cone side vs axis), 0 = cylinder, at most 30 [deg]"
    )
    narrow_end: Literal["die", "sheet"] = Field(
        "die", description="which end of a tapered mass is narrow (taper_angle > 0)"
    )
    contact_diameter: Length = Field(200e-6, gt=0, description="diameter of die and sheet contact pads [m]")
    contact_thickness: Length = Field(10e-6, gt=0, description="die and sheet contact pad thickness, >= 2 um [m]")
    barrier_thickness: Length = Field(1e-6, gt=0, description="barrier metal on each contact, 0.1-5 um [m]")
    barrier: Literal["merged", "layer"] = Field(
        "merged", description="barrier drawn as part of its contact ('merged') or as its own disc ('layer')"
    )
    encapsulant: bool = Field(False, description="compliant encapsulant around die, gel and sheet (Fig. 22)")
    encapsulant_margin: Length = Field(0.5e-3, gt=0, description="encapsulant extent beyond the die edges [m]")
    spreader: bool = Field(False, description="metal/AlN spreader-shield on die and encapsulant (Fig. 22)")
    spreader_thickness: Length = Field(0.3e-3, gt=0, description="spreader thickness [m]")

    def roles(self) -> dict[str, str]:
        """Role -> default material."""
        roles = {
            "die": "silicon",
            "contact": "copper",
            "mass": "indalloy_117",
            "gel": "silicone_gel",
            "terminal": "copper",
            "sheet": "polyimide",
            "substrate": "fr4",
        }
        if self.barrier == "layer":
            roles["barrier"] = "nickel"
        if self.encapsulant:
            roles["encapsulant"] = "silicone_gel"
        if self.spreader:
            roles["spreader"] = "aluminum_nitride"
        return roles

    @property
    def pad_thickness(self) -> float:
        """Drawn thickness of a contact pad: the contact, plus the barrier when merged into it, in m."""
        return self.contact_thickness + (self.barrier_thickness if self.barrier == "merged" else 0.0)

    @property
    def mass_height(self) -> float:
        """Height of a mass: gel thickness less two contacts and two barriers, in m."""
        return self.gel_thickness - 2 * (self.contact_thickness + self.barrier_thickness)

    @property
    def narrow_diameter(self) -> float:
        """Diameter of the narrow end of a mass, D - 2 h tan(theta), in m (= mass_diameter when not tapered)."""
        return self.mass_diameter - 2 * self.mass_height * math.tan(math.radians(self.taper_angle))

    def end_diameters(self) -> tuple[float, float]:
        """(sheet-end, die-end) diameters of a mass, in m."""
        wide, narrow = self.mass_diameter, self.narrow_diameter
        return (wide, narrow) if self.narrow_end == "die" else (narrow, wide)

    def mass_volume(self) -> float:
        """Volume of one whole mass: frustum pi h (R^2 + R r + r^2) / 3 (a cylinder when r = R), in m^3."""
        big, small = self.mass_diameter / 2, self.narrow_diameter / 2
        return math.pi * self.mass_height * (big * big + big * small + small * small) / 3

    def counts(self) -> tuple[int, int]:
        """Masses along x and y (given, or as many as fit the die at the pitch)."""
        nx = fitting_count(self.masses_x, self.die_length, self.pitch)
        ny = fitting_count(self.masses_y, self.die_width, self.pitch)
        return nx, ny

    def mass_positions(self) -> list[tuple[float, float]]:
        """(x, y) of every mass of the full package, centred on the origin, row by row."""
        return grid_positions(*self.counts(), self.pitch, array=self.array, rows=self.rows)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        fl = format_length
        self._check_layers()
        h, d_wide = self.mass_height, self.mass_diameter
        if h < 0.2 * d_wide:
            raise ValueError(
                f"mass_diameter = {fl(d_wide)} is too wide for the mass height {fl(h)} (gel_thickness "
                f"{fl(self.gel_thickness)} less 2 x (contact_thickness + barrier_thickness)): the height must be at "
                f"least 0.2 x mass_diameter, i.e. mass_diameter at most {fl(h / 0.2)}"
            )
        if self.taper_angle > MAX_TAPER_DEG:
            raise ValueError(f"taper_angle = {self.taper_angle:g} deg: allowed 0 to {MAX_TAPER_DEG:g} deg")
        d_narrow = self.narrow_diameter
        if d_narrow < MIN_NARROW_RATIO * d_wide:
            limit = math.degrees(math.atan((1 - MIN_NARROW_RATIO) * d_wide / (2 * h)))
            raise ValueError(
                f"taper_angle = {self.taper_angle:g} deg narrows the mass from {fl(d_wide)} to {fl(d_narrow)} over "
                f"its height {fl(h)}; the narrow end must stay at least {MIN_NARROW_RATIO:g} x mass_diameter "
                f"(taper_angle at most {limit:.3g} deg here)"
            )
        self._check_diameters()
        self._check_array()
        self._check_package()
        return self

    def _check_layers(self) -> None:
        fl = format_length
        lo, hi = GEL_RANGE
        if not _within(self.gel_thickness, lo, hi):
            raise ValueError(
                f"gel_thickness = {fl(self.gel_thickness)}: allowed {fl(lo)} to {fl(hi)} (WO 97/40958: the compliant "
                "layer is between about 50 and 250 microns thick)"
            )
        lo, hi = SHEET_RANGE
        if not _within(self.sheet_thickness, lo, hi):
            raise ValueError(
                f"sheet_thickness = {fl(self.sheet_thickness)}: allowed {fl(lo)} to {fl(hi)} (WO 97/40958: polyimide "
                "sheet about 25 microns or less; thinner than 5 um is no free-standing film)"
            )
        lo, hi = BARRIER_RANGE
        if not _within(self.barrier_thickness, lo, hi):
            raise ValueError(
                f"barrier_thickness = {fl(self.barrier_thickness)}: allowed {fl(lo)} to {fl(hi)} (WO 97/40958: a "
                "barrier metal about 1 micron thick typically is sufficient)"
            )
        if self.barrier == "layer" and self.barrier_thickness < MIN_BARRIER_LAYER:
            raise ValueError(
                f"barrier_thickness = {fl(self.barrier_thickness)} is too thin for barrier = 'layer' (at least "
                f"{fl(MIN_BARRIER_LAYER)}: a thinner disc needs ~10^4 cells per contact); use barrier = 'merged', "
                "which keeps the barrier's place in the stack and draws it as part of its contact"
            )
        if self.contact_thickness < MIN_CONTACT:
            raise ValueError(
                f"contact_thickness = {fl(self.contact_thickness)}: at least {fl(MIN_CONTACT)} (thinner pads would "
                "need cells under 6 um across every contact)"
            )
        if self.contact_thickness > 0.2 * self.gel_thickness * (1 + 1e-9):
            raise ValueError(
                f"contact_thickness = {fl(self.contact_thickness)}: at most 0.2 x gel_thickness = "
                f"{fl(0.2 * self.gel_thickness)} (the masses, not the contacts, must fill the gel cavities)"
            )

    def _check_diameters(self) -> None:
        fl = format_length
        dc = self.contact_diameter
        min_ring = max(MIN_RING[0], MIN_RING[1] * dc)
        for end, d in zip(("sheet", "die"), self.end_diameters(), strict=True):
            ring = (dc - d) / 2
            if ring < -1e-12:
                raise ValueError(
                    f"contact_diameter = {fl(dc)} must be at least the {end}-end diameter of the mass, {fl(d)} "
                    "(each mass sits wholly on its barrier-covered contacts)"
                )
            if 1e-12 < ring < min_ring:
                raise ValueError(
                    f"contact_diameter = {fl(dc)} overhangs the {end}-end of the mass ({fl(d)}) by a ring of "
                    f"{fl(ring)}; make it equal to {fl(d)} or at least {fl(d + 2 * min_ring)} (sliver rings force "
                    "tiny cells)"
                )
        dv = self.via_diameter
        ring = (dc - dv) / 2
        if dv < 10e-6 or ring < -1e-12 or 1e-12 < ring < min_ring:
            raise ValueError(
                f"via_diameter = {fl(dv)}: allowed 10 um to contact_diameter = {fl(dc)}, and either equal to it or "
                f"at most {fl(dc - 2 * min_ring)} (the via lies under the sheet contact)"
            )
        if self.pitch - dc < 0.1 * self.pitch:
            raise ValueError(
                f"contact_diameter = {fl(dc)} leaves less than 10 % of pitch = {fl(self.pitch)} of gel between "
                f"neighbouring contacts; at most {fl(0.9 * self.pitch)}"
            )

    def _check_array(self) -> None:
        fl = format_length
        nx, ny = self.counts()
        for n, key, size, size_key in (
            (nx, "masses_x", self.die_length, "die_length"),
            (ny, "masses_y", self.die_width, "die_width"),
        ):
            span = (n - 1) * self.pitch + self.contact_diameter
            if span > size:
                raise ValueError(
                    f"{key} = {n} masses at pitch {fl(self.pitch)} span {fl(span)} (with their contacts), more than "
                    f"{size_key} = {fl(size)}: the array does not fit the die "
                    f"(at most {int((size - self.contact_diameter) / self.pitch) + 1} masses)"
                )
        if self.array == "perimeter" and 2 * self.rows >= min(nx, ny):
            raise ValueError(
                f"rows = {self.rows} perimeter rows need more than {2 * self.rows} masses per side; the array has "
                f"{min(nx, ny)} (use array = 'full' or fewer rows, at most {(min(nx, ny) - 1) // 2})"
            )

    def _check_package(self) -> None:
        fl = format_length
        margin = self.encapsulant_margin if self.encapsulant else 0.0
        for die_key, sub_key in (("die_length", "substrate_length"), ("die_width", "substrate_width")):
            die, sub = getattr(self, die_key), getattr(self, sub_key)
            if die + 2 * margin > sub + 1e-12:
                extra = f" + 2 x encapsulant_margin ({fl(margin)})" if margin else ""
                raise ValueError(
                    f"{die_key} = {fl(die)}{extra} must not exceed {sub_key} = {fl(sub)} "
                    "(the unit must sit on the substrate)"
                )
        if self.encapsulant and self.encapsulant_margin < 50e-6:
            raise ValueError(
                f"encapsulant_margin = {fl(self.encapsulant_margin)}: at least 50 um (a thinner fillet is no "
                "encapsulant and would need tiny cells)"
            )
        if self.spreader and not self.encapsulant:
            raise ValueError(
                "spreader = true needs encapsulant = true: the spreader-shield of WO 97/40958 Fig. 22 covers die and "
                "encapsulant and is held by the compliant fill around the chip; the masses and gel cannot carry it"
            )
        if self.spreader and not 50e-6 <= self.spreader_thickness <= 5e-3:
            raise ValueError(f"spreader_thickness = {fl(self.spreader_thickness)}: allowed 50 um to 5 mm")
