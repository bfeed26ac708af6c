"""Case parameters of ``sealed_cavity``: hermetic wafer-level package with a cavity under a glass cover.

A die (LiTaO3 SAW chip or Si) carries component structures on its face inside a cavity closed
by a polymer frame (BCB), an adhesive bondline and a glass cover. Conical vias through the cover
with metal liners reach the die face inside sub-cavities (a frame ``branch`` pocket or an
``island`` ring); solder bumps sit on the cover. A back-face metallization covers the die back
and runs down the V-cut (wedge-cut) edges into the cover, sealing the polymer butt edges.

Ranges quoted from the seed text (``/work/shared/seeds/004_*.txt``, "hermetically encapsulated
component"): adhesive "0.2 to 20 um" cured; back-face metallization "total thickness of 1-30 um"
(example "10 to 20 um"; adhesion <= 2 um + 5-30 um Cu + 0.05-5 um Ag/Pd/Ni/Au); V-cut "opening
angle up to 150 deg (preferably 30 - 90 deg)", cuts "reach into the cover"; wafer "ground down to
approximately 50 um"; bumps as beads of "30 to 300 um"; chips of "approximately 1 mm". Thin
layers are modelled from a lower bound (``MODELLED``) so a tetrahedral mesh of the mm-sized
package stays affordable; thinner values are refused with both ranges in the message.

Symmetry: vias (with their branch pockets or island rings) lie on a grid centred on the die, so
every layout is mirror symmetric by construction (an off-centre branch or island cannot be
written); metallization faces left open must be mirror symmetric about the kept planes, otherwise
the case is refused unless ``symmetry = "full"``.
"""

from __future__ import annotations

import math
from typing import Literal, Self

from pydantic import Field, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.joint_array import grid_positions
from fem_package.units import Length, format_length

Face = Literal["+x", "-x", "+y", "-y"]
ALL_FACES: tuple[Face, ...] = ("+x", "-x", "+y", "-y")

UM = 1e-6
TEXT_RANGES: dict[str, tuple[float, float]] = {
    "bondline_thickness": (0.2 * UM, 20 * UM),
    "metallization_thickness": (1 * UM, 30 * UM),
    "liner_thickness": (1 * UM, 30 * UM),
}
"""Ranges stated by the seed text, in m."""
MODELLED: dict[str, tuple[float, float]] = {
    "bondline_thickness": (2 * UM, 20 * UM),
    "metallization_thickness": (3 * UM, 30 * UM),
    "liner_thickness": (3 * UM, 30 * UM),
    "device_thickness": (1 * UM, 20 * UM),
}
"""Ranges the builder models, in m: thin layers get cells at most ``THIN_ASPECT`` thicknesses wide,
so each halving of the lower bound quadruples the cells of the layer."""
MIN_FRAME_LEFT = 10 * UM
"""Frame width the V-cut must leave at the die face so the cut does not open the cavity."""


def _range_error(key: str, value: float, text: bool = True) -> str:
    lo, hi = MODELLED[key]
    msg = f"{key} = {format_length(value)} is outside the modelled range {format_length(lo)} - {format_length(hi)}"
    if text and key in TEXT_RANGES:
        tlo, thi = TEXT_RANGES[key]
        msg += (
            f" (the text allows {format_length(tlo)} - {format_length(thi)}; thinner layers are not modelled "
            "because a tetrahedral mesh of the mm-sized package would need cells of that size)"
        )
    return msg


