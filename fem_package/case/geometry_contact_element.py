"""Case parameters of ``contact_element``: die contact areas with integral 3-D elastic contact elements.

Seed 002 (claims only, see ``shared/seeds/NOTES.md``): every contact area (1) of the die carries a
three-dimensionally extending, elastic contact element (5) made in one piece with it, a contact pin
(16, optionally with a contact head 8) or a contact leaf spring (17/18), possibly prebent at a solid
angle. The only figures the text gives are used as rules and defaults:

- pin diameter <= half the shortest linear dimension of the contact area (claim 16);
- leaf-spring width = width of the contact area (claim 24), stamped spring sheet 30-100 um thick
  (claim 49; default 50 um);
- contact area Al alloy with a Au (claim 13) or Cu-alloy (claim 14) element; heads of solder (claim 20);
- the interspaces between the elements may be potted (claims 41-42);
- element length at least 5 % longer than the largest thermal length difference (claim 10): checked
  after the run by :mod:`postprocess.contact_design_rule`, not here (it needs the load and materials).

Sizes the text does not give (contact area 100 x 100 um, 40 um pins, 200 um element height, 30 deg
tilt, 2 x 2 mm die at 400 um pitch) are typical of wafer-level compliant interconnects and chosen so the
default model meshes in seconds.

Element geometry, in the radial plane of each element (s = horizontal offset along the lean
direction, d = depth below the contact area, element height H, tilt theta, bend radius R, vertical
leg a, straight part l):

- ``straight_tilted``: one straight segment at theta from the vertical; L = H / cos(theta),
  offset o = H tan(theta).
- ``prebent``: vertical leg a at the contact area, arc of radius R through theta, straight part
  l = (H - a - R sin(theta)) / cos(theta) to the tip; L = a + R theta + l,
  o = R (1 - cos(theta)) + l sin(theta).
- ``s_shaped``: vertical leg a, arc theta, straight l, arc back through theta, vertical leg a
  (the tip meets the substrate vertically); l = (H - 2a - 2R sin(theta)) / cos(theta),
  L = 2a + 2R theta + l, o = 2R (1 - cos(theta)) + l sin(theta).

Each element leans radially (``lean = "outward"``: away from the neutral point, or ``"inward"``), so
the array is mirror-symmetric about x = 0 and y = 0 and quarter, half and full models are all exact.
An element at the neutral point has no radial direction: only a vertical one (straight_tilted with
tilt_angle = 0) may stand there.
"""

from __future__ import annotations

import math
from typing import Literal, Self

import numpy as np
from pydantic import Field, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.joint_array import fitting_count, grid_positions
from fem_package.units import Length, format_length

Segment = tuple[str, tuple[float, float], tuple[float, float], tuple[float, float] | None]
"""A path piece in the radial plane: ("line", start, end, None) or ("arc", start, end, centre); (s, d) in m."""


