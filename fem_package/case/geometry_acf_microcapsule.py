"""Case parameters of ``acf_microcapsule``: flip chip on an anisotropic conductive film of microcapsules.

The concept is the diffusion-soldered microcapsule film of US 10/018382 (PCT/DE00/02012, seed text 000):
metal grains (Cu, Ni, Ag, Au or solder) coated with a thin dielectric enamel sit in a single layer in an
adhesive film; the capsules between facing die and substrate pads are compressed (oval), their coating is
broken on the pad-facing caps and the grains are soldered to thin solder layers on the pads, which react
to an intermetallic phase; capsules in the lateral gaps stay round with their coating intact.

Defaults, with the figures of the text they come from:

- ``grain_diameter`` 5 um: "a diameter of the order of magnitude of 10 um, preferably less than about
  10 um"; below 10 um the diffusion-soldering reaction takes minutes.
- ``flattening`` 0.6 gives a joint 3 um thick: "the diameter of the electrically conductive grains
  determines the thickness of the soldered joint"; "with a thickness of less than about 5 um, the joint
  has an elastic action when bent, whereas if its thickness is greater than about 10 um it becomes
  brittle".
- ``solder_thickness`` 8 um + ``imc_thickness`` 2 um per pad: solder layers "of the order of magnitude of
  about 10 um, preferably less than 10 um" on Cu or Ni pads, partly converted to intermetallic.
- ``shell_thickness`` 0.5 um: the text gives no figure for the enamel (only "about 200 nm" for a Sn
  covering of a Cu core); the modelled shell is thicker than a real sub-micron enamel because the mesher
  needs it (lower limit ``grain_diameter / 20``, see :data:`SHELL_MIN_RATIO`).
- 30 x 30 um pads at 50 um pitch and ``volume_fraction`` 1.5 %: about 4 capsules trapped per pad
  (industry rule of thumb: at least 3 to 5 per pad) at about 4400 capsules per mm^2 in a single layer.

Two levels share these parameters: ``level = "die"`` (homogenised film, one joint column per pad pair,
symmetry planes) and ``level = "pad"`` (one pad pair with explicit capsules in a box of die, film and
substrate slices, placed at the pad's global position so it can be driven by the die-level model).
"""

from __future__ import annotations

import math
from typing import Literal, Self

from pydantic import Field, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.joint_array import fitting_count, grid_positions
from fem_package.units import Length, format_length

SHELL_MIN_RATIO = 1 / 20
"""Thinnest modelled dielectric shell as a fraction of the grain diameter. A shell of thickness t on a
grain of diameter d needs element edges of about 2 t, so the cell count of a capsule grows as (d/t)^2:
d/t = 20 keeps a pad model of ten to twenty capsules within a minute of meshing on one core."""
SHELL_MIN = 0.1e-6
"""Absolute lower limit of the modelled shell thickness (m)."""
COVERAGE_MAX = 0.3
"""Largest areal coverage n_A pi (D + clearance)^2 / 4 of the single capsule layer (D = capsule diameter):
random sequential placement jams near 0.55, and in the pad model the capsules are further confined to the
pad interior and a ring around it, so the limit is kept well below."""
CAPSULES_MAX = 60
"""Most capsules expected in the pad-level box (meshing time grows with the count)."""


def truncated_spheroid_volume(a: float, c: float, h: float) -> float:
    """Volume pi a^2 (h - h^3 / (12 c^2)) of the spheroid x^2/a^2 + y^2/a^2 + z^2/c^2 <= 1 cut to |z| <= h/2."""
    return math.pi * a * a * (h - h**3 / (12 * c * c))


