"""``compliant_lead``: chip-size package with flexible Au ribbon leads in a compliant layer (gmsh OpenCASCADE).

Seed 003 (WO 98/28955, Tessera), Figs. 2-6C and 19. Levels (z up; tb, hs, H, tp, h, tc, td = board,
solder, terminal, polyimide, compliant-layer, contact and die thickness; without a board tb = hs = 0)::

    die           z_d          .. z_d + td        box die_length x die_width
    die contacts  z_d - tc     .. z_d             discs of diameter D_c on the die face (contacts 24)
    leads         z_p          .. z_d - tc        fixed bulge (D_f x t) on the polyimide, narrow ribbon
                                                  (w x t), tip bulge (D_t x t) under the contact (12, 16, 18)
    compliant     z_p          .. z_d = z_p + h   die footprint around leads and contacts (elastomer/gel 28)
    polyimide     z_p - tp     .. z_p             die footprint; via liners (17): Cu tubes of outer
                                                  diameter D_v, wall t_l, empty core (closed by bulge and terminal)
    terminals     tb + hs      .. tb + hs + H     "cooling towers" (32), round/square/triangular: base size W
                                                  at the polyimide, neck r_n W at (1 - f_n) H above the tip, tip r_t W
    solder        tb           .. tb + hs         prism of the terminal tip section
    board         0            .. tb              box board_length x board_width

Without a board the terminal tips are at z = 0 and the rigid-body supports sit at die-top corners.

Lead shapes: ``vertical`` - the ribbon rises straight from the fixed to the tip bulge; ``s_shaped`` -
the tip is offset horizontally by s (outwards, across the nearest die edge, so the array keeps its
mirror symmetry) and the ribbon is a w x t rectangle swept along two tangent circular arcs
(tan(a/2) = s / rise, R = rise / (2 sin a)), leaving and reaching the bulges vertically. Ribbon
thickness t lies in the bending plane. ``rigid_post`` (Fig. 19): a Cu cylinder of diameter D_p from
the polyimide to the contact instead of the lead.

Analytic volumes (checked against the mesh): lead t pi (D_f^2 + D_t^2)/4 + w t L with L the rise or
2 R a (Pappus; exact for the arcs); post pi D_p^2 (h - tc)/4; terminal sum of two frusta of similar
sections h_i (A_i + A_i+1 + sqrt(A_i A_i+1))/3; solder A_tip hs; via liner pi (r_v^2 - (r_v - t_l)^2) tp;
compliant and polyimide the box minus what they hold. Parts cut by symmetry planes count with their
kept fraction. Triangular terminals all point along +y (mirror-symmetric about x = 0 only: quarter
models are refused by the parameter model). Arguments are SI metres; the model is drawn in micrometres.
"""

from __future__ import annotations

import math

import gmsh

from fem_package.case.geometry_compliant_lead import CompliantLeadGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription, PointSupport, Region
from geometries.meshing import set_size_field, um
from geometries.occ_parts import add_box, fragment_parts, limit_sizes
from geometries.symmetry import add_standard_boundaries, copies, fraction_kept, kept_box, planes_and_supports

# Physical-group tags of the volumes. Lead/post j (the joint) gets LEAD_TAG0 + j, its terminal
# TERMINAL_TAG0 + j and its solder SOLDER_TAG0 + j.
TAGS = {"die": 1, "board": 2, "compliant": 3, "polyimide": 4, "via_liner": 5, "contact": 6}
LEAD_TAG0 = 1000
TERMINAL_TAG0 = 2000
SOLDER_TAG0 = 3000
ELEMENTS_PER_TURN = 32
"""Curved surfaces get at least this many element edges per full circle: a faceted disc then
keeps (32 / 2 pi) sin(2 pi / 32) = 99.36 % of its area, inside the 1 % volume check."""

Box = tuple[float, float, float, float]
DimTags = list[tuple[int, int]]


