"""Case parameters of ``compliant_lead``: a chip-size package with flexible leads through a compliant layer.

Seed 003 (WO 98/28955, Tessera, "terminal formation from a conductive layer"): gold ribbon
leads 12 with a large-diameter bulge at the fixed end 16, an elongated narrow section and a
small bulge at the tip end 18 are bonded to the chip contacts 24, bent to a "vertically
extensive" shape, embedded in a cured elastomer or gel layer 28, anchored through the polyimide
sheet 10 by via liners 17 and end in "cooling tower" terminals 32 etched from the metal sheet 26
(Figs. 2-6C). Fig. 19 replaces the flexible leads by rigid posts 712 (``lead = "rigid_post"``).

Ranges quoted from the text and enforced here: metal sheet (terminal height) "about 100 microns to
about 500 microns thick", polyimide "about 25 microns to about 75 or 100 microns thick". The text
gives no lead, compliant-layer or pitch dimensions; those defaults are REPRESENTATIVE of
micro-BGA-type compliant chip-size packages (Au ribbon ~20 um x 30 um, elastomer ~150 um, 0.5 mm pitch).
"""

from __future__ import annotations

import itertools
import math
from typing import Literal, Self

from pydantic import Field, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.joint_array import grid_positions
from fem_package.units import Length, format_length

SHEET_RANGE = (100e-6, 500e-6)
"""Metal sheet 26 thickness = terminal height, seed 003: 'about 100 microns to about 500 microns'."""
POLYIMIDE_RANGE = (25e-6, 100e-6)
"""Dielectric sheet 10, seed 003: 'about 25 microns to about 75 or 100 microns thick'."""


def _range_text(lo: float, hi: float) -> str:
    return f"{format_length(lo)} .. {format_length(hi)}"


