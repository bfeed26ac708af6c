"""``liquid_metal_gel``: fusible masses in cavities of a compliant gel layer (WO 97/40958), gmsh OpenCASCADE.

The chip-scale unit of WO 97/40958 Figs. 1-4 on a substrate (digest: ``shared/seeds/NOTES.md``, 001):
a die whose contacts 24 carry masses 42 of a low-melting fusible alloy; the masses fill cavities
through a compliant gel layer 54 ("between about 50 and 250 microns thick") and wet the barrier
metal 18 ("about 1 micron thick") of the contacts 16 of a polyimide sheet 10 ("about 25 microns or
less"), whose solid via liners 15 (terminals 17) are bonded to the substrate 60. Options: masses
tapered along their axis (Fig. 9, mass 442b) and, as in Fig. 22, a compliant encapsulant 1255 around
the unit carrying a metal or aluminium-nitride spreader/shield 1282 on the die.

Levels (z up, substrate bottom at z = 0; ts, tsh, tg, td = substrate, sheet, gel, die thickness;
tc = contact, tb = barrier thickness; h = tg - 2 (tc + tb) the mass height)::

    spreader         zd + td  ..  zd + td + t_spr        encapsulant footprint (option)
    die              zd       ..  zd + td                 zd = z1 + tg
    die contact      zd - tc  ..  zd                      disc of contact_diameter
    die barrier      zd - tc - tb .. zd - tc              disc (barrier = "layer"); merged: contact is tc + tb
    mass             z1 + tc + tb .. zd - tc - tb         cylinder or frustum, tag 1000 + joint id
    sheet barrier    z1 + tc  ..  z1 + tc + tb            disc (barrier = "layer"); merged: contact is tc + tb
    sheet contact    z1       ..  z1 + tc                 disc of contact_diameter
    gel              z1       ..  zd                      die footprint, around contacts and masses
    sheet + vias     ts       ..  z1 = ts + tsh           die footprint; Cu vias of via_diameter (role terminal)
    encapsulant      ts       ..  zd + td                 die footprint + margin, around the unit (option)
    substrate        0        ..  ts                      substrate_length x substrate_width

A mass of wide diameter D = 2R, narrow diameter d = 2r = D - 2 h tan(theta) (theta = taper_angle) is
the frustum of volume V = pi h (R^2 + R r + r^2) / 3 (the cylinder pi R^2 h when theta = 0); its
narrow end faces the die or the sheet (``narrow_end``). Gel and sheet volumes are their boxes less
the parts inside them. The terminal bond to the substrate (bonding material 20) is not drawn: the
sheet and its terminals are bonded to the substrate top. Solids are cut to the kept symmetry box,
then fragmented together so every interface is conformal. Arguments are SI metres; the gmsh model
is drawn in micrometres (:func:`geometries.meshing.um`).
"""

from __future__ import annotations

import math

import gmsh

from fem_package.case.geometry_liquid_metal_gel import LiquidMetalGelGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription, Region
from geometries.meshing import set_size_field, um
from geometries.occ_parts import add_box, clip, fragment_parts
from geometries.symmetry import add_standard_boundaries, copies, fraction_kept, kept_box, planes_and_supports

# Physical-group tags of the volumes (one per role); mass j gets MASS_TAG0 + j.
TAGS = {
    "die": 1,
    "substrate": 2,
    "gel": 3,
    "contact": 4,
    "sheet": 5,
    "terminal": 6,
    "barrier": 7,
    "encapsulant": 8,
    "spreader": 9,
}
MASS_TAG0 = 1000
ELEMENTS_PER_TURN = 30
"""Curved surfaces get at least this many element edges per full circle: a faceted disc then keeps
(n / 2 pi) sin(2 pi / n) = 99.3 % of its area, so every round part meshes within 1 % of its volume."""

FILLERS = {"gel": 1, "sheet": 1, "encapsulant": 2}
"""Solids drawn as whole boxes that keep only what no other part takes (lower number wins among them)."""

Box = tuple[float, float, float, float]


def frustum_volume(d_wide: float, d_narrow: float, height: float) -> float:
    """Volume pi h (R^2 + R r + r^2) / 3 of a truncated cone of end diameters 2R, 2r and ``height`` h."""
    big, small = d_wide / 2, d_narrow / 2
    return math.pi * height * (big * big + big * small + small * small) / 3


def _area(box: Box) -> float:
    return (box[1] - box[0]) * (box[3] - box[2])