def _clip_all(parts: list[int], x: float, y: float, reach: float, z0: float, z1: float, keep: Box) -> list[int]:
    """Intersect every solid of ``parts`` (within ``reach`` of (x, y)) with the kept box between z0 and z1."""
    box = (
        max(x - 2 * reach, keep[0]),
        min(x + 2 * reach, keep[1]),
        max(y - 2 * reach, keep[2]),
        min(y + 2 * reach, keep[3]),
    )
    tool = add_box(box, z0 - 1e-6, z1 + 1e-6)
    out: list[int] = []
    for tag in parts:
        res, _ = gmsh.model.occ.intersect([(3, tag)], [(3, tool)], removeObject=True, removeTool=False)
        out.extend(t for d, t in res if d == 3)
    gmsh.model.occ.remove([(3, tool)], recursive=True)
    return out


def _section_wire(shape: str, x: float, y: float, z: float, size: float) -> int:
    """Closed wire of a terminal section of base size ``size`` centred at (x, y) at height z (metres)."""
    occ = gmsh.model.occ
    if shape == "round":
        return occ.addWire([occ.addCircle(um(x), um(y), um(z), um(size / 2))])
    if shape == "square":
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        pts = [occ.addPoint(um(x + a * size / 2), um(y + b * size / 2), um(z)) for a, b in corners]
    else:  # equilateral triangle, centroid at (x, y), one vertex towards +y
        r = size / math.sqrt(3)
        angles = (math.pi / 2, math.pi / 2 + 2 * math.pi / 3, math.pi / 2 + 4 * math.pi / 3)
        pts = [occ.addPoint(um(x + r * math.cos(a)), um(y + r * math.sin(a)), um(z)) for a in angles]
    lines = [occ.addLine(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts))]
    return occ.addWire(lines)


def _terminal(params: CompliantLeadGeometry, x: float, y: float, z_tip: float) -> int:
    """Cooling-tower terminal at (x, y): ruled loft through tip, neck and base sections."""
    wires = [_section_wire(params.terminal_shape, x, y, z_tip + dz, s) for dz, s in params.terminal_sections()]
    out = gmsh.model.occ.addThruSections(wires, makeSolid=True, makeRuled=True)
    return next(t for d, t in out if d == 3)


def _solder(params: CompliantLeadGeometry, x: float, y: float, z0: float) -> int:
    """Solder prism of the terminal tip section at (x, y) from z0 up to the terminal tip."""
    size = params.terminal_sections()[0][1]
    wire = _section_wire(params.terminal_shape, x, y, z0, size)
    surface = gmsh.model.occ.addPlaneSurface([wire])
    out = gmsh.model.occ.extrude([(2, surface)], 0, 0, um(params.solder_thickness))
    return next(t for d, t in out if d == 3)