class CompliantLeadGeometry(CaseModel):
    """Die, compliant layer with ribbon leads (or rigid posts), polyimide with via liners, cooling-tower terminals.

    Leads sit on a regular ``leads_x`` x ``leads_y`` grid at ``pitch`` centred on the die centre;
    the grid point is the lead's fixed end, its via and its terminal. Levels from the bottom:
    optional board and solder, terminals, polyimide, compliant layer (leads, die contacts), die.
    """

    type: Literal["compliant_lead"] = "compliant_lead"
    symmetry: Literal["quarter", "half", "full"] = Field("quarter", description="modelled part of the package")
    lead: Literal["flexible", "rigid_post"] = Field(
        "flexible", description="Au ribbon leads, or rigid metal posts of the same footprint (seed Fig. 19)"
    )
    shape: Literal["vertical", "s_shaped"] = Field(
        "s_shaped", description="flexible lead bent straight up, or an S with a horizontal offset of the tip"
    )
    die_length: Length = Field(2e-3, gt=0, description="die extent along x [m]")
    die_width: Length = Field(2e-3, gt=0, description="die extent along y [m]")
    die_thickness: Length = Field(0.4e-3, gt=0, description="die thickness [m]")
    pitch: Length = Field(500e-6, gt=0, description="lead and terminal pitch, both directions [m]")
    leads_x: int = Field(4, ge=1, description="leads (terminals) along x")
    leads_y: int = Field(4, ge=1, description="leads (terminals) along y")
    compliant_thickness: Length = Field(
        150e-6, gt=0, description="compliant (elastomer/gel) layer between polyimide and die [m]"
    )
    contact_diameter: Length = Field(80e-6, gt=0, description="die contact pad diameter [m]")
    contact_thickness: Length = Field(5e-6, gt=0, description="die contact pad (with bonding metal) thickness [m]")
    lead_thickness: Length = Field(20e-6, gt=0, description="Au ribbon thickness [m]")
    lead_width: Length = Field(30e-6, gt=0, description="Au ribbon width in the narrow section [m]")
    fixed_bulge_diameter: Length = Field(120e-6, gt=0, description="large bulge at the fixed (terminal) end [m]")
    tip_bulge_diameter: Length = Field(60e-6, gt=0, description="small bulge at the tip end, on the die contact [m]")
    lead_offset: Length = Field(
        75e-6, ge=0, description="horizontal offset of the tip from the fixed end (shape = 's_shaped') [m]"
    )
    post_diameter: Length | None = Field(
        None, gt=0, description="rigid post diameter (lead = 'rigid_post'); default the fixed bulge diameter [m]"
    )
    polyimide_thickness: Length = Field(50e-6, gt=0, description="polyimide sheet thickness, 25-100 um [m]")
    via_diameter: Length = Field(60e-6, gt=0, description="outer diameter of the via liner [m]")
    via_liner_thickness: Length = Field(
        10e-6, gt=0, description="wall of the via liner; half the via diameter = filled via [m]"
    )
    terminal_shape: Literal["round", "square", "triangular"] = Field(
        "round", description="section of the cooling-tower terminals (seed Figs. 6A-6C)"
    )
    terminal_height: Length = Field(200e-6, gt=0, description="terminal height = metal sheet thickness, 100-500 um [m]")
    terminal_width: Length = Field(
        300e-6, gt=0, description="base size: diameter (round) or side (square, triangular) [m]"
    )
    terminal_neck_ratio: float = Field(0.6, gt=0, lt=1, description="neck size / base size [-]")
    terminal_tip_ratio: float = Field(0.8, gt=0, le=1, description="tip (free end) size / base size [-]")
    terminal_neck_position: float = Field(
        0.5, ge=0.2, le=0.8, description="neck height above the polyimide / terminal height [-]"
    )
    board: bool = Field(True, description="solder the terminal tips to a board")
    board_length: Length = Field(4e-3, gt=0, description="board extent along x [m]")
    board_width: Length = Field(4e-3, gt=0, description="board extent along y [m]")
    board_thickness: Length = Field(0.8e-3, gt=0, description="board thickness [m]")
    solder_thickness: Length = Field(50e-6, gt=0, description="solder between terminal tip and board [m]")

    def roles(self) -> dict[str, str]:
        """Role -> default material."""
        roles = {"die": "silicon", "contact": "aluminum"}
        roles["lead" if self.lead == "flexible" else "post"] = "gold" if self.lead == "flexible" else "copper"
        roles |= {
            "compliant": "silicone_elastomer",
            "polyimide": "polyimide",
            "via_liner": "copper",
            "terminal": "copper",
        }
        if self.board:
            roles |= {"solder": "sac305", "board": "fr4"}
        return roles

    @property
    def post(self) -> float:
        """Rigid-post diameter in m (given, or the fixed bulge diameter)."""
        return self.post_diameter or self.fixed_bulge_diameter

    @property
    def offset(self) -> float:
        """Horizontal tip offset in m (0 for vertical leads and posts)."""
        return self.lead_offset if self.lead == "flexible" and self.shape == "s_shaped" else 0.0

    @property
    def ribbon_height(self) -> float:
        """Vertical rise of the narrow section between the two bulges, in m."""
        return self.compliant_thickness - self.contact_thickness - 2 * self.lead_thickness

    def s_curve(self) -> tuple[float, float]:
        """(radius, angle) of the two tangent circular arcs of the S: tan(angle / 2) = offset / rise.

        The ribbon leaves the fixed bulge vertically, turns by ``angle`` on an arc of ``radius``,
        turns back on a second arc and meets the tip bulge vertically: rise = 2 R sin(angle),
        offset = 2 R (1 - cos(angle)). Radius is infinite for a straight lead.
        """
        s, h = self.offset, self.ribbon_height
        if s == 0:
            return math.inf, 0.0
        angle = 2 * math.atan2(s, h)
        return h / (2 * math.sin(angle)), angle

    @property
    def lead_length(self) -> float:
        """Centre-line length of the narrow section in m: rise, or 2 R angle for the S."""
        radius, angle = self.s_curve()
        return self.ribbon_height if angle == 0 else 2 * radius * angle

    def lead_volume(self) -> float:
        """Volume of one whole lead in m^3: two bulge discs plus the ribbon (or the post cylinder).

        V = t pi (D_f^2 + D_t^2) / 4 + w t L (Pappus: a section symmetric about the path keeps
        its area times the path length on circular arcs); post: pi D_p^2 / 4 (h - t_c).
        """
        if self.lead == "rigid_post":
            return math.pi * self.post**2 / 4 * (self.compliant_thickness - self.contact_thickness)
        t = self.lead_thickness
        return t * math.pi * (self.fixed_bulge_diameter**2 + self.tip_bulge_diameter**2) / 4 + (
            self.lead_width * t * self.lead_length
        )

    def section_area(self, size: float) -> float:
        """Area of a terminal section of base-size ``size`` (diameter or side) in m^2."""
        if self.terminal_shape == "round":
            return math.pi * size**2 / 4
        if self.terminal_shape == "square":
            return size**2
        return math.sqrt(3) / 4 * size**2

    def terminal_sections(self) -> list[tuple[float, float]]:
        """(height above the terminal tip, size) of the tip, neck and base sections, bottom to top."""
        h, w = self.terminal_height, self.terminal_width
        return [
            (0.0, self.terminal_tip_ratio * w),
            ((1 - self.terminal_neck_position) * h, self.terminal_neck_ratio * w),
            (h, w),
        ]

    def terminal_volume(self) -> float:
        """Cooling-tower volume in m^3: two frusta of similar sections, V = h (A1 + A2 + sqrt(A1 A2)) / 3."""
        sec = self.terminal_sections()
        total = 0.0
        for (z0, s0), (z1, s1) in itertools.pairwise(sec):
            a0, a1 = self.section_area(s0), self.section_area(s1)
            total += (z1 - z0) * (a0 + a1 + math.sqrt(a0 * a1)) / 3
        return total

    def positions(self) -> list[tuple[float, float]]:
        """(x, y) of every lead's fixed end (= via, terminal) of the full package, row by row."""
        return grid_positions(self.leads_x, self.leads_y, self.pitch)

    def lead_direction(self, x: float, y: float) -> tuple[int, int]:
        """(axis, sign) of the tip offset of the lead at (x, y): outwards, across the nearest die edge.

        Axis 0 (x) when |x| > |y|, else axis 1 (y); the sign points away from the die centre
        (+y for the centre lead). The rule is mirror-symmetric about x = 0 and y = 0, so
        quarter and half models hold the same leads as the full one.
        """
        tol = 1e-9 * self.pitch
        if abs(x) > abs(y) + tol:
            return 0, 1 if x > 0 else -1
        return 1, -1 if y < -tol else 1

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        fl = format_length
        for key, (lo, hi), where in (
            ("polyimide_thickness", POLYIMIDE_RANGE, "'about 25 microns to about 75 or 100 microns'"),
            ("terminal_height", SHEET_RANGE, "metal sheet 'about 100 microns to about 500 microns thick'"),
        ):
            v = getattr(self, key)
            if not lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
                raise ValueError(f"{key} = {fl(v)} is outside {_range_text(lo, hi)} (seed 003 text: {where})")
        t, w, df, dt = self.lead_thickness, self.lead_width, self.fixed_bulge_diameter, self.tip_bulge_diameter
        if t > w:
            raise ValueError(f"lead_thickness = {fl(t)} must not exceed lead_width = {fl(w)} (a ribbon)")
        if not w < dt < df:
            raise ValueError(
                f"lead_width = {fl(w)} < tip_bulge_diameter = {fl(dt)} < fixed_bulge_diameter = {fl(df)} is "
                "required (seed 003: large bulge at the fixed end, small bulge at the tip, narrow section between)"
            )
        rise = self.ribbon_height
        if rise < 2 * t:
            raise ValueError(
                f"compliant_thickness = {fl(self.compliant_thickness)} leaves {fl(rise)} for the narrow section "
                f"between the bulges and the contact; it must be at least "
                f"{fl(self.contact_thickness + 4 * t)} (contact + two bulges + 2 lead thicknesses)"
            )
        if self.lead == "rigid_post" and self.shape == "s_shaped":
            raise ValueError("lead = 'rigid_post' needs shape = 'vertical', got 's_shaped' (a rigid post is straight)")
        if self.lead == "flexible" and self.shape == "s_shaped":
            s = self.lead_offset
            if not 0 < s <= rise * (1 + 1e-9):
                raise ValueError(
                    f"lead_offset = {fl(s)} must be within (0, {fl(rise)}] for shape = 's_shaped' "
                    "(at most the rise of the narrow section: the S turns by at most 90 degrees)"
                )
            if self.pitch - s < (df + dt) / 2 + t:
                raise ValueError(
                    f"lead_offset = {fl(s)} brings a tip bulge within {fl(self.pitch - s)} of the next fixed bulge; "
                    f"at pitch = {fl(self.pitch)} it must be at most {fl(self.pitch - (df + dt) / 2 - t)}"
                )
            if self.symmetry == "quarter" and self.leads_x % 2 == 1 and self.leads_y % 2 == 1:
                raise ValueError(
                    f"symmetry = 'quarter' with shape = 's_shaped': the centre lead (leads_x = {self.leads_x}, "
                    f"leads_y = {self.leads_y}) offsets along +y and has no quarter symmetry; use 'half' or 'full'"
                )
        if self.lead == "flexible" and self.contact_diameter < dt:
            raise ValueError(
                f"contact_diameter = {fl(self.contact_diameter)} must be at least "
                f"tip_bulge_diameter = {fl(dt)} (the tip bulge is bonded onto the contact)"
            )
        dv, tl = self.via_diameter, self.via_liner_thickness
        foot = df if self.lead == "flexible" else self.post
        foot_key = "fixed_bulge_diameter" if self.lead == "flexible" else "post_diameter"
        if dv >= foot:
            raise ValueError(
                f"via_diameter = {fl(dv)} must be smaller than {foot_key} = {fl(foot)} (it covers the via)"
            )
        if tl > dv / 2 * (1 + 1e-9):
            raise ValueError(
                f"via_liner_thickness = {fl(tl)} must not exceed half the via_diameter = {fl(dv / 2)} (filled via)"
            )
        if self.terminal_neck_ratio >= self.terminal_tip_ratio:
            raise ValueError(
                f"terminal_neck_ratio = {self.terminal_neck_ratio} must be smaller than terminal_tip_ratio = "
                f"{self.terminal_tip_ratio} (cooling tower: narrow neck, wider tip and base)"
            )
        tw, p = self.terminal_width, self.pitch
        if tw > 0.9 * p:
            raise ValueError(
                f"terminal_width = {fl(tw)} must be at most 0.9 x pitch = {fl(0.9 * p)} (etched gap between terminals)"
            )
        inscribed = {"round": 1.0, "square": 1.0, "triangular": 1 / math.sqrt(3)}[self.terminal_shape]
        narrowest = self.terminal_neck_ratio * tw * inscribed
        if narrowest <= dv:
            raise ValueError(
                f"terminal_width = {fl(tw)} x terminal_neck_ratio = {self.terminal_neck_ratio} gives a neck "
                f"(inscribed circle {fl(narrowest)}) no wider than via_diameter = {fl(dv)}"
            )
        if max(foot, self.contact_diameter) >= p - t:
            raise ValueError(
                f"{foot_key} = {fl(foot)} and contact_diameter = {fl(self.contact_diameter)} must be smaller "
                f"than pitch - lead_thickness = {fl(p - t)}"
            )
        if self.terminal_shape == "triangular" and self.symmetry == "quarter":
            raise ValueError(
                "terminal_shape = 'triangular' with symmetry = 'quarter': every triangle points along +y, which is "
                "mirror-symmetric about x = 0 only; use symmetry = 'half' or 'full'"
            )
        for n, key, size, size_key in (
            (self.leads_x, "leads_x", self.die_length, "die_length"),
            (self.leads_y, "leads_y", self.die_width, "die_width"),
        ):
            reach = (n - 1) * p / 2 + max(tw / 2, self.offset + self.contact_diameter / 2)
            if reach > size / 2:
                raise ValueError(
                    f"{key} = {n} at pitch {fl(p)} reaches {fl(reach)} from the die centre (terminals, offset "
                    f"tips and contacts), more than half of {size_key} = {fl(size)}: the array does not fit the die"
                )
        if self.board:
            for die_key, b_key in (("die_length", "board_length"), ("die_width", "board_width")):
                if getattr(self, die_key) > getattr(self, b_key):
                    raise ValueError(
                        f"{die_key} = {fl(getattr(self, die_key))} must not exceed "
                        f"{b_key} = {fl(getattr(self, b_key))} (die larger than board)"
                    )
        return self