def _round(x: float, y: float, z0: float, z1: float, r0: float, r1: float, fraction: float, keep: Box) -> int:
    """Cylinder (r0 = r1) or cone frustum from radius ``r0`` at ``z0`` to ``r1`` at ``z1``, cut to the kept box.

    The clipping box overhangs the solid by its radius so its sides never touch it tangentially.
    """
    occ = gmsh.model.occ
    if abs(r0 - r1) < 1e-12:
        tag = occ.addCylinder(um(x), um(y), um(z0), 0, 0, um(z1 - z0), um(r0))
    else:
        tag = occ.addCone(um(x), um(y), um(z0), 0, 0, um(z1 - z0), um(r0), um(r1))
    if fraction == 1:
        return tag
    r = max(r0, r1)
    cutter = add_box(clip((x - 2 * r, x + 2 * r, y - 2 * r, y + 2 * r), keep), z0, z1)
    out, _ = occ.intersect([(3, tag)], [(3, cutter)])
    return out[0][1]


def _size_defaults(params: LiquidMetalGelGeometry, mesh: MeshSettings) -> tuple[float, float]:
    """(joint size, max size): given, or from the mass and layer dimensions."""
    joint = mesh.joint_size or min(params.mass_diameter / 5, params.mass_height / 3)
    largest = mesh.max_size or min(params.die_thickness, params.substrate_thickness, 2 * params.pitch)
    return joint, max(largest, joint)