def _lead(params: CompliantLeadGeometry, x: float, y: float, z_p: float) -> list[int]:
    """Solids of the flexible lead (bulges, ribbon) or rigid post whose fixed end is at (x, y, z_p).

    Drawn with the tip offset along +x from the origin, then turned to the lead's direction and moved.
    """
    occ = gmsh.model.occ
    t, w, s = params.lead_thickness, params.lead_width, params.offset
    z_tip = z_p + params.compliant_thickness - params.contact_thickness  # bottom of the contact
    if params.lead == "rigid_post":
        return [occ.addCylinder(um(x), um(y), um(z_p), 0, 0, um(z_tip - z_p), um(params.post / 2))]
    za, zb = z_p + t, z_tip - t
    parts = [
        occ.addCylinder(0, 0, um(z_p), 0, 0, um(t), um(params.fixed_bulge_diameter / 2)),
        occ.addCylinder(um(s), 0, um(zb), 0, 0, um(t), um(params.tip_bulge_diameter / 2)),
    ]
    if s == 0:
        parts.append(occ.addBox(-um(t / 2), -um(w / 2), um(za), um(t), um(w), um(zb - za)))
    else:
        radius, _ = params.s_curve()
        rise = zb - za
        p0, c1 = occ.addPoint(0, 0, um(za)), occ.addPoint(um(radius), 0, um(za))
        pm = occ.addPoint(um(s / 2), 0, um(za + rise / 2))
        c2, p1 = occ.addPoint(um(s - radius), 0, um(zb)), occ.addPoint(um(s), 0, um(zb))
        wire = occ.addWire([occ.addCircleArc(p0, c1, pm), occ.addCircleArc(pm, c2, p1)])
        section = occ.addRectangle(-um(t / 2), -um(w / 2), um(za), um(t), um(w))
        parts.extend(tag for d, tag in occ.addPipe([(2, section)], wire, "DiscreteTrihedron") if d == 3)
        occ.remove([(2, section)], recursive=True)
        occ.remove([(1, wire)], recursive=True)
    axis, sign = params.lead_direction(x, y)
    angle = {(0, 1): 0.0, (0, -1): math.pi, (1, 1): math.pi / 2, (1, -1): -math.pi / 2}[(axis, sign)]
    dim_tags = [(3, p) for p in parts]
    if angle:
        occ.rotate(dim_tags, 0, 0, 0, 0, 0, 1, angle)
    occ.translate(dim_tags, um(x), um(y), 0)
    return parts


def _size_defaults(params: CompliantLeadGeometry, mesh: MeshSettings) -> tuple[float, float]:
    """(joint size, max size): given, or from the lead section and the layer dimensions."""
    if params.lead == "flexible":
        joint = mesh.joint_size or min(params.lead_width, params.lead_thickness) / 1.5
    else:
        joint = mesh.joint_size or min(params.post / 4, params.compliant_thickness / 4)
    largest = mesh.max_size or min(params.die_thickness, params.board_thickness if params.board else 1.0, params.pitch)
    return joint, max(largest, joint)