def compressed_grain_axes(diameter: float, height: float) -> tuple[float, float]:
    """Semi-axes (a, c) of the compressed grain: an oblate spheroid cut by the two pad planes ``height`` apart.

    Two conditions fix the shape: (1) the metal volume is kept, pi a^2 (h - h^3/(12 c^2)) = pi d^3 / 6;
    (2) the flat contact disc on each pad has the radius of the undeformed sphere cut at the same
    planes, r_c^2 = R^2 - (h/2)^2 = a^2 (1 - u) with u = h^2 / (4 c^2). Eliminating a gives
    u = (g - 1) / (g - 1/3) with g = 4 R^3 / (3 r_c^2 h); then c = h / (2 sqrt u), a = r_c / sqrt(1 - u).
    At h -> d the shape tends to the sphere (a = c = R).
    """
    r = diameter / 2
    rc2 = r * r - (height / 2) ** 2
    g = 4 * r**3 / (3 * rc2 * height)
    u = (g - 1) / (g - 1 / 3)
    return math.sqrt(rc2 / (1 - u)), height / (2 * math.sqrt(u))


def _fraction_kept(symmetry: str, x: float, y: float, tol: float) -> float:
    """Kept fraction of a pad centred at (x, y), as :func:`geometries.symmetry.fraction_kept` (no gmsh here)."""
    f = 1.0
    for axis_kept, v in ((symmetry in ("quarter", "half"), x), (symmetry == "quarter", y)):
        if axis_kept:
            if v < -tol:
                return 0.0
            if abs(v) <= tol:
                f *= 0.5
    return f