def build_liquid_metal_gel(params: LiquidMetalGelGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add the package's solids, their physical groups and the size field to the gmsh model."""
    sym = params.symmetry
    ts, tsh, tg, td = params.substrate_thickness, params.sheet_thickness, params.gel_thickness, params.die_thickness
    tc, tb, tp, h = params.contact_thickness, params.barrier_thickness, params.pad_thickness, params.mass_height
    layered = params.barrier == "layer"
    z1 = ts + tsh
    z_die = z1 + tg
    z_die_top = z_die + td
    z_top = z_die_top + (params.spreader_thickness if params.spreader else 0.0)
    z_m0, z_m1 = z1 + tc + tb, z_die - tc - tb
    r_sheet_end, r_die_end = (d / 2 for d in params.end_diameters())
    rc, rv = params.contact_diameter / 2, params.via_diameter / 2
    hx, hy = params.substrate_length / 2, params.substrate_width / 2
    keep = kept_box(sym, hx, hy)
    half_l, half_w = params.die_length / 2, params.die_width / 2
    die_fp = clip((-half_l, half_l, -half_w, half_w), keep)
    m = params.encapsulant_margin
    enc_fp = clip((-half_l - m, half_l + m, -half_w - m, half_w + m), keep)
    tol = 1e-6 * params.pitch
    positions = params.mass_positions()
    kept = [(x, y, f) for x, y in positions if (f := fraction_kept(sym, x, y, tol)) > 0]

    solids: dict[str, list[int]] = {
        "substrate": [add_box(keep, 0.0, ts)],
        "die": [add_box(die_fp, z_die, z_die_top)],
        "gel": [add_box(die_fp, z1, z_die)],
        "sheet": [add_box(die_fp, ts, z1)],
        "contact": [],
        "terminal": [],
    }
    if layered:
        solids["barrier"] = []
    if params.encapsulant:
        solids["encapsulant"] = [add_box(enc_fp, ts, z_die_top)]
    if params.spreader:
        solids["spreader"] = [add_box(enc_fp, z_die_top, z_top)]
    # Sheet-side contact (with merged barrier) from z1, die-side contact (with merged barrier) down from z_die.
    pad_levels = [(z1, z1 + tp), (z_die - tp, z_die)]
    barrier_levels = [(z1 + tc, z_m0), (z_m1, z_die - tc)]
    for j, (x, y, f) in enumerate(kept):
        solids[f"mass_{j:04d}"] = [_round(x, y, z_m0, z_m1, r_sheet_end, r_die_end, f, keep)]
        solids["terminal"].append(_round(x, y, ts, z1, rv, rv, f, keep))
        for z0, z1_ in pad_levels:
            solids["contact"].append(_round(x, y, z0, z1_, rc, rc, f, keep))
        if layered:
            for z0, z1_ in barrier_levels:
                solids["barrier"].append(_round(x, y, z0, z1_, rc, rc, f, keep))
    pieces = fragment_parts(solids, rank=lambda name: FILLERS.get(name, 0))
    gmsh.model.occ.synchronize()

    n_kept = sum(f for _, _, f in kept)
    v_mass = params.mass_volume()
    v_pad, v_barrier, v_via = math.pi * rc * rc * tp, math.pi * rc * rc * tb, math.pi * rv * rv * tsh
    a_die, a_enc = _area(die_fp), _area(enc_fp)
    volumes = {
        "die": a_die * td,
        "substrate": _area(keep) * ts,
        "gel": a_die * tg - n_kept * (v_mass + 2 * v_pad + (2 * v_barrier if layered else 0.0)),
        "sheet": a_die * tsh - n_kept * v_via,
        "contact": 2 * n_kept * v_pad,
        "terminal": n_kept * v_via,
        "barrier": 2 * n_kept * v_barrier,
        "encapsulant": (a_enc - a_die) * (z_die_top - ts),
        "spreader": a_enc * (z_top - z_die_top),
    }
    roles = params.roles()
    regions = []
    for name, tag in TAGS.items():
        if pieces.get(name):
            gmsh.model.addPhysicalGroup(3, pieces[name], tag, name=name)
            regions.append(Region(name, tag, name, roles[name], volume=volumes[name]))
    for j, (x, y, f) in enumerate(kept):
        name = f"mass_{j:04d}"
        gmsh.model.addPhysicalGroup(3, pieces[name], MASS_TAG0 + j, name=name)
        center, multiplicity = (x, y, (z_m0 + z_m1) / 2), round(copies(sym) * f)
        regions.append(Region(name, MASS_TAG0 + j, "mass", roles["mass"], j, center, multiplicity, f, f * v_mass))

    boundaries = add_standard_boundaries(sym, hx, hy, z_top)
    planes, supports = planes_and_supports(sym, hx, hy)
    joint_size, max_size = _size_defaults(params, mesh)
    refined = [
        (3, v) for name in pieces if name in ("contact", "barrier") or name.startswith("mass_") for v in pieces[name]
    ]
    surfaces = [t for _, t in gmsh.model.getBoundary(refined, combined=False, oriented=False)]
    set_size_field(sorted(set(surfaces)), joint_size, max_size, joint_size, params.pitch)
    limits = {
        "contact": min(joint_size, 3 * tp),
        "barrier": min(joint_size, 4 * tb),
        "terminal": min(joint_size, 3 * tsh),
        "sheet": max(joint_size, 4 * tsh),
        "gel": max(joint_size, tg),
        "spreader": 3 * params.spreader_thickness,
    }
    # Curvature sizing refines the rims of the vias and contacts on their surfaces only: grade the
    # volume size from them too, or the cells of the substrate under a via rim become needles.
    rim = 2 * math.pi / ELEMENTS_PER_TURN
    graded = [(pieces[name], limits[name]) for name in ("sheet", "gel")]
    graded += [(pieces["terminal"], rim * rv), (pieces["contact"], rim * rc)]
    if layered:  # the barrier's rim is a band tb high: the gel next to it needs cells of the barrier's size
        graded.append((pieces["barrier"], limits["barrier"]))
    _limit_sizes([(pieces[name], size) for name, size in limits.items() if pieces.get(name)], graded, max_size)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", ELEMENTS_PER_TURN)
    info: dict[str, float | int | str] = {
        "masses_total": len(positions),
        "masses_modelled": len(kept),
        "mass_height": h,
        "mass_diameter_sheet_end": 2 * r_sheet_end,
        "mass_diameter_die_end": 2 * r_die_end,
        "mass_volume": v_mass,
        "barrier_representation": (
            f"{params.barrier}: {tb * 1e6:.3g} um "
            + ("drawn as its own disc" if layered else "drawn as part of each contact pad")
        ),
        "max_dnp": max(math.hypot(x, y) for x, y in positions),
        "gel_thickness": tg,
        "sheet_top": z1,
        "die_bottom": z_die,
        "thickness": z_top,
        "joint_size": joint_size,
        "max_size": max_size,
    }
    return ModelDescription("liquid_metal_gel", sym, regions, boundaries, planes, supports, info)


def _limit_sizes(limits: list[tuple[list[int], float]], graded: list[tuple[list[int], float]], largest: float) -> None:
    """Cap the background size field inside volumes and grade it away from thin flat ones (sizes in metres).

    ``limits``: (volume tags, largest size inside) pairs; keeps thin parts (contacts, barriers, sheet,
    vias) from getting flat cells. ``graded``: (volume tags, size at their surfaces) pairs; the size
    grows from there at a slope of 1/2 up to ``largest``, so the thick die and substrate next to the
    finely meshed sheet and gel get no slivers. Wraps the field :func:`set_size_field` just made in a
    ``Min`` field.
    """
    f = gmsh.model.mesh.field
    fields = [max(f.list())]
    for volumes, size in limits:
        fields.append(f.add("Constant"))
        f.setNumbers(fields[-1], "VolumesList", volumes)
        f.setNumber(fields[-1], "VIn", um(size))
        f.setNumber(fields[-1], "VOut", 1e22)
    for volumes, size in graded:
        surfaces = sorted({t for _, t in gmsh.model.getBoundary([(3, v) for v in volumes], oriented=False)})
        dist = f.add("Distance")
        f.setNumbers(dist, "SurfacesList", surfaces)
        fields.append(f.add("Threshold"))
        f.setNumber(fields[-1], "InField", dist)
        f.setNumber(fields[-1], "SizeMin", um(size))
        f.setNumber(fields[-1], "SizeMax", um(max(largest, size)))
        f.setNumber(fields[-1], "DistMin", 0.0)
        f.setNumber(fields[-1], "DistMax", um(2 * max(largest - size, 0.0)) + 1e-3)
    smallest = f.add("Min")
    f.setNumbers(smallest, "FieldsList", fields)
    f.setAsBackgroundMesh(smallest)