def build_compliant_lead(params: CompliantLeadGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add board, solder, terminals, polyimide, via liners, compliant layer, leads, contacts and die to gmsh."""
    occ = gmsh.model.occ
    sym = params.symmetry
    tb, hs = (params.board_thickness, params.solder_thickness) if params.board else (0.0, 0.0)
    th, tp, h, tc, td = (
        params.terminal_height,
        params.polyimide_thickness,
        params.compliant_thickness,
        params.contact_thickness,
        params.die_thickness,
    )
    z_term = tb + hs
    z_pi = z_term + th
    z_p = z_pi + tp
    z_d = z_p + h
    z_top = z_d + td
    dx, dy = params.die_length / 2, params.die_width / 2
    hx, hy = (params.board_length / 2, params.board_width / 2) if params.board else (dx, dy)
    keep = kept_box(sym, hx, hy)
    die_keep = kept_box(sym, dx, dy)
    tol = 1e-6 * params.pitch
    positions = params.positions()
    kept = [(x, y, f) for x, y in positions if (f := fraction_kept(sym, x, y, tol)) > 0]

    solids: dict[str, list[int]] = {"die": [add_box(die_keep, z_d, z_top)]}
    if params.board:
        solids["board"] = [add_box(keep, 0.0, tb)]
    solids["compliant"] = [add_box(die_keep, z_p, z_d)]
    polyimide = add_box(die_keep, z_pi, z_p)
    solids["via_liner"], solids["contact"] = [], []
    r_v, r_core = params.via_diameter / 2, params.via_diameter / 2 - params.via_liner_thickness
    cores: DimTags = []
    reach_lead = params.offset + max(params.fixed_bulge_diameter, params.post, params.contact_diameter)
    reach_term = params.terminal_width
    for j, (x, y, f) in enumerate(kept):
        liner = occ.addCylinder(um(x), um(y), um(z_pi), 0, 0, um(tp), um(r_v))
        if r_core > 1e-3 * r_v:
            core = occ.addCylinder(um(x), um(y), um(z_pi), 0, 0, um(tp), um(r_core))
            cores.append((3, occ.copy([(3, core)])[0][1]))  # the polyimide loses the core too: the via is hollow
            liner = occ.cut([(3, liner)], [(3, core)])[0][0][1]
        axis, sign = params.lead_direction(x, y)
        cx = x + (params.offset * sign if axis == 0 else 0.0)
        cy = y + (params.offset * sign if axis == 1 else 0.0)
        contact = occ.addCylinder(um(cx), um(cy), um(z_d - tc), 0, 0, um(tc), um(params.contact_diameter / 2))
        lead = _lead(params, x, y, z_p)
        terminal = [_terminal(params, x, y, z_term)]
        solder = [_solder(params, x, y, tb)] if params.board else []
        if f < 1:
            liner, contact = (_clip_all([v], x, y, reach_lead, 0.0, z_top, keep)[0] for v in (liner, contact))
            lead = _clip_all(lead, x, y, reach_lead, 0.0, z_top, keep)
            terminal = _clip_all(terminal, x, y, reach_term, 0.0, z_top, keep)
            solder = _clip_all(solder, x, y, reach_term, 0.0, z_top, keep)
        solids["via_liner"].append(liner)
        solids["contact"].append(contact)
        solids[f"lead_{j:04d}"] = lead
        solids[f"terminal_{j:04d}"] = terminal
        if params.board:
            solids[f"solder_{j:04d}"] = solder
    if cores:
        polyimide = occ.cut([(3, polyimide)], cores)[0][0][1]
    solids["polyimide"] = [polyimide]
    pieces = fragment_parts(solids, rank=lambda name: name in ("compliant", "polyimide"))
    occ.synchronize()

    roles = params.roles()
    lead_role = "lead" if params.lead == "flexible" else "post"
    fsum = sum(f for _, _, f in kept)
    a_die = (die_keep[1] - die_keep[0]) * (die_keep[3] - die_keep[2])
    v_lead, v_term = params.lead_volume(), params.terminal_volume()
    v_solder = params.section_area(params.terminal_sections()[0][1]) * params.solder_thickness
    v_contact = math.pi * params.contact_diameter**2 / 4 * tc
    v_liner = math.pi * (r_v**2 - max(r_core, 0.0) ** 2) * tp
    volumes = {
        "die": a_die * td,
        "board": (keep[1] - keep[0]) * (keep[3] - keep[2]) * tb,
        "compliant": a_die * h - fsum * (v_lead + v_contact),
        "polyimide": a_die * tp - fsum * math.pi * r_v**2 * tp,
        "via_liner": fsum * v_liner,
        "contact": fsum * v_contact,
    }
    regions = []
    for name, tag in TAGS.items():
        if name in pieces:
            gmsh.model.addPhysicalGroup(3, pieces[name], tag, name=name)
            regions.append(Region(name, tag, name, roles[name], volume=volumes[name]))
    z_mid = z_p + h / 2
    for j, (x, y, f) in enumerate(kept):
        mult = round(copies(sym) * f)
        name = f"lead_{j:04d}"
        gmsh.model.addPhysicalGroup(3, pieces[name], LEAD_TAG0 + j, name=name)
        regions.append(Region(name, LEAD_TAG0 + j, lead_role, roles[lead_role], j, (x, y, z_mid), mult, f, f * v_lead))
        for prefix, tag0, role, v in (
            ("terminal", TERMINAL_TAG0, "terminal", v_term),
            ("solder", SOLDER_TAG0, "solder", v_solder),
        ):
            name = f"{prefix}_{j:04d}"
            if name in pieces:
                gmsh.model.addPhysicalGroup(3, pieces[name], tag0 + j, name=name)
                regions.append(Region(name, tag0 + j, role, roles[role], multiplicity=mult, fraction=f, volume=f * v))

    boundaries = add_standard_boundaries(sym, hx, hy, z_top)
    planes, supports = planes_and_supports(sym, hx, hy)
    if not params.board:  # nothing spans the bottom: hold the die-top corners instead
        _, die_supports = planes_and_supports(sym, dx, dy)
        supports = [PointSupport((p.point[0], p.point[1], z_top), p.components) for p in die_supports]

    joint_size, max_size = _size_defaults(params, mesh)
    fine = [
        (3, v) for name in pieces if name.startswith("lead_") or name in ("contact", "via_liner") for v in pieces[name]
    ]
    surfaces = [t for _, t in gmsh.model.getBoundary(fine, combined=False, oriented=False)]
    set_size_field(sorted(set(surfaces)), joint_size, max_size, joint_size, params.pitch)
    lead_field = max(gmsh.model.mesh.field.list())
    limits: list[tuple[list[int], float]] = [
        (pieces["compliant"], max(joint_size, h / 2)),
        (pieces["polyimide"] + pieces["via_liner"], max(joint_size, tp)),
        (pieces["contact"], max(joint_size / 2, 2 * tc)),
    ]
    if params.lead == "flexible":  # at least one cell edge per ribbon thickness, whatever joint_size says
        leads = [v for name in pieces if name.startswith("lead_") for v in pieces[name]]
        limits.append((leads, min(joint_size, params.lead_thickness)))
    term = [v for name in pieces if name.startswith(("terminal_", "solder_")) for v in pieces[name]]
    term_size = max(joint_size, min(th / 3, params.terminal_neck_ratio * params.terminal_width / 3))
    limits.append((term, term_size))
    if params.board:
        solder = [v for name in pieces if name.startswith("solder_") for v in pieces[name]]
        limits.append((solder, max(joint_size, params.solder_thickness)))
    coarse = [(3, v) for v in term]
    coarse_surfaces = sorted({t for _, t in gmsh.model.getBoundary(coarse, combined=False, oriented=False)})
    graded = _graded_field(coarse_surfaces, term_size, max_size, 2 * params.pitch)
    limit_sizes([(vols, size) for vols, size in limits if vols], [lead_field, graded])
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", ELEMENTS_PER_TURN)
    radius, angle = params.s_curve()
    info: dict[str, float | int | str] = {
        "lead": params.lead,
        "shape": params.shape if params.lead == "flexible" else "vertical",
        "leads_total": len(positions),
        "leads_modelled": len(kept),
        "max_dnp": max(math.hypot(x, y) for x, y in positions),
        "lead_length": params.lead_length if params.lead == "flexible" else h - tc,
        "lead_offset": params.offset,
        "s_radius": radius if math.isfinite(radius) else 0.0,
        "s_angle_deg": math.degrees(angle),
        "lead_volume": v_lead,
        "terminal_volume": v_term,
        "compliant_bottom": z_p,
        "die_bottom": z_d,
        "terminal_tip": z_term,
        "thickness": z_top,
        "joint_size": joint_size,
        "max_size": max_size,
    }
    return ModelDescription("compliant_lead", sym, regions, boundaries, planes, supports, info)


def _graded_field(surfaces: list[int], size_near: float, size_far: float, distance: float) -> int:
    """Threshold field: ``size_near`` on ``surfaces`` growing to ``size_far`` at ``distance`` (metres).

    Grades the mesh from the terminals, solder and via liners into the board and die so cell size
    does not jump from tens of micrometres to the board's maximum size across one cell.
    """
    f = gmsh.model.mesh.field
    dist = f.add("Distance")
    f.setNumbers(dist, "SurfacesList", surfaces)
    f.setNumber(dist, "Sampling", 20)
    thr = f.add("Threshold")
    f.setNumber(thr, "InField", dist)
    f.setNumber(thr, "SizeMin", um(size_near))
    f.setNumber(thr, "SizeMax", um(size_far))
    f.setNumber(thr, "DistMin", 0.0)
    f.setNumber(thr, "DistMax", um(distance))
    return thr