class ContactElementGeometry(CaseModel):
    """Die with contact areas carrying integral wire-like contact elements standing on a substrate."""

    type: Literal["contact_element"] = "contact_element"
    symmetry: Literal["quarter", "half", "full"] = Field("quarter", description="modelled part of the package")
    die_length: Length = Field(2e-3, gt=0, description="die extent along x [m]")
    die_width: Length = Field(2e-3, gt=0, description="die extent along y [m]")
    die_thickness: Length = Field(0.3e-3, gt=0, description="die thickness [m]")
    substrate_length: Length = Field(4e-3, gt=0, description="substrate (or interposer) extent along x [m]")
    substrate_width: Length = Field(4e-3, gt=0, description="substrate (or interposer) extent along y [m]")
    substrate_thickness: Length = Field(0.8e-3, gt=0, description="substrate (or interposer) thickness [m]")
    pitch: Length = Field(400e-6, gt=0, description="contact-area pitch, both directions [m]")
    array: Literal["full", "perimeter"] = Field("perimeter", description="full area array or perimeter rows")
    rows: int = Field(1, ge=1, description="number of perimeter rows (array = 'perimeter')")
    elements_x: int | None = Field(None, ge=1, description="elements along x; default: as many as fit the die")
    elements_y: int | None = Field(None, ge=1, description="elements along y; default: as many as fit the die")
    contact_area_length: Length = Field(100e-6, gt=0, description="contact-area extent along the lean direction [m]")
    contact_area_width: Length = Field(100e-6, gt=0, description="contact-area extent across the lean direction [m]")
    contact_area_thickness: Length = Field(5e-6, gt=0, description="contact-area (die pad) thickness [m]")
    substrate_pad_thickness: Length = Field(
        15e-6, gt=0, description="substrate pad thickness; the pad has the contact-area footprint [m]"
    )
    element_height: Length = Field(
        200e-6, gt=0, description="vertical extent H of the element, contact area to substrate pad or head [m]"
    )
    shape: Literal["straight_tilted", "prebent", "s_shaped"] = Field("straight_tilted", description="element path")
    section: Literal["pin", "leaf_spring"] = Field(
        "pin", description="circular pin, or rectangular leaf spring as wide as the contact area"
    )
    pin_diameter: Length = Field(40e-6, gt=0, description="pin diameter (section = 'pin') [m]")
    leaf_thickness: Length = Field(50e-6, gt=0, description="spring sheet thickness (section = 'leaf_spring') [m]")
    tilt_angle: float = Field(30.0, ge=0, le=60, description="tilt of the (middle) straight part from vertical [deg]")
    bend_radius: Length = Field(60e-6, gt=0, description="bend radius of the path centre line (prebent, s_shaped) [m]")
    leg_length: Length = Field(
        40e-6, ge=0, description="vertical leg at the contact area (prebent) or at each end (s_shaped) [m]"
    )
    lean: Literal["outward", "inward"] = Field("outward", description="radial lean, away from or towards the centre")
    tip: Literal["solder_head", "direct"] = Field(
        "solder_head", description="element tip on a solder head on the substrate pad, or bonded directly to the pad"
    )
    head_diameter: Length = Field(80e-6, gt=0, description="solder head (cylinder) diameter [m]")
    head_height: Length = Field(20e-6, gt=0, description="solder head height [m]")
    potting: bool = Field(False, description="pot the interspaces: fill the die footprint under the die")

    def roles(self) -> dict[str, str]:
        """Role -> default material (claim 13: Al contact area, Au element; claim 46: Cu-alloy spring sheet)."""
        roles = {
            "die": "silicon",
            "contact_area": "aluminum",
            "contact_element": "gold" if self.section == "pin" else "phosphor_bronze",
            "substrate_pad": "copper",
            "substrate": "fr4",
        }
        if self.tip == "solder_head":
            roles["head"] = "sac305"
        if self.potting:
            roles["potting"] = "polyimide"
        return roles

    # ------------------------------------------------------------------ derived numbers

    @property
    def theta(self) -> float:
        """Tilt angle in radians."""
        return math.radians(self.tilt_angle)

    @property
    def section_area(self) -> float:
        """Cross-section area of the element, m^2."""
        if self.section == "pin":
            return math.pi * self.pin_diameter**2 / 4
        return self.contact_area_width * self.leaf_thickness

    @property
    def half_depth(self) -> float:
        """Half the section extent in the bending (radial) plane, m: pin radius or half the sheet thickness."""
        return self.pin_diameter / 2 if self.section == "pin" else self.leaf_thickness / 2

    @property
    def half_across(self) -> float:
        """Half the section extent across the bending plane, m."""
        return self.pin_diameter / 2 if self.section == "pin" else self.contact_area_width / 2

    @property
    def straight_length(self) -> float:
        """Length l of the tilted straight part, m (the whole element for straight_tilted)."""
        h, t, r, a = self.element_height, self.theta, self.bend_radius, self.leg_length
        if self.shape == "straight_tilted":
            return h / math.cos(t)
        if self.shape == "prebent":
            return (h - a - r * math.sin(t)) / math.cos(t)
        return (h - 2 * a - 2 * r * math.sin(t)) / math.cos(t)

    @property
    def element_length(self) -> float:
        """Path length L of the element's centre line between contact area and tip, m."""
        t, r, a, ls = self.theta, self.bend_radius, self.leg_length, self.straight_length
        if self.shape == "straight_tilted":
            return ls
        if self.shape == "prebent":
            return a + r * t + ls
        return 2 * a + 2 * r * t + ls

    @property
    def tip_offset(self) -> float:
        """Horizontal offset o of the tip from the contact-area centre along the lean direction, m."""
        t, r, ls = self.theta, self.bend_radius, self.straight_length
        if self.shape == "straight_tilted":
            return self.element_height * math.tan(t)
        bends = 1 if self.shape == "prebent" else 2
        return bends * r * (1 - math.cos(t)) + ls * math.sin(t)

    @property
    def end_angles(self) -> tuple[float, float]:
        """Angles from vertical (rad) of the path where it meets the contact area and the substrate side."""
        if self.shape == "straight_tilted":
            return self.theta, self.theta
        if self.shape == "prebent":
            return 0.0, self.theta
        return 0.0, 0.0

    def path(self) -> list[Segment]:
        """Centre line in the radial plane from (0, 0) (contact area) to (o, H) (tip), segment by segment."""
        h, t, r, a, ls = self.element_height, self.theta, self.bend_radius, self.leg_length, self.straight_length
        if self.shape == "straight_tilted":
            return [("line", (0.0, 0.0), (h * math.tan(t), h), None)]
        st, ct = math.sin(t), math.cos(t)
        p1 = (r * (1 - ct), a + r * st)
        p2 = (p1[0] + ls * st, p1[1] + ls * ct)
        segments: list[Segment] = [("line", (0.0, 0.0), (0.0, a), None), ("arc", (0.0, a), p1, (r, a))]
        if self.shape == "prebent":
            return [*segments, ("line", p1, p2, None)]
        p3 = (p2[0] + r * (1 - ct), p2[1] + r * st)
        return [
            *segments,
            ("line", p1, p2, None),
            ("arc", p2, p3, (p2[0] - r * ct, p2[1] + r * st)),
            ("line", p3, (p3[0], h), None),
        ]

    def sample_path(self, n: int = 24) -> np.ndarray:
        """About ``n`` points (s, d) along the centre line, shape (m, 2), for clearance checks."""
        pts: list[tuple[float, float]] = []
        for kind, p0, p1, centre in self.path():
            k = max(n // 4, 2)
            for u in np.linspace(0.0, 1.0, k):
                if kind == "line" or centre is None:
                    pts.append((p0[0] + u * (p1[0] - p0[0]), p0[1] + u * (p1[1] - p0[1])))
                else:
                    a0 = math.atan2(p0[1] - centre[1], p0[0] - centre[0])
                    a1 = math.atan2(p1[1] - centre[1], p1[0] - centre[0])
                    da = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
                    rr = math.hypot(p0[0] - centre[0], p0[1] - centre[1])
                    pts.append((centre[0] + rr * math.cos(a0 + u * da), centre[1] + rr * math.sin(a0 + u * da)))
        return np.array(pts)

    def counts(self) -> tuple[int, int]:
        """Elements along x and y (given, or as many as fit the die at the pitch)."""
        nx = fitting_count(self.elements_x, self.die_length, self.pitch)
        ny = fitting_count(self.elements_y, self.die_width, self.pitch)
        return nx, ny

    def element_positions(self) -> list[tuple[float, float]]:
        """(x, y) of every contact-area centre of the full package, centred on the origin, row by row."""
        return grid_positions(*self.counts(), self.pitch, array=self.array, rows=self.rows)

    def lean_direction(self, x: float, y: float) -> tuple[float, float]:
        """Unit vector of the lean in the x-y plane at the contact area (x, y); (1, 0) at the neutral point."""
        rho = math.hypot(x, y)
        if rho <= 1e-9 * self.pitch:
            return 1.0, 0.0
        sign = 1.0 if self.lean == "outward" else -1.0
        return sign * x / rho, sign * y / rho

    def tip_position(self, x: float, y: float) -> tuple[float, float]:
        """(x, y) where the element of the contact area at (x, y) meets the substrate side (pad / head centre)."""
        ux, uy = self.lean_direction(x, y)
        return x + self.tip_offset * ux, y + self.tip_offset * uy

    # ------------------------------------------------------------------ validation

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        self._check_section()
        self._check_path()
        self._check_layout()
        return self

    def _check_section(self) -> None:
        ca_l, ca_w = self.contact_area_length, self.contact_area_width
        if self.section == "pin" and self.pin_diameter > 0.5 * min(ca_l, ca_w):
            raise ValueError(
                f"pin_diameter = {format_length(self.pin_diameter)} must be at most half the shortest contact-area "
                f"dimension, {format_length(0.5 * min(ca_l, ca_w))} (claim 16: d <= min(contact_area_length, "
                "contact_area_width) / 2)"
            )
        if self.section == "leaf_spring":
            if not 30e-6 * (1 - 1e-9) <= self.leaf_thickness <= 100e-6 * (1 + 1e-9):
                raise ValueError(
                    f"leaf_thickness = {format_length(self.leaf_thickness)} must be within 30 um .. 100 um "
                    "(stamped spring sheet, claim 49)"
                )
            if self.tip == "solder_head":
                raise ValueError(
                    "tip = 'solder_head' needs section = 'pin', not 'leaf_spring' (contact heads belong to pins, "
                    "claims 17-20); use tip = 'direct' for a leaf spring"
                )
        if self.tip == "solder_head":
            if self.head_diameter > min(ca_l, ca_w):
                raise ValueError(
                    f"head_diameter = {format_length(self.head_diameter)} must not exceed the substrate pad's "
                    f"shortest side, {format_length(min(ca_l, ca_w))} (the pad has the contact-area footprint)"
                )
            foot = self.half_depth / math.cos(self.end_angles[1])
            if foot > self.head_diameter / 2:
                raise ValueError(
                    f"head_diameter = {format_length(self.head_diameter)} is smaller than the element's footprint on "
                    f"the head, {format_length(2 * foot)} across (section / cos(tilt)); allowed: >= that"
                )

    def _check_path(self) -> None:
        t, r, a, h = self.theta, self.bend_radius, self.leg_length, self.element_height
        if self.shape != "straight_tilted":
            if self.tilt_angle <= 0:
                raise ValueError(f"tilt_angle = {self.tilt_angle} deg must be > 0 for shape = '{self.shape}'")
            if r < 1.5 * self.half_depth:
                raise ValueError(
                    f"bend_radius = {format_length(r)} must be at least 1.5 x the half section depth "
                    f"= {format_length(1.5 * self.half_depth)} (else the bend folds onto itself)"
                )
            bends = 1 if self.shape == "prebent" else 2
            legs = 1 if self.shape == "prebent" else 2
            need = legs * a + bends * r * math.sin(t)
            if self.straight_length < 0:
                raise ValueError(
                    f"element_height = {format_length(h)} is too small for the {self.shape} path: legs and bends "
                    f"alone need {format_length(need)} (reduce leg_length, bend_radius or tilt_angle)"
                )
        if self.shape == "prebent":
            cut = self.half_depth * math.tan(t)
            if self.straight_length < cut:
                raise ValueError(
                    f"element_height = {format_length(h)} leaves a straight part of "
                    f"{format_length(self.straight_length)} before the tip, less than the oblique end cut needs, "
                    f"{format_length(cut)} (half section x tan(tilt))"
                )
        for side, angle in zip(("contact area", "substrate pad"), self.end_angles, strict=True):
            foot = self.half_depth / math.cos(angle)
            if foot > self.contact_area_length / 2 or self.half_across > self.contact_area_width / 2 * (1 + 1e-9):
                raise ValueError(
                    f"contact_area_length = {format_length(self.contact_area_length)} is too short for the element's "
                    f"footprint on the {side}, {format_length(2 * foot)} along the lean (section / cos(tilt))"
                )

    def _check_layout(self) -> None:
        p = self.pitch
        for die_key, sub_key in (("die_length", "substrate_length"), ("die_width", "substrate_width")):
            if getattr(self, die_key) > getattr(self, sub_key):
                raise ValueError(
                    f"{die_key} = {format_length(getattr(self, die_key))} must not exceed "
                    f"{sub_key} = {format_length(getattr(self, sub_key))} (die larger than substrate)"
                )
        nx, ny = self.counts()
        pad = math.hypot(self.contact_area_length, self.contact_area_width)
        for n, key, size, size_key in (
            (nx, "elements_x", self.die_length, "die_length"),
            (ny, "elements_y", self.die_width, "die_width"),
        ):
            span = (n - 1) * p + pad
            if span > size:
                raise ValueError(
                    f"{key} = {n} elements at pitch {format_length(p)} span {format_length(span)} (with the contact "
                    f"area's diagonal), more than {size_key} = {format_length(size)}: the array does not fit the die"
                )
        if self.array == "perimeter" and 2 * self.rows >= min(nx, ny):
            raise ValueError(
                f"rows = {self.rows} perimeter rows need more than {2 * self.rows} elements per side; "
                f"the array has {min(nx, ny)} (use array = 'full' or fewer rows)"
            )
        if p <= pad:
            raise ValueError(
                f"pitch = {format_length(p)} must exceed the contact-area diagonal {format_length(pad)} "
                "(contact areas turn with the lean direction)"
            )
        positions = self.element_positions()
        vertical = self.shape == "straight_tilted" and self.tilt_angle == 0
        if not vertical and any(math.hypot(x, y) <= 1e-9 * p for x, y in positions):
            raise ValueError(
                f"an element stands at the neutral point (odd elements_x = {nx} and elements_y = {ny}, full array) "
                f"and has no radial direction to lean in; only shape = 'straight_tilted' with tilt_angle = 0 may "
                "stand there (use an even count or array = 'perimeter')"
            )
        self._check_clearance(positions, pad)

    def _check_clearance(self, positions: list[tuple[float, float]], pad: float) -> None:
        tips = np.array([self.tip_position(x, y) for x, y in positions])
        hx, hy = self.substrate_length / 2, self.substrate_width / 2
        far = np.max(np.abs(tips) + pad / 2, axis=0)
        if far[0] > hx or far[1] > hy:
            raise ValueError(
                f"substrate_length x substrate_width = {format_length(2 * hx)} x {format_length(2 * hy)} is too small "
                f"for the substrate pads under the leaning elements (they reach x = {format_length(far[0])}, "
                f"y = {format_length(far[1])})"
            )
        if self.potting:
            dx, dy = self.die_length / 2, self.die_width / 2
            if far[0] > dx or far[1] > dy:
                raise ValueError(
                    f"potting = true fills the die footprint, but the substrate pads under the leaning elements "
                    f"reach x = {format_length(far[0])}, y = {format_length(far[1])}, outside the die "
                    f"({format_length(2 * dx)} x {format_length(2 * dy)}); reduce tilt_angle or element_height"
                )
        if len(positions) < 2:
            return
        diff = tips[:, None, :] - tips[None, :, :]
        dist = np.hypot(diff[..., 0], diff[..., 1]) + np.eye(len(tips)) * 1e9
        if dist.min() < pad:
            raise ValueError(
                f"substrate pads under the leaning elements come {format_length(float(dist.min()))} apart, less than "
                f"the contact-area diagonal {format_length(pad)}: they overlap (reduce tilt_angle or use lean = "
                "'outward')"
            )
        sd = self.sample_path()
        paths = []
        for x, y in positions:
            ux, uy = self.lean_direction(x, y)
            paths.append(np.column_stack((x + sd[:, 0] * ux, y + sd[:, 0] * uy, sd[:, 1])))
        pts = np.array(paths)  # (elements, samples, 3)
        bound = math.hypot(self.half_depth, self.half_across)
        centres = np.array(positions)
        for i in range(len(positions)):
            near = np.hypot(*(centres - centres[i]).T) < 2 * (self.tip_offset + self.pitch)
            near[i] = False
            if not near.any():
                continue
            d = np.linalg.norm(pts[near][:, :, None, :] - pts[i][None, None, :, :], axis=-1).min()
            if d < 2 * bound:
                raise ValueError(
                    f"neighbouring contact elements come {format_length(float(d))} close, less than two section "
                    f"half-diagonals {format_length(2 * bound)}: they touch (reduce tilt_angle, element_height or "
                    "the section, or increase pitch)"
                )
