"""``solder_bump``: flip chip with truncated-sphere solder bumps on Cu pads (gmsh OpenCASCADE).

Levels (z up, substrate bottom at z = 0; ts, tp, h, td = substrate, pad, standoff, die thickness)::

    die          ts + 2 tp + h  ..  ts + 2 tp + h + td   box die_length x die_width
    die pads     ts + tp + h    ..  ts + 2 tp + h        Cu cylinders of diameter d_pad
    bumps        ts + tp        ..  ts + tp + h          sphere of diameter D centred at z_c = ts + tp + h/2
    subst. pads  ts             ..  ts + tp              Cu cylinders of diameter d_pad
    substrate    0              ..  ts                   box substrate_length x substrate_width

The bump is the sphere (radius R = D/2) cut by the two pad planes, a = h/2 either side of
its centre, so it meets both pads at d_pad = 2 sqrt(R^2 - a^2) and has the volume
V = pi (2 a R^2 - 2 a^3 / 3). The underfill fills the die footprint between substrate top
and die bottom around pads and bumps. Solids are first cut to the kept symmetry box, then
fragmented together so every interface is conformal. Arguments are SI metres; the gmsh
model is drawn in micrometres (:func:`geometries.meshing.um`).
"""

from __future__ import annotations

import math

import gmsh

from fem_package.case.geometry_solder_bump import SolderBumpGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription, Region
from geometries.meshing import set_size_field, um
from geometries.occ_parts import add_box, clip, fragment_parts, limit_sizes
from geometries.symmetry import add_standard_boundaries, copies, fraction_kept, kept_box, planes_and_supports

# Physical-group tags of the volumes; bump j gets BUMP_TAG0 + j.
TAGS = {"die": 1, "substrate": 2, "underfill": 3, "pad": 4}
BUMP_TAG0 = 1000
ELEMENTS_PER_TURN = 24
"""Curved bump and pad surfaces get at least this many element edges per full circle: the
faceted bump then loses under 2 % of its volume (about 5 % with the joint size alone)."""

Box = tuple[float, float, float, float]


def truncated_sphere_volume(diameter: float, height: float) -> float:
    """Volume pi (2 a R^2 - 2 a^3 / 3) of a sphere of ``diameter`` 2R cut to a centred slab of ``height`` 2a."""
    r, a = diameter / 2, height / 2
    return math.pi * (2 * a * r * r - 2 * a**3 / 3)


def _add_clipped(tag: int, x: float, y: float, r: float, z0: float, z1: float, keep: Box) -> int:
    """Intersect the solid ``tag`` (centred at x, y, radius r) with the kept box between ``z0`` and ``z1``.

    The clipping box overhangs the solid by r so its sides never touch it tangentially.
    """
    cutter = add_box(clip((x - 2 * r, x + 2 * r, y - 2 * r, y + 2 * r), keep), z0, z1)
    out, _ = gmsh.model.occ.intersect([(3, tag)], [(3, cutter)])
    return out[0][1]


def _size_defaults(params: SolderBumpGeometry, mesh: MeshSettings) -> tuple[float, float]:
    """(joint size, max size): given, or from the bump and layer dimensions."""
    joint = mesh.joint_size or min(params.bump_diameter / 5, params.standoff / 3)
    largest = mesh.max_size or min(params.die_thickness, params.substrate_thickness, 2 * params.pitch)
    return joint, max(largest, joint)


