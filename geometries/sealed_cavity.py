"""``sealed_cavity``: hermetic wafer-level package (die, BCB frame, bondline, glass cover, vias, bumps).

Levels (z up; bump seating plane at z = 0; h_b, t_u, t_c, t_b, h_f, t_d, t_m = bump height,
liner, cover, bondline, frame, die and back-face metallization thickness)::

    metallization  z_db .. z_db + t_m   over the die back, and down the slanted edges to the cut tip
    die            z_f  .. z_db         z_f = die face (component structures hang below it)
    frame          z_fb .. z_f          BCB ring (plus branch arms or island rings)
    bondline       z_ct .. z_fb         adhesive under the frame footprint only (structured gluing)
    cover          z_cb .. z_ct         glass; the V-cut reaches d into it: cut tip z_tip = z_ct - d
    contact pads   h_b  .. z_cb         z_cb = h_b + t_u (underside contact UK, part of the liner)
    bumps          0    .. h_b          truncated spheres, diameter D, contact diameter 2 sqrt(R^2 - h_b^2/4)

Edges: the V-cut (opening angle 2 phi) leaves slanted sides from the cut tip up: the body's
half-size at height z is a(z) = L/2 - (z - z_tip) tan(phi); the metallization lies on top of them,
t_m thick normal to the slant (its outer half-size a(z) + t_m / cos(phi), clipped at L/2 where the
singulation cut went through the metal-filled cut tip). ``partial`` removes it from the named faces
below the die back, ``defect`` below z_fb + defect_gap (it stops short of the bondline).

Cavity: the region inside the frame between cover top and die face, minus sub-frames, sub-cavities,
via tubes and the device, volume V = 4 c_x c_y (t_b + h_f) - ...; sub-cavity: the branch pocket
(a_x a_y box) or the island ring's inside (pi r_i^2 (t_b + h_f)) minus the via tube. Both are voids
(not meshed) bounded by the surface groups ``cavity_wall`` / ``subcavity_wall``; the outer surface
of the package is ``outside``. Cross-sections of every layer are piecewise quadratic in z, so the
analytic volumes integrate them exactly by Gauss-Legendre quadrature between breakpoints.

Vias: a cone from the via opening (diameter d_v at z_cb, wall at beta to the axis) to the die face,
"concentric and conical in all the layers". The liner (thickness t_u normal to the wall, ending in
a t_u-thick landing on the die face, and the contact pad of the bump's contact radius) lines it;
the solder bump fills the lined cone ("interfacial connections can be filled with bumps"), so
bump volume = truncated sphere pi (2 a R^2 - 2 a^3 / 3) + core frustum pi h (r1^2 + r1 r2 + r2^2) / 3.

Defaults (seed text 004, figures 1, 2, 4, 7, 8): LiTaO3 SAW chip of about 1 mm ("lateral chip
dimensions of approximately 1 mm"; 1.4 x 1.2 mm here), wafer "ground down to approximately 50 um",
BCB frame with a branch AL per contact (figure 2) or an island RS_i (figure 4), adhesive 5 um (text:
0.2 - 20 um), borosilicate glass cover (glass preferred; Foturan named), V-cut 90 deg (text: up to
150, preferably 30 - 90 deg) reaching into the cover, back-face metallization 10 um (text: "10 to 20
um, for example", 1 - 30 um total), conical vias, solder bumps of 200 um (beads 30 - 300 um). The
cover thickness (150 um), frame height (25 um) and widths are not given by the text: representative.
Thin layers: modelled from the lower bounds in ``geometry_sealed_cavity.MODELLED`` with cells at
most ``THIN_ASPECT`` thicknesses wide in them; the metallization is one homogeneous layer (the
adhesion / Cu / finish sub-layers are merged, material of role ``metallization``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import gmsh

from fem_package.case.geometry_sealed_cavity import SealedCavityGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import Boundary, ModelDescription, PointSupport, Region
from geometries.meshing import set_size_field, um
from geometries.occ_parts import fragment_parts, limit_sizes
from geometries.solder_bump import truncated_sphere_volume
from geometries.symmetry import BOUNDARY_TAGS, copies, fraction_kept, kept_box, planes_and_supports

TAGS = {"die": 1, "cover": 2, "frame": 3, "bondline": 4, "metallization": 5, "device": 6}
BUMP_TAG0 = 1000
LINER_TAG0 = 2000
SURFACE_TAGS = {"cavity_wall": 10, "subcavity_wall": 11, "outside": 12}
THIN_ASPECT = 4.0
"""Cells in a thin layer are at most this many layer thicknesses wide."""
ELEMENTS_PER_TURN = 28
"""Curved via and pad surfaces get at least this many element edges per full circle."""
BUMP_EDGES_PER_TURN = 44
"""Bump spheres get cells of at most pi D / 44: the faceted sphere then loses under 0.5 % of its volume."""
_EPS = 1e-3  # model units (nm)

Box = tuple[float, float, float, float]


def frustum_volume(r1: float, r2: float, h: float) -> float:
    """Volume pi h (r1^2 + r1 r2 + r2^2) / 3 of a conical frustum."""
    return math.pi * h * (r1 * r1 + r1 * r2 + r2 * r2) / 3


def integrate(area: Callable[[float], float], breaks: list[float]) -> float:
    """Integral of a cross-section area over z between sorted breakpoints.

    Two-point Gauss-Legendre on each interval: exact for the piecewise quadratic areas here, and
    it never evaluates an area at a breakpoint, where it may jump (the die back face).
    """
    zs = sorted(set(breaks))
    g = 0.5 / math.sqrt(3)
    total = 0.0
    for a, b in itertools.pairwise(zs):
        m, h = (a + b) / 2, b - a
        total += h / 2 * (area(m - g * h) + area(m + g * h))
    return total


class Layout:
    """Derived positions and the analytic volumes of one parameter set (m, full package unless stated)."""

    def __init__(self, p: SealedCavityGeometry):
        self.p = p
        self.z = p.levels()
        self.cx, self.cy = p.cavity_half()
        self.beta = math.radians(p.via_taper)
        self.si = p.subcavity_inner()
        self.w = p.subframe_width
        self.height = self.z["die_face"] - self.z["cover_top"]  # cavity height t_b + h_f
        self.vias = p.via_positions()
        self.breaks = [self.z[k] for k in ("cover_bottom", "cut_tip", "cover_top", "die_face", "die_back", "top")]
        self.breaks += [self.z["metal_end"], self.z["cut_tip"] + p.metallization_thickness / math.sin(p.half_angle)]

    # ---- cross-sections ------------------------------------------------------------------------
    def body_area(self, z: float) -> float:
        """Package body (no metallization) cross-section at z."""
        ax, ay = self.p.inner_half(z)
        return 4 * ax * ay

    def metal_area(self, z: float) -> float:
        """Back-face metallization cross-section at z (after partial / defect removal)."""
        p, zz = self.p, self.z
        if z >= zz["die_back"]:
            ox, oy = p.outer_half(z)
            return 4 * ox * oy
        if z < zz["cut_tip"]:
            return 0.0
        ox, oy = p.outer_half(z)
        ix, iy = p.inner_half(z)
        ring = 4 * ox * oy - 4 * ix * iy
        cut = zz["die_back"] if p.metallization == "partial" else zz["metal_end"]
        if p.metallization == "full" or z >= cut:
            return ring
        faces = set(p.faces)
        removed = 0.0
        strips = {
            "+x": (ox - ix) * 2 * oy,
            "-x": (ox - ix) * 2 * oy,
            "+y": (oy - iy) * 2 * ox,
            "-y": (oy - iy) * 2 * ox,
        }
        for f in faces:
            removed += strips[f]
        corner = (ox - ix) * (oy - iy)
        for fx in ("+x", "-x"):
            for fy in ("+y", "-y"):
                if fx in faces and fy in faces:
                    removed -= corner
        return ring - removed

    def subframe_area(self) -> float:
        """Plan area of all branch arms or island rings (one level)."""
        if self.p.sub_cavity == "island":
            return len(self.vias) * math.pi * ((self.si + self.w) ** 2 - self.si**2)
        if self.p.sub_cavity == "branch":
            total = 0.0
            for x, y in self.vias:
                arm_y = self.w * (self.cy - (abs(y) - self.si - self.w))
                arm_x = self.w * (self.cx - (abs(x) - self.si))
                total += arm_y + arm_x
            return total
        return 0.0

    def frame_area(self, z: float) -> float:
        """Frame (or bondline) footprint at z: ring between the slanted edge and the cavity, plus sub-frames."""
        return self.body_area(z) - 4 * self.cx * self.cy + self.subframe_area()

    # ---- volumes (full package) ------------------------------------------------------------------
    def tube_volume(self, z0: float, z1: float) -> float:
        """Volume of one via cone (outer liner surface) between z0 and z1."""
        return frustum_volume(self.p.via_radius(z0), self.p.via_radius(z1), z1 - z0)

    def core_radius(self, z: float) -> float:
        """Radius of the solder core (inner liner surface) at z."""
        return self.p.via_radius(z) - self.p.liner_thickness / math.cos(self.beta)

    def core_volume(self) -> float:
        """Solder core of one via, from the pad bottom to the landing on the die face."""
        z0, z1 = self.z["pad"], self.z["die_face"] - self.p.liner_thickness
        return frustum_volume(self.core_radius(z0), self.core_radius(z1), z1 - z0)

    def bump_volume(self) -> float:
        """One bump: truncated sphere plus solder core."""
        return truncated_sphere_volume(self.p.bump_diameter, self.p.bump_height) + self.core_volume()

    def liner_volume(self) -> float:
        """One liner: contact pad + via cone - solder core."""
        pad = math.pi * self.p.pad_radius**2 * self.p.liner_thickness
        return pad + self.tube_volume(self.z["cover_bottom"], self.z["die_face"]) - self.core_volume()

    def subcavity_volume(self, x: float, y: float) -> float:
        """Void of the sub-cavity around the via at (x, y) (0 without sub-cavities)."""
        tube = self.tube_volume(self.z["cover_top"], self.z["die_face"])
        if self.p.sub_cavity == "island":
            return math.pi * self.si**2 * self.height - tube
        if self.p.sub_cavity == "branch":
            return (self.cx - abs(x) + self.si) * (self.cy - abs(y) + self.si) * self.height - tube
        return 0.0

    def device_volume(self) -> float:
        """Component-structure block on the die face."""
        return self.p.device_length * self.p.device_width * self.p.device_thickness

    def cavity_volume(self) -> float:
        """Main cavity void: inside the frame between cover and die face, minus everything standing in it."""
        tube = self.tube_volume(self.z["cover_top"], self.z["die_face"])
        v = 4 * self.cx * self.cy * self.height - self.subframe_area() * self.height - self.device_volume()
        if self.p.sub_cavity == "none":
            return v - len(self.vias) * tube
        return v - sum(self.subcavity_volume(x, y) + tube for x, y in self.vias)

    def volumes(self) -> dict[str, float]:
        """Analytic volume of every static region, full package."""
        z = self.z
        cover = integrate(self.body_area, [b for b in self.breaks if z["cover_bottom"] <= b <= z["cover_top"]])
        cover -= len(self.vias) * self.tube_volume(z["cover_bottom"], z["cover_top"])
        out = {
            "cover": cover,
            "bondline": integrate(self.frame_area, [z["cover_top"], z["frame_bottom"]]),
            "frame": integrate(self.frame_area, [z["frame_bottom"], z["die_face"]]),
            "die": integrate(self.body_area, [z["die_face"], z["die_back"]]),
            "metallization": integrate(self.metal_area, [b for b in self.breaks if b >= z["cut_tip"]]),
        }
        if self.p.device_thickness > 0:
            out["device"] = self.device_volume()
        return out


# ---- OpenCASCADE helpers (arguments in metres, model in micrometres) ---------------------------------
def _box(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float) -> int:
    return gmsh.model.occ.addBox(um(x0), um(y0), um(z0), um(x1 - x0), um(y1 - y0), um(z1 - z0))


def _prism(poly: list[tuple[float, float]], axis: int, big: float) -> int:
    """Polygon (u, z) in the u-z plane (u = x for axis 0, y for axis 1), extruded across the other axis."""
    occ = gmsh.model.occ
    pts = [occ.addPoint(um(u), -big, um(z)) if axis == 0 else occ.addPoint(-big, um(u), um(z)) for u, z in poly]
    lines = [occ.addLine(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts))]
    surface = occ.addPlaneSurface([occ.addCurveLoop(lines)])
    out = occ.extrude([(2, surface)], 0, 2 * big, 0) if axis == 0 else occ.extrude([(2, surface)], 2 * big, 0, 0)
    return next(t for d, t in out if d == 3)


def _envelope(half: Callable[[float], tuple[float, float]], zs: list[float], big: float) -> int:
    """Solid whose half-sizes at the levels ``zs`` (ascending) are ``half(z)``, linear in between."""
    solids = []
    for axis in (0, 1):
        right = [(half(z)[axis], z) for z in zs]
        left = [(-u, z) for u, z in reversed(right)]
        solids.append(_prism(right + left, axis, big))
    out, _ = gmsh.model.occ.intersect([(3, solids[0])], [(3, solids[1])])
    return out[0][1]


def _intersect(tag: int, tool: int) -> list[int]:
    """``tag`` intersected with ``tool`` (the tool is kept)."""
    out, _ = gmsh.model.occ.intersect([(3, tag)], [(3, tool)], removeTool=False)
    return [t for d, t in out if d == 3]


def build_sealed_cavity(params: SealedCavityGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add the package's solids, voids, physical groups and size field to the current gmsh model."""
    occ = gmsh.model.occ
    p, lay = params, Layout(params)
    z = lay.z
    sym = p.symmetry
    hx, hy = p.package_length / 2, p.package_width / 2
    big_m = 4 * (hx + hy + z["top"])
    big = um(big_m)
    keep = kept_box(sym, big_m, big_m)
    keep_solid = _box(keep[0], keep[1], keep[2], keep[3], -big_m, big_m)

    def clip(tag: int) -> list[int]:
        return [tag] if sym == "full" else _intersect(tag, keep_solid)

    # body envelope (slanted edges) and metallization envelope
    phi = p.half_angle
    z_outer = z["cut_tip"] + p.metallization_thickness / math.sin(phi)
    body = _envelope(p.inner_half, [z["cover_bottom"] - 1e-6, z["cut_tip"], z["die_back"]], big)
    outer = _envelope(p.outer_half, [z["cut_tip"], z_outer, z["top"]], big)
    metal, _ = occ.cut([(3, outer)], [(3, body)], removeTool=False)
    metal_tags = [t for d, t in metal if d == 3]
    if p.metallization != "full":
        cut_z = z["die_back"] if p.metallization == "partial" else z["metal_end"]
        tools = []
        for face in p.faces:
            axis, sign = (0 if face[1] == "x" else 1), (1.0 if face[0] == "+" else -1.0)
            edge = hx if axis == 0 else hy
            poly = [
                (edge, z["cut_tip"] - 1e-6),
                (big_m, z["cut_tip"] - 1e-6),
                (big_m, cut_z),
                (p.inner_half(cut_z)[axis], cut_z),
                (edge, z["cut_tip"]),
            ]
            tools.append((3, _prism([(sign * u, zz) for u, zz in poly], axis, big)))
        metal, _ = occ.cut([(3, t) for t in metal_tags], tools)
        metal_tags = [t for d, t in metal if d == 3]
    body = clip(body)[0]
    solids: dict[str, list[int]] = {}

    # vias: liner (pad + cone) and bump (sphere + solder core); the core wins where they overlap
    r_pad, radius, h_b, t_u = p.pad_radius, p.bump_diameter / 2, p.bump_height, p.liner_thickness
    tol = 1e-6 * min(p.via_pitch_x, p.via_pitch_y)
    kept = [(x, y, f) for x, y in lay.vias if (f := fraction_kept(sym, x, y, tol)) > 0]
    for j, (x, y, f) in enumerate(kept):
        core_top = z["die_face"] - t_u
        core = occ.addCone(
            um(x), um(y), um(z["pad"]), 0, 0, um(core_top - z["pad"]), um(lay.core_radius(z["pad"])),
            um(lay.core_radius(core_top)),
        )  # fmt: skip
        sphere = occ.addSphere(um(x), um(y), um(h_b / 2), um(radius))
        slab = _box(x - 2 * radius, x + 2 * radius, y - 2 * radius, y + 2 * radius, 0.0, h_b)
        cap, _ = occ.intersect([(3, sphere)], [(3, slab)])
        pad = occ.addCylinder(um(x), um(y), um(z["pad"]), 0, 0, um(t_u), um(r_pad))
        cone = occ.addCone(
            um(x), um(y), um(z["cover_bottom"]), 0, 0, um(z["die_face"] - z["cover_bottom"]),
            um(p.via_radius(z["cover_bottom"])), um(p.via_radius(z["die_face"])),
        )  # fmt: skip
        bump = [t for tag in [core, cap[0][1]] for t in (clip(tag) if f < 1 else [tag])]
        liner = [t for tag in [pad, cone] for t in (clip(tag) if f < 1 else [tag])]
        solids[f"bump_{j:04d}"] = bump
        solids[f"liner_{j:04d}"] = liner

    if p.device_thickness > 0:
        dx, dy = p.device_length / 2, p.device_width / 2
        solids["device"] = clip(_box(-dx, dx, -dy, dy, z["die_face"] - p.device_thickness, z["die_face"]))
    solids["metallization"] = [t for tag in metal_tags for t in clip(tag)]
    solids["die"] = _intersect(_box(-big_m, big_m, -big_m, big_m, z["die_face"], z["top"]), body)
    solids["cover"] = _intersect(_box(-big_m, big_m, -big_m, big_m, z["cover_bottom"], z["cover_top"]), body)
    for name, z0, z1 in (("bondline", z["cover_top"], z["frame_bottom"]), ("frame", z["frame_bottom"], z["die_face"])):
        ring, _ = occ.cut(
            [(3, _box(-big_m, big_m, -big_m, big_m, z0, z1))], [(3, _box(-lay.cx, lay.cx, -lay.cy, lay.cy, z0, z1))]
        )
        parts = [ring[0][1], *_subframes(lay, z0, z1)]
        solids[name] = [t for tag in parts for t in _intersect(tag, body)]
    voids: dict[str, list[int]] = {}
    for j, (x, y, _f) in enumerate(kept):
        pocket = _subcavity(lay, x, y)
        if pocket is not None:
            voids[f"subcavity_{j:04d}"] = clip(pocket)
    voids["cavity"] = clip(_box(-lay.cx, lay.cx, -lay.cy, lay.cy, z["cover_top"], z["die_face"]))
    occ.remove([(3, body), (3, keep_solid)], recursive=True)

    pieces = fragment_parts({**solids, **voids})
    occ.synchronize()

    # surfaces of the voids, then the voids are removed (not meshed)
    def in_symmetry_plane(dim: int, tag: int) -> bool:
        box = gmsh.model.getBoundingBox(dim, tag)
        return (sym != "full" and abs(box[0]) < _EPS and abs(box[3]) < _EPS) or (
            sym == "quarter" and abs(box[1]) < _EPS and abs(box[4]) < _EPS
        )

    def walls(names: list[str]) -> list[int]:
        vols = [(3, v) for n in names for v in pieces[n]]
        faces = gmsh.model.getBoundary(vols, combined=False, oriented=False) if vols else []
        return sorted({t for _, t in faces if not in_symmetry_plane(2, t)})

    sub_names = [n for n in voids if n != "cavity"]
    cavity_wall, subcavity_wall = walls(["cavity"]), walls(sub_names)
    void_vols = [(3, v) for n in voids for v in pieces[n]]
    occ.remove(void_vols, recursive=True)
    occ.synchronize()
    for n in voids:
        pieces.pop(n)

    # volume groups
    roles = p.roles()
    frac = 1.0 / copies(sym)
    volumes = lay.volumes()
    regions = []
    for name, tag in TAGS.items():
        if name in pieces:
            gmsh.model.addPhysicalGroup(3, pieces[name], tag, name=name)
            regions.append(Region(name, tag, name, roles[name], volume=frac * volumes[name]))
    v_bump, v_liner = lay.bump_volume(), lay.liner_volume()
    for j, (x, y, f) in enumerate(kept):
        mult = round(copies(sym) * f)
        name = f"bump_{j:04d}"
        gmsh.model.addPhysicalGroup(3, pieces[name], BUMP_TAG0 + j, name=name)
        regions.append(Region(name, BUMP_TAG0 + j, "bump", roles["bump"], j, (x, y, h_b / 2), mult, f, f * v_bump))
        name = f"liner_{j:04d}"
        gmsh.model.addPhysicalGroup(3, pieces[name], LINER_TAG0 + j, name=name)
        regions.append(Region(name, LINER_TAG0 + j, "liner", roles["liner"], volume=f * v_liner))

    # surface groups: symmetry planes, cavity walls, outside (all disjoint)
    all_vols = [(3, v) for tags in pieces.values() for v in tags]
    exterior = {t for _, t in gmsh.model.getBoundary(all_vols, combined=True, oriented=False)}
    boundaries = []
    for name, axis in (("symmetry_x", 0), ("symmetry_y", 1)):
        if (name == "symmetry_x" and sym != "full") or (name == "symmetry_y" and sym == "quarter"):
            plane = [t for t in exterior if _in_plane(t, axis)]
            gmsh.model.addPhysicalGroup(2, plane, BOUNDARY_TAGS[name], name=name)
            boundaries.append(Boundary(name, BOUNDARY_TAGS[name]))
    outside = sorted(t for t in exterior if not in_symmetry_plane(2, t) and t not in cavity_wall + subcavity_wall)
    for name, faces in (("cavity_wall", cavity_wall), ("subcavity_wall", subcavity_wall), ("outside", outside)):
        if faces:
            gmsh.model.addPhysicalGroup(2, faces, SURFACE_TAGS[name], name=name)
            boundaries.append(Boundary(name, SURFACE_TAGS[name]))

    # supports at corners of the metallization's top face (always geometric vertices)
    ox, oy = p.outer_half(z["top"])
    planes, supports = planes_and_supports(sym, ox, oy)
    supports = [PointSupport((s.point[0], s.point[1], z["top"]), s.components) for s in supports]

    joint_size, max_size = _size_defaults(p, mesh)
    joint_vols = [(3, v) for n, tags in pieces.items() if n.startswith(("bump_", "liner_")) for v in tags]
    surfaces = sorted({t for _, t in gmsh.model.getBoundary(joint_vols, combined=False, oriented=False)})
    set_size_field(surfaces, joint_size, max_size, joint_size, 2 * p.bump_diameter)
    limits = {
        "bondline": THIN_ASPECT * p.bondline_thickness,
        "metallization": THIN_ASPECT * p.metallization_thickness,
        "device": THIN_ASPECT * p.device_thickness,
        "frame": max(p.frame_height, joint_size),
        "die": max(p.die_thickness, joint_size),
    }
    caps = [(pieces[n], s) for n, s in limits.items() if n in pieces]
    liners = [v for n, tags in pieces.items() if n.startswith("liner_") for v in tags]
    caps.append((liners, min(joint_size, THIN_ASPECT * p.liner_thickness)))
    bumps = [v for n, tags in pieces.items() if n.startswith("bump_") for v in tags]
    caps.append((bumps, min(joint_size, math.pi * p.bump_diameter / BUMP_EDGES_PER_TURN)))
    limit_sizes(caps)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", ELEMENTS_PER_TURN)

    sub_full = [lay.subcavity_volume(x, y) for x, y in lay.vias] if p.sub_cavity != "none" else []
    info: dict[str, float | int | str] = {
        "cavity_volume": lay.cavity_volume(),
        "cavity_volume_modelled": frac * lay.cavity_volume(),
        "cavity_height": lay.height,
        "cavity_length": 2 * lay.cx,
        "cavity_width": 2 * lay.cy,
        "subcavities": len(sub_full),
        "subcavity_volume": sub_full[0] if sub_full else 0.0,
        "subcavity_volume_modelled": sum(f * lay.subcavity_volume(x, y) for x, y, f in kept) if sub_full else 0.0,
        "sub_cavity": p.sub_cavity,
        "metallization": p.metallization,
        "open_faces": ",".join(p.faces) if p.metallization != "full" else "",
        "metallization_end_z": z["metal_end"],
        "bondline_top_z": z["frame_bottom"],
        "cut_tip_z": z["cut_tip"],
        "frame_left_at_die_face": min(p.inner_half(z["die_face"])[0] - lay.cx, p.inner_half(z["die_face"])[1] - lay.cy),
        "die_back_length": 2 * p.inner_half(z["die_back"])[0],
        "die_back_width": 2 * p.inner_half(z["die_back"])[1],
        "vias_total": len(lay.vias),
        "vias_modelled": len(kept),
        "via_diameter_at_die_face": 2 * p.via_radius(z["die_face"]),
        "contact_diameter": 2 * r_pad,
        "max_dnp": max(math.hypot(x, y) for x, y in lay.vias),
        "thickness": z["top"],
        "joint_size": joint_size,
        "max_size": max_size,
    }
    return ModelDescription("sealed_cavity", sym, regions, boundaries, planes, supports, info)