class SealedCavityGeometry(CaseModel):
    """Hermetic wafer-level package, centred on the origin in x-y, bump seating plane at z = 0."""

    type: Literal["sealed_cavity"] = "sealed_cavity"
    symmetry: Literal["quarter", "half", "full"] = Field("quarter", description="modelled part of the package")
    package_length: Length = Field(1.4e-3, gt=0, description="cover (footprint) extent along x [m]")
    package_width: Length = Field(1.2e-3, gt=0, description="cover (footprint) extent along y [m]")
    die_thickness: Length = Field(50e-6, gt=0, description="die thickness after back grinding [m]")
    cover_thickness: Length = Field(150e-6, gt=0, description="glass cover thickness [m]")
    frame_height: Length = Field(25e-6, gt=0, description="polymer frame height on the die face [m]")
    frame_width: Length = Field(150e-6, gt=0, description="frame width from cavity to package edge, before the cut [m]")
    bondline_thickness: Length = Field(5e-6, gt=0, description="cured adhesive between frame and cover [m]")
    metallization_thickness: Length = Field(10e-6, gt=0, description="back-face metallization, total [m]")
    liner_thickness: Length = Field(10e-6, gt=0, description="via liner and underside contact thickness [m]")
    vcut_angle: float = Field(90.0, gt=0, description="opening angle of the V-shaped cut [deg]")
    cut_depth: Length = Field(20e-6, gt=0, description="depth the V-cut reaches into the cover [m]")
    metallization: Literal["full", "partial", "defect"] = Field(
        "full", description="full: every butt edge covered; partial: faces left open; defect: stops short"
    )
    faces: list[Face] = Field(
        default_factory=lambda: list(ALL_FACES),
        description="slanted faces left open (partial) or where the metallization stops short (defect)",
    )
    defect_gap: Length = Field(20e-6, gt=0, description="defect: metallization ends this far above the bondline [m]")
    sub_cavity: Literal["none", "branch", "island"] = Field(
        "branch", description="contact sub-cavity around each via: frame branch pocket, island ring, or none"
    )
    subframe_width: Length = Field(50e-6, gt=0, description="wall width of branch arms and island rings [m]")
    subcavity_clearance: Length = Field(
        40e-6, gt=0, description="gap between the via tube and the sub-cavity wall at the cover [m]"
    )
    vias_x: int = Field(2, ge=1, description="vias (and bumps) along x")
    vias_y: int = Field(2, ge=1, description="vias (and bumps) along y")
    via_pitch_x: Length = Field(800e-6, gt=0, description="via pitch along x [m]")
    via_pitch_y: Length = Field(600e-6, gt=0, description="via pitch along y [m]")
    via_diameter: Length = Field(120e-6, gt=0, description="via opening diameter at the cover's outer face [m]")
    via_taper: float = Field(10.0, ge=0, description="via wall angle to the via axis (cone half-angle) [deg]")
    bump_diameter: Length = Field(200e-6, gt=0, description="largest solder-bump diameter [m]")
    bump_height: Length = Field(120e-6, gt=0, description="solder-bump height from contact pad to seating plane [m]")
    device_length: Length = Field(500e-6, gt=0, description="device area (component structures) extent along x [m]")
    device_width: Length = Field(350e-6, gt=0, description="device area extent along y [m]")
    device_thickness: Length = Field(2e-6, ge=0, description="height of the component structures, 0 = none [m]")

    def roles(self) -> dict[str, str]:
        """Role -> default material."""
        roles = {
            "die": "lithium_tantalate",
            "frame": "bcb",
            "bondline": "bcb",
            "cover": "borosilicate_glass",
            "metallization": "copper",
            "liner": "copper",
            "bump": "sac305",
        }
        if self.device_thickness > 0:
            roles["device"] = "aluminum"
        return roles

    # ---- derived geometry (all in m) -------------------------------------------------------------
    @property
    def half_angle(self) -> float:
        """Angle of the slanted edge to the vertical, rad (half the V opening angle)."""
        return math.radians(self.vcut_angle / 2)

    @property
    def pad_radius(self) -> float:
        """Radius where the truncated-sphere bump meets its contact pad: sqrt(R^2 - (h/2)^2)."""
        return math.sqrt(max((self.bump_diameter / 2) ** 2 - (self.bump_height / 2) ** 2, 0.0))

    def levels(self) -> dict[str, float]:
        """z of every level, m (bump seating plane at 0)."""
        z: dict[str, float] = {"seat": 0.0, "pad": self.bump_height}
        z["cover_bottom"] = z["pad"] + self.liner_thickness
        z["cover_top"] = z["cover_bottom"] + self.cover_thickness
        z["frame_bottom"] = z["cover_top"] + self.bondline_thickness
        z["die_face"] = z["frame_bottom"] + self.frame_height
        z["die_back"] = z["die_face"] + self.die_thickness
        z["top"] = z["die_back"] + self.metallization_thickness
        z["cut_tip"] = z["cover_top"] - self.cut_depth
        z["metal_end"] = z["frame_bottom"] + self.defect_gap if self.metallization == "defect" else z["cut_tip"]
        return z

    def inner_half(self, z: float) -> tuple[float, float]:
        """Half-sizes (x, y) of the package body (without metallization) at height z: the slanted edges."""
        s = max(z - self.levels()["cut_tip"], 0.0) * math.tan(self.half_angle)
        return self.package_length / 2 - s, self.package_width / 2 - s

    def outer_half(self, z: float) -> tuple[float, float]:
        """Half-sizes of the outer metallization surface at height z (clipped to the cover footprint)."""
        t = self.metallization_thickness / math.cos(self.half_angle)
        ix, iy = self.inner_half(z)
        return min(ix + t, self.package_length / 2), min(iy + t, self.package_width / 2)

    def cavity_half(self) -> tuple[float, float]:
        """Half-sizes of the main cavity (inner frame edge)."""
        return self.package_length / 2 - self.frame_width, self.package_width / 2 - self.frame_width

    def via_radius(self, z: float) -> float:
        """Radius of the via hole (outer liner surface) at height z."""
        return self.via_diameter / 2 - (z - self.levels()["cover_bottom"]) * math.tan(math.radians(self.via_taper))

    def via_positions(self) -> list[tuple[float, float]]:
        """(x, y) of every via (and bump) of the full package, row by row."""
        return grid_positions(self.vias_x, self.vias_y, self.via_pitch_x, self.via_pitch_y)

    def subcavity_inner(self) -> float:
        """Island: inner ring radius. Branch: distance from the via axis to the arm's inner face."""
        return self.via_radius(self.levels()["cover_top"]) + self.subcavity_clearance

    def obstacles(self) -> list[tuple[str, tuple[float, float, float, float]]]:
        """Footprints (x0, x1, y0, y1) inside the cavity that the device area must not overlap."""
        out = []
        cx, cy = self.cavity_half()
        r = self.subcavity_inner() + self.subframe_width
        for x, y in self.via_positions():
            if self.sub_cavity == "branch":
                sx, sy = math.copysign(1, x), math.copysign(1, y)
                xb, yb = abs(x) - r, abs(y) - r
                box = (min(sx * xb, sx * cx), max(sx * xb, sx * cx), min(sy * yb, sy * cy), max(sy * yb, sy * cy))
                out.append(("branch pocket", box))
            else:
                rr = r if self.sub_cavity == "island" else self.via_radius(self.levels()["cover_top"])
                out.append(("island" if self.sub_cavity == "island" else "via", (x - rr, x + rr, y - rr, y + rr)))
        return out

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for key in MODELLED:
            value = getattr(self, key)
            lo, hi = MODELLED[key]
            if key == "device_thickness" and value == 0:
                continue
            if not lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9):
                raise ValueError(_range_error(key, value, key != "device_thickness"))
        if self.vcut_angle > 150:
            raise ValueError(
                f"vcut_angle = {self.vcut_angle:g} deg exceeds 150 deg: the text allows V cuts with an opening "
                "angle up to 150 deg (preferably 30 - 90 deg); modelled range 20 - 150 deg"
            )
        if self.vcut_angle < 20:
            raise ValueError(
                f"vcut_angle = {self.vcut_angle:g} deg is below the modelled range 20 - 150 deg (text: up to "
                "150 deg, preferably 30 - 90 deg; steep and U-shaped cuts are not modelled)"
            )
        if not 40 * UM <= self.die_thickness <= 1e-3:
            raise ValueError(
                f"die_thickness = {format_length(self.die_thickness)} is outside 40 um - 1 mm (the text thins the "
                "wafer to about 50 um; unthinned wafers are below 1 mm)"
            )
        if self.cut_depth >= 0.8 * self.cover_thickness:
            raise ValueError(
                f"cut_depth = {format_length(self.cut_depth)} must be less than 0.8 x cover_thickness = "
                f"{format_length(0.8 * self.cover_thickness)}: the cut reaches into the cover, it must not sever it"
            )
        if not 30 * UM <= self.bump_diameter <= 300 * UM:
            raise ValueError(
                f"bump_diameter = {format_length(self.bump_diameter)} is outside 30 - 300 um (the text's bead sizes)"
            )
        if not 0.2 * self.bump_diameter <= self.bump_height < self.bump_diameter:
            raise ValueError(
                f"bump_height = {format_length(self.bump_height)} must lie between 0.2 x bump_diameter = "
                f"{format_length(0.2 * self.bump_diameter)} and bump_diameter = {format_length(self.bump_diameter)}"
            )
        if self.device_thickness > 0 and self.device_thickness > 0.5 * (self.frame_height + self.bondline_thickness):
            raise ValueError(
                f"device_thickness = {format_length(self.device_thickness)} must be at most half the cavity height "
                f"{format_length(self.frame_height + self.bondline_thickness)} (the frame must be clearly higher "
                "than the component structures)"
            )
        z = self.levels()
        cx, cy = self.cavity_half()
        if cx <= 0 or cy <= 0:
            raise ValueError(
                f"frame_width = {format_length(self.frame_width)} leaves no cavity in a package of "
                f"{format_length(self.package_length)} x {format_length(self.package_width)}"
            )
        left = self.inner_half(z["die_face"])[0] - cx
        if self.inner_half(z["die_face"])[1] - cy < left:
            left = self.inner_half(z["die_face"])[1] - cy
        if left < MIN_FRAME_LEFT:
            raise ValueError(
                f"vcut_angle = {self.vcut_angle:g} deg with frame_width = {format_length(self.frame_width)}: the "
                f"V-cut leaves {format_length(left)} of frame at the die face, less than "
                f"{format_length(MIN_FRAME_LEFT)}; the cut would open the cavity (widen the frame or narrow the cut)"
            )
        zt = z["cut_tip"] + self.metallization_thickness / math.sin(self.half_angle)
        if zt >= z["die_back"]:
            raise ValueError(
                f"metallization_thickness = {format_length(self.metallization_thickness)} fills the V-cut above the "
                f"die back face at vcut_angle = {self.vcut_angle:g} deg (use a wider cut or a thinner metallization)"
            )
        if self.metallization == "defect" and not z["metal_end"] < z["die_back"] - 5 * UM:
            raise ValueError(
                f"defect_gap = {format_length(self.defect_gap)} puts the metallization end above the die back face; "
                f"at most {format_length(z['die_back'] - 5 * UM - z['frame_bottom'])}"
            )
        if self.metallization == "full" and "faces" in self.model_fields_set:
            raise ValueError("faces: only used with metallization = 'partial' or 'defect'")
        if self.metallization != "full" and not self.faces:
            raise ValueError(f"faces: metallization = '{self.metallization}' needs at least one face")
        open_set = set(self.faces)
        mirror = {"+x": "-x", "-x": "+x", "+y": "+y", "-y": "-y"}
        mirror_y = {"+x": "+x", "-x": "-x", "+y": "-y", "-y": "+y"}
        if self.metallization != "full" and self.symmetry != "full":
            asym = {mirror[f] for f in open_set} != open_set or (
                self.symmetry == "quarter" and {mirror_y[f] for f in open_set} != open_set
            )
            if asym:
                raise ValueError(
                    f"faces = {sorted(open_set)} with symmetry = '{self.symmetry}': the open faces are not mirror "
                    "symmetric about the kept symmetry planes; use symmetry = 'full' or name both opposite faces"
                )
        # vias, bumps, sub-cavities
        r_top = self.via_radius(z["cover_top"])
        r_face = self.via_radius(z["die_face"])
        beta = math.radians(self.via_taper)
        if beta > math.radians(30):
            raise ValueError(f"via_taper = {self.via_taper:g} deg: at most 30 deg (cone half-angle)")
        r_fill = r_face - self.liner_thickness / math.cos(beta) + self.liner_thickness * math.tan(beta)
        if r_fill < 5 * UM:
            raise ValueError(
                f"via_diameter = {format_length(self.via_diameter)} with via_taper = {self.via_taper:g} deg narrows "
                f"to {format_length(2 * r_face)} at the die face, too little for a "
                f"{format_length(self.liner_thickness)} liner around a solder core of at least 10 um "
                "(widen the via or reduce the taper)"
            )
        if self.pad_radius < self.via_diameter / 2 + self.liner_thickness:
            raise ValueError(
                f"bump_diameter = {format_length(self.bump_diameter)} and bump_height = "
                f"{format_length(self.bump_height)} give a contact of diameter {format_length(2 * self.pad_radius)}, "
                f"smaller than via_diameter + 2 x liner_thickness = "
                f"{format_length(self.via_diameter + 2 * self.liner_thickness)}"
            )
        xs = [x for x, _ in self.via_positions()]
        ys = [y for _, y in self.via_positions()]
        for key, n, pitch in (
            ("via_pitch_x", self.vias_x, self.via_pitch_x),
            ("via_pitch_y", self.vias_y, self.via_pitch_y),
        ):
            if n > 1 and pitch < self.bump_diameter + 20 * UM:
                raise ValueError(
                    f"{key} = {format_length(pitch)} must exceed bump_diameter + 20 um = "
                    f"{format_length(self.bump_diameter + 20 * UM)} (neighbouring bumps would touch)"
                )
        if self.sub_cavity == "branch" and (self.vias_x, self.vias_y) != (2, 2):
            raise ValueError(
                f"sub_cavity = 'branch' needs vias_x = vias_y = 2 (one corner pocket per via, placed symmetrically); "
                f"got {self.vias_x} x {self.vias_y}: use sub_cavity = 'island' for other via grids"
            )
        reach = self.subcavity_inner() + self.subframe_width if self.sub_cavity != "none" else r_top
        for key, coords, half in (("via_pitch_x", xs, cx), ("via_pitch_y", ys, cy)):
            span = max(abs(c) for c in coords)
            if self.sub_cavity == "branch":
                ok = span + r_top + 5 * UM <= half and span - reach >= 5 * UM
                need = f"the branch pockets need {format_length(reach + 5 * UM)} <= via offset <= "
                need += f"{format_length(half - r_top - 5 * UM)}"
            else:
                ok = span + reach + 5 * UM <= half
                need = f"the via {'islands' if self.sub_cavity == 'island' else 'tubes'} reach "
                need += f"{format_length(reach)} from the via axis"
            if not ok:
                raise ValueError(
                    f"{key} = {format_length(self.via_pitch_x if key.endswith('x') else self.via_pitch_y)} puts the "
                    f"outer vias {format_length(span)} from the centre, inside a cavity of half size "
                    f"{format_length(half)}: {need} (keep 5 um clear)"
                )
        if self.sub_cavity == "island" and len(xs) > 1:
            gaps = [
                self.via_pitch_x if self.vias_x > 1 else math.inf,
                self.via_pitch_y if self.vias_y > 1 else math.inf,
            ]
            if min(gaps) < 2 * reach + 10 * UM:
                raise ValueError(
                    f"via pitch {format_length(min(gaps))}: islands of outer radius {format_length(reach)} overlap"
                )
        dx, dy = self.device_length / 2, self.device_width / 2
        if dx > cx - 5 * UM or dy > cy - 5 * UM:
            raise ValueError(
                f"device_length x device_width = {format_length(self.device_length)} x "
                f"{format_length(self.device_width)} does not fit the cavity "
                f"{format_length(2 * cx)} x {format_length(2 * cy)}"
            )
        for name, (x0, x1, y0, y1) in self.obstacles():
            if x0 < dx + 5 * UM and -dx - 5 * UM < x1 and y0 < dy + 5 * UM and -dy - 5 * UM < y1:
                raise ValueError(
                    f"device_length x device_width = {format_length(self.device_length)} x "
                    f"{format_length(self.device_width)}: the device area overlaps a {name} (keep 5 um clear)"
                )
        return self
