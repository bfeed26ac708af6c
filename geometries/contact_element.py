"""``contact_element``: die contact areas with integral 3-D elastic contact elements on a substrate (gmsh OCC).

Seed 002 (``shared/seeds/NOTES.md``, section 002): each contact area (1) on the die carries a contact
element (5) made in one piece with it, a pin (claim 15) or a leaf spring (claims 21-25), prebent at a
solid angle (claims 6-7); the free end stands on the substrate (or interposer) and is soldered to it
through a contact head of solder (claim 20) or bonded directly (claims 26, 46). The interspaces may be
potted (claims 41-42). Parameters, rules and the path formulas are in
:mod:`fem_package.case.geometry_contact_element`.

Levels (z up, substrate bottom at z = 0; ts, tsp, hh, H, tca, td = substrate, substrate pad, solder
head (0 for ``tip = "direct"``), element height, contact area, die thickness)::

    die            z_die .. z_die + td             box die_length x die_width, z_die = z_e1 + tca
    contact areas  z_e1 .. z_die                   Al boxes contact_area_length x _width, turned to the lean
    elements       z_e0 .. z_e1 = z_e0 + H         swept section along the element path
    solder heads   ts + tsp .. z_e0                cylinders of head_diameter under the tips
    substrate pads ts .. ts + tsp                  Cu boxes with the contact-area footprint, under the tips
    substrate      0 .. ts                         box substrate_length x substrate_width

How the tip meets the substrate: the element ends on the plane z = z_e0, on the flat top of its solder
head (a cylinder standing for a solidified solder cap, claim 20) or, with ``tip = "direct"``, directly
on the substrate pad (thermocompression / bonded leaf-spring end). Both ends are horizontal plane cuts,
so the element shares a face with the contact area and with the head or pad: the mesh is conformal
through every interface (all solids are fragmented together).

The element is built by sweeping its section (a disk of ``pin_diameter``, or a rectangle
``contact_area_width`` x ``leaf_thickness``) along a wire of lines and circular arcs
(``occ.addPipe``) that runs a little past both end planes, then cutting it to the slab between them
(and to the kept symmetry box). Its volume is exactly V = A L (section area times centre-line length
between the planes): along arcs by Pappus's theorem (the section's centroid lies on the path, bend
radius > half the section), at the oblique end cuts because a plane through the centroid removes as
much as it adds (the path is straight for at least half-section x tan(tilt) on either side of each
cut, which the parameter checks guarantee).

Every element is a joint region (tag 1000 + j, role ``contact_element``) whose ``joint_center`` is the
contact-area centre (x, y) at mid-height of the element, z = (z_e0 + z_e1) / 2; its DNP is the
contact area's distance from the neutral point, the quantity of the claim-10 design rule
(:mod:`postprocess.contact_design_rule`). All elements have the same path, so the path length is one
number: ``info["element_length"]`` (m), the length of every joint region of role ``contact_element``.

Symmetry: elements lean radially (outward or inward), so the array is mirror-symmetric about x = 0 and
y = 0; quarter, half and full models are exact. Elements on a symmetry plane lean within it and are
cut in half; a vertical element at the neutral point is cut in four.
"""

from __future__ import annotations

import math

import gmsh

from fem_package.case.geometry_contact_element import ContactElementGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription, Region
from geometries.meshing import set_size_field, um
from geometries.occ_parts import add_box, clip, fragment_parts, limit_sizes
from geometries.symmetry import add_standard_boundaries, copies, fraction_kept, kept_box, planes_and_supports

# Physical-group tags of the volumes; element j gets ELEMENT_TAG0 + j.
TAGS = {"die": 1, "substrate": 2, "potting": 3, "contact_area": 4, "substrate_pad": 5, "head": 6}
ELEMENT_TAG0 = 1000
SEGMENTS_PER_TURN = 28
"""Curved surfaces (pins, heads, bends) get at least this many element edges per full circle, and the
default joint size is a pin's circumference over it: a faceted circle then loses under 1 % of its
area (regular 28-gon: 1 - sin(2 pi/28) / (2 pi/28) = 0.84 %)."""

Box = tuple[float, float, float, float]
Vec = tuple[float, float, float]


def _cut_to(tag: int, x: float, y: float, reach: float, z0: float, z1: float, keep: Box) -> int:
    """Intersect solid ``tag`` with the box of half-size ``reach`` around (x, y), inside ``keep``, z0 .. z1."""
    cutter = add_box(clip((x - reach, x + reach, y - reach, y + reach), keep), z0, z1)
    out, _ = gmsh.model.occ.intersect([(3, tag)], [(3, cutter)])
    return out[0][1]