def _in_plane(tag: int, axis: int) -> bool:
    box = gmsh.model.getBoundingBox(2, tag)
    return abs(box[axis]) < _EPS and abs(box[axis + 3]) < _EPS


def _subframes(lay: Layout, z0: float, z1: float) -> list[int]:
    """Branch arms (L-shaped, joined to the frame) or island rings between z0 and z1, full package."""
    occ = gmsh.model.occ
    out = []
    si, w = lay.si, lay.w
    for x, y in lay.vias:
        if lay.p.sub_cavity == "island":
            outer = occ.addCylinder(um(x), um(y), um(z0), 0, 0, um(z1 - z0), um(si + w))
            inner = occ.addCylinder(um(x), um(y), um(z0), 0, 0, um(z1 - z0), um(si))
            ring, _ = occ.cut([(3, outer)], [(3, inner)])
            out.append(ring[0][1])
        elif lay.p.sub_cavity == "branch":
            sx, sy = math.copysign(1.0, x), math.copysign(1.0, y)
            ax0, ax1 = abs(x) - si - w, abs(x) - si
            ay0, ay1 = abs(y) - si - w, abs(y) - si
            for bx0, bx1, by0, by1 in ((ax0, ax1, ay0, lay.cy + w), (ax0, lay.cx + w, ay0, ay1)):
                xs, ys = sorted((sx * bx0, sx * bx1)), sorted((sy * by0, sy * by1))
                out.append(_box(xs[0], xs[1], ys[0], ys[1], z0, z1))
    return out


def _subcavity(lay: Layout, x: float, y: float) -> int | None:
    """Void solid of the sub-cavity around the via at (x, y), including the via tube (the tube wins)."""
    z0, z1 = lay.z["cover_top"], lay.z["die_face"]
    if lay.p.sub_cavity == "island":
        return gmsh.model.occ.addCylinder(um(x), um(y), um(z0), 0, 0, um(z1 - z0), um(lay.si))
    if lay.p.sub_cavity == "branch":
        sx, sy = math.copysign(1.0, x), math.copysign(1.0, y)
        xs = sorted((sx * (abs(x) - lay.si), sx * lay.cx))
        ys = sorted((sy * (abs(y) - lay.si), sy * lay.cy))
        return _box(xs[0], xs[1], ys[0], ys[1], z0, z1)
    return None


def _size_defaults(p: SealedCavityGeometry, mesh: MeshSettings) -> tuple[float, float]:
    """(joint size, max size): given, or from the bump, via and layer dimensions."""
    joint = mesh.joint_size or min(p.bump_diameter / 6, p.bump_height / 3, p.via_diameter / 3)
    largest = mesh.max_size or min(p.cover_thickness, p.package_length / 6, p.package_width / 6)
    return joint, max(largest, joint)