class AcfMicrocapsuleGeometry(CaseModel):
    """Flip chip bonded by a microcapsule ACF; die-level (homogenised film) or pad-level (explicit capsules)."""

    type: Literal["acf_microcapsule"] = "acf_microcapsule"
    level: Literal["die", "pad"] = Field(
        "die", description="'die': homogenised film, one joint per pad pair; 'pad': one pad pair with its capsules"
    )
    symmetry: Literal["quarter", "half", "full"] = Field(
        "quarter", description="modelled part of the die-level model (the pad-level model is always a full box)"
    )
    die_length: Length = Field(1e-3, gt=0, description="die extent along x [m]")
    die_width: Length = Field(1e-3, gt=0, description="die extent along y [m]")
    die_thickness: Length = Field(300e-6, gt=0, description="die thickness [m]")
    substrate_length: Length = Field(2e-3, gt=0, description="substrate extent along x [m]")
    substrate_width: Length = Field(2e-3, gt=0, description="substrate extent along y [m]")
    substrate_thickness: Length = Field(500e-6, gt=0, description="substrate thickness [m]")
    pitch: Length = Field(50e-6, gt=0, description="pad pitch, both directions [m]")
    pad_length: Length = Field(30e-6, gt=0, description="pad extent along x [m]")
    pad_width: Length = Field(30e-6, gt=0, description="pad extent along y [m]")
    pad_thickness: Length = Field(5e-6, gt=0, description="Cu/Ni pad thickness on die and substrate [m]")
    imc_thickness: Length = Field(2e-6, gt=0, description="intermetallic (Cu6Sn5) layer on each pad [m]")
    solder_thickness: Length = Field(8e-6, gt=0, description="unreacted solder (Sn/In) layer on each IMC [m]")
    array: Literal["full", "perimeter"] = Field("perimeter", description="full area array or perimeter rows")
    rows: int = Field(1, ge=1, description="number of perimeter rows (array = 'perimeter')")
    pads_x: int | None = Field(None, ge=1, description="pads along x; default: as many as fit the die")
    pads_y: int | None = Field(None, ge=1, description="pads along y; default: as many as fit the die")
    grain_diameter: Length = Field(5e-6, gt=0, description="diameter of the conductive grain before bonding [m]")
    shell_thickness: Length = Field(
        0.5e-6, gt=0, description="modelled dielectric shell thickness, at least grain_diameter/20 [m]"
    )
    flattening: float = Field(
        0.6, description="joint thickness / grain diameter: height of the compressed grain between the pads"
    )
    volume_fraction: float = Field(0.015, description="volume fraction of capsules (grain + shell) in the film")
    placement: Literal["random", "regular"] = Field("random", description="capsule placement in the pad model")
    seed: int = Field(1, ge=0, description="random placement seed (same seed, same capsules)")
    capsule_clearance: Length = Field(
        1e-6, gt=0, description="least film between two capsules and between a capsule and a pad edge [m]"
    )
    slice_thickness: Length = Field(
        20e-6, gt=0, description="die and substrate slice kept above and below the film in the pad model [m]"
    )
    submodel_pad: int | None = Field(
        None, ge=0, description="pad model: joint id in the die-level model; default: the largest DNP"
    )

    def roles(self) -> dict[str, str]:
        """Role -> default material. The same roles at both levels, so one [materials] section serves both.

        ``joint`` (die level) is the film column between facing pads: the film's own epoxy by default,
        see :mod:`geometries.acf_microcapsule`. ``grain`` and ``shell`` exist at the pad level only.
        """
        return {
            "die": "silicon",
            "substrate": "fr4",
            "pad": "copper",
            "imc": "cu6sn5",
            "solder": "tin",
            "film": "epoxy_acf",
            "joint": "epoxy_acf",
            "grain": "copper",
            "shell": "polyurethane_enamel",
        }

    # ------------------------------------------------------------------ derived dimensions
    @property
    def joint_thickness(self) -> float:
        """Gap between the facing solder surfaces: flattening x grain diameter, in m."""
        return self.flattening * self.grain_diameter

    @property
    def stack_thickness(self) -> float:
        """Pad + IMC + solder on one side, in m."""
        return self.pad_thickness + self.imc_thickness + self.solder_thickness

    @property
    def film_thickness(self) -> float:
        """Film between substrate top and die bottom (in the lateral gaps), in m."""
        return self.joint_thickness + 2 * self.stack_thickness

    @property
    def capsule_diameter(self) -> float:
        """Outer diameter of a round capsule (grain + shell), in m."""
        return self.grain_diameter + 2 * self.shell_thickness

    @property
    def capsule_volume(self) -> float:
        """Volume of one capsule (grain + shell), in m^3."""
        return math.pi * self.capsule_diameter**3 / 6

    @property
    def compressed_axes(self) -> tuple[float, float]:
        """Semi-axes (a, c) of a compressed grain (:func:`compressed_grain_axes`), in m."""
        return compressed_grain_axes(self.grain_diameter, self.joint_thickness)

    @property
    def compressed_outer_radius(self) -> float:
        """Lateral outer radius of a compressed capsule (grain semi-axis + shell), in m."""
        return self.compressed_axes[0] + self.shell_thickness

    @property
    def contact_radius(self) -> float:
        """Radius of the flat contact disc of a compressed grain on each solder layer, in m."""
        return math.sqrt((self.grain_diameter / 2) ** 2 - (self.joint_thickness / 2) ** 2)

    @property
    def areal_density(self) -> float:
        """Capsules per m^2 of the single layer: volume_fraction x film_thickness / capsule volume."""
        return self.volume_fraction * self.film_thickness / self.capsule_volume

    @property
    def coverage(self) -> float:
        """Areal coverage of the capsule layer, n_A pi D^2 / 4."""
        return self.areal_density * math.pi * self.capsule_diameter**2 / 4

    @property
    def placement_coverage(self) -> float:
        """Areal coverage counting the clearance, n_A pi (D + clearance)^2 / 4 (limited to COVERAGE_MAX)."""
        return self.areal_density * math.pi * (self.capsule_diameter + self.capsule_clearance) ** 2 / 4

    @property
    def pad_area(self) -> float:
        """Pad footprint, in m^2."""
        return self.pad_length * self.pad_width

    @property
    def expected_trapped(self) -> float:
        """Expected capsules between one pad pair: areal density x pad area."""
        return self.areal_density * self.pad_area

    # ------------------------------------------------------------------ pad array
    def counts(self) -> tuple[int, int]:
        """Pads along x and y (given, or as many unit cells of one pitch as fit the die)."""
        nx = fitting_count(self.pads_x, self.die_length, self.pitch)
        ny = fitting_count(self.pads_y, self.die_width, self.pitch)
        return nx, ny

    def pad_positions(self) -> list[tuple[float, float]]:
        """(x, y) of every pad pair of the full package, centred on the origin, row by row."""
        return grid_positions(*self.counts(), self.pitch, array=self.array, rows=self.rows)

    def joint_positions(self) -> list[tuple[float, float, float]]:
        """(x, y, modelled fraction) of the joints of the die-level model, in joint-id order."""
        tol = 1e-6 * self.pitch
        return [(x, y, f) for x, y in self.pad_positions() if (f := _fraction_kept(self.symmetry, x, y, tol)) > 0]

    @property
    def joint_z(self) -> float:
        """Height of the joint mid-plane (film mid-plane), in m."""
        return self.substrate_thickness + self.film_thickness / 2

    def submodel_joint(self) -> int:
        """Joint id (die-level model) of the pad the pad-level model is built around.

        ``submodel_pad`` if given, else the whole (uncut) joint of largest DNP; ties go to the lowest id.
        """
        if self.submodel_pad is not None:
            return self.submodel_pad
        joints = self.joint_positions()
        whole = [j for j, (_, _, f) in enumerate(joints) if f == 1.0]
        return max(whole, key=lambda j: (round(math.hypot(joints[j][0], joints[j][1]) / self.pitch, 9), -j))

    def submodel_center(self) -> tuple[float, float, float]:
        """Global (x, y, z) of the chosen pad pair's centre (z = joint mid-plane), in m."""
        x, y, _ = self.joint_positions()[self.submodel_joint()]
        return x, y, self.joint_z

    def global_geometry(self) -> AcfMicrocapsuleGeometry | None:
        """The die-level variant with the same parameters (it drives the pad-level model); None at die level."""
        if self.level == "die":
            return None
        return AcfMicrocapsuleGeometry.model_validate({**self.model_dump(), "level": "die"})

    # ------------------------------------------------------------------ checks
    @model_validator(mode="after")
    def _consistent(self) -> Self:
        fl = format_length
        d, t, p = self.grain_diameter, self.shell_thickness, self.pitch
        if not 0.4 <= self.flattening <= 0.9:
            raise ValueError(
                f"flattening = {self.flattening} must lie in [0.4, 0.9] (joint thickness / grain diameter): above "
                "0.9 the film wedge at the contact edge is too thin to mesh, below 0.4 the grain is no longer "
                "a flattened sphere"
            )
        if d > 40e-6:
            raise ValueError(
                f"grain_diameter = {fl(d)} must be at most 40 um (the text's largest grain; about 10 um or less "
                "is preferred)"
            )
        shell_min = max(SHELL_MIN_RATIO * d, SHELL_MIN)
        if t < shell_min * (1 - 1e-9):
            raise ValueError(
                f"shell_thickness = {fl(t)} is below the meshable limit max(grain_diameter/20, 0.1 um) = "
                f"{fl(shell_min)}: a real enamel is sub-micron, but the modelled shell must be at least this thick "
                "(its stiffness is small next to the grain's)"
            )
        if t > d / 4:
            raise ValueError(f"shell_thickness = {fl(t)} must be at most grain_diameter/4 = {fl(d / 4)}")
        if not 0 < self.volume_fraction < 1:
            raise ValueError(f"volume_fraction = {self.volume_fraction} must lie in (0, 1)")
        if self.placement_coverage > COVERAGE_MAX:
            limit = self.volume_fraction * COVERAGE_MAX / self.placement_coverage
            raise ValueError(
                f"volume_fraction = {self.volume_fraction} puts {self.placement_coverage:.2f} of the film area "
                f"under capsules and their clearance (single layer in a {fl(self.film_thickness)} film); at most "
                f"{COVERAGE_MAX} can be placed: volume_fraction must be at most {limit:.4g}"
            )
        for key in ("pad_length", "pad_width"):
            if getattr(self, key) >= p * (1 - 1e-9):
                raise ValueError(f"{key} = {fl(getattr(self, key))} must be smaller than pitch = {fl(p)}")
        clr = self.capsule_clearance
        if clr < t:
            raise ValueError(f"capsule_clearance = {fl(clr)} must be at least shell_thickness = {fl(t)}")
        need_pad = 2 * (self.compressed_outer_radius + clr)
        small_pad = min(self.pad_length, self.pad_width)
        if need_pad > small_pad:
            raise ValueError(
                f"grain_diameter = {fl(d)} is too large for the pads: a compressed capsule is "
                f"{fl(2 * self.compressed_outer_radius)} wide and needs {fl(need_pad)} with clearance, more than "
                f"the smaller pad side {fl(small_pad)}"
            )
        gap = p - max(self.pad_length, self.pad_width)
        need_gap = 2 * (self.capsule_diameter + 2 * clr)
        if need_gap > gap:
            raise ValueError(
                f"grain_diameter = {fl(d)} is too large for the pad gap: the lateral gap {fl(gap)} (pitch - pad) "
                f"must hold two round capsules with clearance, {fl(need_gap)} (largest grain_diameter "
                f"{fl(gap / 2 - 2 * clr - 2 * t)})"
            )
        if self.capsule_diameter + 2 * clr > self.film_thickness:
            raise ValueError(
                f"grain_diameter = {fl(d)}: a round capsule ({fl(self.capsule_diameter)}) does not fit the film "
                f"({fl(self.film_thickness)} between substrate and die)"
            )
        for die_key, sub_key in (("die_length", "substrate_length"), ("die_width", "substrate_width")):
            if getattr(self, die_key) > getattr(self, sub_key):
                raise ValueError(
                    f"{die_key} = {fl(getattr(self, die_key))} must not exceed "
                    f"{sub_key} = {fl(getattr(self, sub_key))} (die larger than substrate)"
                )
        nx, ny = self.counts()
        for n, key, size, size_key in (
            (nx, "pads_x", self.die_length, "die_length"),
            (ny, "pads_y", self.die_width, "die_width"),
        ):
            if n * p > size * (1 + 1e-9):
                raise ValueError(
                    f"{key} = {n} pads at pitch {fl(p)} need {fl(n * p)} (one pitch per pad), more than "
                    f"{size_key} = {fl(size)}: at most {int(size / p + 1e-9)} pads"
                )
        if self.array == "perimeter" and 2 * self.rows >= min(nx, ny):
            raise ValueError(
                f"rows = {self.rows} perimeter rows need more than {2 * self.rows} pads per side; "
                f"the array has {min(nx, ny)} (use array = 'full' or fewer rows, at most {(min(nx, ny) - 1) // 2})"
            )
        for key in ("die_thickness", "substrate_thickness"):
            if self.slice_thickness >= getattr(self, key):
                raise ValueError(
                    f"slice_thickness = {fl(self.slice_thickness)} must be smaller than {key} = "
                    f"{fl(getattr(self, key))} (the pad model's top and bottom must cut the die and substrate)"
                )
        joints = self.joint_positions()
        if self.submodel_pad is not None:
            if self.submodel_pad >= len(joints):
                raise ValueError(
                    f"submodel_pad = {self.submodel_pad}: the die-level {self.symmetry} model has joints "
                    f"0 to {len(joints) - 1}"
                )
            if joints[self.submodel_pad][2] != 1.0:
                raise ValueError(
                    f"submodel_pad = {self.submodel_pad} is cut by a symmetry plane of the {self.symmetry} "
                    "die-level model; choose a whole pad or symmetry = 'full'"
                )
        elif not any(f == 1.0 for _, _, f in joints):
            raise ValueError(f"symmetry = {self.symmetry!r}: no whole pad in the die-level model for the pad model")
        expected = self.areal_density * p * p
        if self.level == "pad" and expected > CAPSULES_MAX:
            raise ValueError(
                f"volume_fraction = {self.volume_fraction}: about {expected:.0f} capsules in the pad model "
                f"({fl(p)} x {fl(p)} box), more than {CAPSULES_MAX}; lower volume_fraction or the pitch"
            )
        return self