def _turned_box(
    x: float, y: float, direction: tuple[float, float], length: float, width: float, z0: float, z1: float
) -> int:
    """Box ``length`` along ``direction`` x ``width`` across, centred on (x, y), from z0 to z1."""
    occ = gmsh.model.occ
    tag = occ.addBox(um(x - length / 2), um(y - width / 2), um(z0), um(length), um(width), um(z1 - z0))
    angle = math.atan2(direction[1], direction[0])
    if abs(angle) > 1e-12:
        occ.rotate([(3, tag)], um(x), um(y), 0.0, 0.0, 0.0, 1.0, angle)
    return tag


def _pipe(params: ContactElementGeometry, x: float, y: float, z_e1: float, extension: float) -> int:
    """The element of the contact area at (x, y), swept along its path extended by ``extension`` past both ends.

    The path (s, d) of the radial plane maps to (x + s ux, y + s uy, z_e1 - d).
    """
    occ = gmsh.model.occ
    ux, uy = params.lean_direction(x, y)

    def point(s: float, d: float) -> int:
        return occ.addPoint(um(x + s * ux), um(y + s * uy), um(z_e1 - d))

    segments = params.path()
    a0, a1 = params.end_angles
    s0, e1 = segments[0][1], segments[-1][2]  # the first and last pieces are straight lines
    start = (s0[0] - extension * math.sin(a0), s0[1] - extension * math.cos(a0))
    end = (e1[0] + extension * math.sin(a1), e1[1] + extension * math.cos(a1))
    segments[0] = (segments[0][0], start, segments[0][2], None)
    segments[-1] = (segments[-1][0], segments[-1][1], end, None)
    curves = []
    first = previous = point(*start)
    for kind, _, p1, centre in segments:
        nxt = point(*p1)
        if kind == "line" or centre is None:
            curves.append(occ.addLine(previous, nxt))
        else:
            mid = point(*centre)
            curves.append(occ.addCircleArc(previous, mid, nxt))
            occ.remove([(0, mid)])
        previous = nxt
    wire = occ.addWire(curves)
    tangent: Vec = (math.sin(a0) * ux, math.sin(a0) * uy, -math.cos(a0))
    p0 = (x + start[0] * ux, y + start[0] * uy, z_e1 - start[1])
    if params.section == "pin":
        r = um(params.pin_diameter / 2)
        profile = occ.addDisk(um(p0[0]), um(p0[1]), um(p0[2]), r, r, zAxis=list(tangent))
    else:
        across: Vec = (-uy, ux, 0.0)
        depth: Vec = (math.cos(a0) * ux, math.cos(a0) * uy, math.sin(a0))
        hw, ht = params.contact_area_width / 2, params.leaf_thickness / 2
        corners = [
            occ.addPoint(*(um(p0[i] + sa * hw * across[i] + sd * ht * depth[i]) for i in range(3)))
            for sa, sd in ((-1, -1), (1, -1), (1, 1), (-1, 1))
        ]
        edges = [occ.addLine(corners[i], corners[(i + 1) % 4]) for i in range(4)]
        profile = occ.addPlaneSurface([occ.addCurveLoop(edges)])
    swept = occ.addPipe([(2, profile)], wire)
    occ.remove([(2, profile)], recursive=True)
    occ.remove([(1, c) for c in curves], recursive=True)
    occ.remove([(0, first)])
    return next(t for d, t in swept if d == 3)


def _size_defaults(params: ContactElementGeometry, mesh: MeshSettings) -> tuple[float, float]:
    """(joint size, max size): given, or from the section and layer dimensions."""
    if params.section == "pin":
        joint = math.pi * params.pin_diameter / SEGMENTS_PER_TURN
    else:
        joint = min(params.leaf_thickness / 3, params.contact_area_width / 4)
    joint = mesh.joint_size or joint
    largest = mesh.max_size or min(params.die_thickness, params.substrate_thickness, 2 * params.pitch)
    return joint, max(largest, joint)