def build_solder_bump(params: SolderBumpGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add substrate, pads, bumps, underfill and die, their physical groups and the size field to the gmsh model."""
    occ = gmsh.model.occ
    sym = params.symmetry
    ts, tp, h, td = params.substrate_thickness, params.pad_thickness, params.standoff, params.die_thickness
    radius, r_pad = params.bump_diameter / 2, params.pad_diameter / 2
    z_bump0, z_bump1 = ts + tp, ts + tp + h
    z_die, z_top = z_bump1 + tp, z_bump1 + tp + td
    hx, hy = params.substrate_length / 2, params.substrate_width / 2
    keep = kept_box(sym, hx, hy)
    die_fp = clip((-params.die_length / 2, params.die_length / 2, -params.die_width / 2, params.die_width / 2), keep)
    tol = 1e-6 * params.pitch
    positions = params.bump_positions()
    kept = [(x, y, f) for x, y in positions if (f := fraction_kept(sym, x, y, tol)) > 0]

    solids: dict[str, list[int]] = {"substrate": [add_box(keep, 0.0, ts)], "die": [add_box(die_fp, z_die, z_top)]}
    if params.underfill:
        solids["underfill"] = [add_box(die_fp, ts, z_die)]
    solids["pad"] = []
    for j, (x, y, f) in enumerate(kept):
        bump = occ.addSphere(um(x), um(y), um(z_bump0 + h / 2), um(radius))
        solids[f"bump_{j:04d}"] = [_add_clipped(bump, x, y, radius, z_bump0, z_bump1, keep)]
        for z0 in (ts, z_die - tp):
            pad = occ.addCylinder(um(x), um(y), um(z0), 0, 0, um(tp), um(r_pad))
            solids["pad"].append(pad if f == 1 else _add_clipped(pad, x, y, r_pad, z0, z0 + tp, keep))
    pieces = fragment_parts(solids, rank=lambda name: name == "underfill")
    occ.synchronize()

    v_bump = truncated_sphere_volume(params.bump_diameter, h)
    v_pad = math.pi * r_pad**2 * tp
    area_die = (die_fp[1] - die_fp[0]) * (die_fp[3] - die_fp[2])
    fractions = sum(f for _, _, f in kept)
    roles = params.roles()
    volumes = {
        "die": area_die * td,
        "substrate": (keep[1] - keep[0]) * (keep[3] - keep[2]) * ts,
        "underfill": area_die * (2 * tp + h) - fractions * (v_bump + 2 * v_pad),
        "pad": 2 * fractions * v_pad,
    }
    regions = []
    for name, tag in TAGS.items():
        if name in pieces:
            gmsh.model.addPhysicalGroup(3, pieces[name], tag, name=name)
            regions.append(Region(name, tag, name, roles[name], volume=volumes[name]))
    for j, (x, y, f) in enumerate(kept):
        name = f"bump_{j:04d}"
        gmsh.model.addPhysicalGroup(3, pieces[name], BUMP_TAG0 + j, name=name)
        center, multiplicity = (x, y, z_bump0 + h / 2), round(copies(sym) * f)
        regions.append(Region(name, BUMP_TAG0 + j, "bump", roles["bump"], j, center, multiplicity, f, f * v_bump))

    boundaries = add_standard_boundaries(sym, hx, hy, z_top)
    planes, supports = planes_and_supports(sym, hx, hy)
    joint_size, max_size = _size_defaults(params, mesh)
    joint_vols = [(3, v) for name in pieces if name == "pad" or name.startswith("bump_") for v in pieces[name]]
    surfaces = [t for _, t in gmsh.model.getBoundary(joint_vols, combined=False, oriented=False)]
    set_size_field(sorted(set(surfaces)), joint_size, max_size, joint_size, params.pitch)
    limits = {"pad": min(joint_size, 3 * tp), "underfill": max(joint_size, 2 * tp + h)}
    limit_sizes([(pieces[name], size) for name, size in limits.items() if name in pieces])
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", ELEMENTS_PER_TURN)
    info: dict[str, float | int | str] = {
        "bumps_total": len(positions),
        "bumps_modelled": len(kept),
        "pad_diameter": params.pad_diameter,
        "max_dnp": max(math.hypot(x, y) for x, y in positions),
        "standoff": h,
        "die_bottom": z_die,
        "thickness": z_top,
        "joint_size": joint_size,
        "max_size": max_size,
    }
    return ModelDescription("solder_bump", sym, regions, boundaries, planes, supports, info)