def build_contact_element(params: ContactElementGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add substrate, pads, heads, contact elements, contact areas, potting and die with groups and size field."""
    occ = gmsh.model.occ
    sym = params.symmetry
    ts, tsp, h = params.substrate_thickness, params.substrate_pad_thickness, params.element_height
    tca, td = params.contact_area_thickness, params.die_thickness
    hh = params.head_height if params.tip == "solder_head" else 0.0
    z_pad = ts + tsp
    z_e0 = z_pad + hh
    z_e1 = z_e0 + h
    z_die = z_e1 + tca
    z_top = z_die + td
    hx, hy = params.substrate_length / 2, params.substrate_width / 2
    keep = kept_box(sym, hx, hy)
    die_fp = clip((-params.die_length / 2, params.die_length / 2, -params.die_width / 2, params.die_width / 2), keep)
    ca_l, ca_w = params.contact_area_length, params.contact_area_width
    pad_reach = math.hypot(ca_l, ca_w)
    extension = 2 * math.hypot(params.half_depth, params.half_across) * (1 + math.tan(max(params.end_angles)))
    positions = params.element_positions()
    tol = 1e-6 * params.pitch
    kept = [(x, y, f) for x, y in positions if (f := fraction_kept(sym, x, y, tol)) > 0]

    solids: dict[str, list[int]] = {"substrate": [add_box(keep, 0.0, ts)], "die": [add_box(die_fp, z_die, z_top)]}
    if params.potting:
        solids["potting"] = [add_box(die_fp, ts, z_die)]
    solids.update({"contact_area": [], "substrate_pad": []})
    if hh:
        solids["head"] = []
    for j, (x, y, f) in enumerate(kept):
        direction = params.lean_direction(x, y)
        tx, ty = params.tip_position(x, y)
        ca = _turned_box(x, y, direction, ca_l, ca_w, z_e1, z_die)
        sp = _turned_box(tx, ty, direction, ca_l, ca_w, ts, z_pad)
        reach = pad_reach + params.tip_offset + extension
        solids[f"element_{j:04d}"] = [_cut_to(_pipe(params, x, y, z_e1, extension), x, y, reach, z_e0, z_e1, keep)]
        solids["contact_area"].append(ca if f == 1 else _cut_to(ca, x, y, pad_reach, z_e1, z_die, keep))
        solids["substrate_pad"].append(sp if f == 1 else _cut_to(sp, tx, ty, pad_reach, ts, z_pad, keep))
        if hh:
            head = occ.addCylinder(um(tx), um(ty), um(z_pad), 0, 0, um(hh), um(params.head_diameter / 2))
            solids["head"].append(head if f == 1 else _cut_to(head, tx, ty, pad_reach, z_pad, z_e0, keep))
    pieces = fragment_parts(solids, rank=lambda name: name == "potting")
    occ.synchronize()

    fractions = sum(f for _, _, f in kept)
    v_element = params.section_area * params.element_length
    v_head = math.pi * params.head_diameter**2 / 4 * hh
    area_die = (die_fp[1] - die_fp[0]) * (die_fp[3] - die_fp[2])
    volumes = {
        "die": area_die * td,
        "substrate": (keep[1] - keep[0]) * (keep[3] - keep[2]) * ts,
        "potting": area_die * (z_die - ts) - fractions * (ca_l * ca_w * (tca + tsp) + v_head + v_element),
        "contact_area": fractions * ca_l * ca_w * tca,
        "substrate_pad": fractions * ca_l * ca_w * tsp,
        "head": fractions * v_head,
    }
    roles = params.roles()
    regions = []
    for name, tag in TAGS.items():
        if name in pieces:
            gmsh.model.addPhysicalGroup(3, pieces[name], tag, name=name)
            regions.append(Region(name, tag, name, roles[name], volume=volumes[name]))
    material = roles["contact_element"]
    for j, (x, y, f) in enumerate(kept):
        name = f"element_{j:04d}"
        gmsh.model.addPhysicalGroup(3, pieces[name], ELEMENT_TAG0 + j, name=name)
        center, multiplicity = (x, y, (z_e0 + z_e1) / 2), round(copies(sym) * f)
        regions.append(
            Region(name, ELEMENT_TAG0 + j, "contact_element", material, j, center, multiplicity, f, f * v_element)
        )

    boundaries = add_standard_boundaries(sym, hx, hy, z_top)
    planes, supports = planes_and_supports(sym, hx, hy)
    joint_size, max_size = _size_defaults(params, mesh)
    fine = [(3, v) for n in pieces if n.startswith("element_") for v in pieces[n]]
    surfaces = gmsh.model.getBoundary(fine, combined=False, oriented=False)
    set_size_field(sorted({t for _, t in surfaces}), joint_size, max_size, joint_size, params.pitch / 2)
    limits = {"contact_area": 3 * tca, "substrate_pad": 3 * tsp}
    if params.potting:
        limits["potting"] = max(joint_size, z_die - ts)
    limit_sizes([(pieces[name], size) for name, size in limits.items() if name in pieces])
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", SEGMENTS_PER_TURN)
    info: dict[str, float | int | str] = {
        "elements_total": len(positions),
        "elements_modelled": len(kept),
        "shape": params.shape,
        "section": params.section,
        "tip": params.tip,
        "lean": params.lean,
        "tilt_angle_deg": params.tilt_angle,
        "element_length": params.element_length,
        "element_height": h,
        "element_length_to_height": params.element_length / h,
        "tip_offset": params.tip_offset,
        "section_area": params.section_area,
        "section_to_contact_area": (
            params.pin_diameter / min(ca_l, ca_w) if params.section == "pin" else params.contact_area_width / ca_w
        ),
        "max_dnp": max(math.hypot(x, y) for x, y in positions),
        "die_bottom": z_die,
        "thickness": z_top,
        "joint_size": joint_size,
        "max_size": max_size,
    }
    return ModelDescription("contact_element", sym, regions, boundaries, planes, supports, info)
