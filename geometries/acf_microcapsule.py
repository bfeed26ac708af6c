"""``acf_microcapsule``: flip chip on a diffusion-soldered microcapsule ACF, at die level or pad level (gmsh OCC).

Seed text 000 (US 10/018382 of PCT/DE00/02012), Fig. 4: pads 11 (die) and 21 (substrate) of Cu or Ni carry
solder layers 25, 27 ("about 10 um, preferably less than 10 um") that react with the grains 23-1 to
intermetallic phases 26, 28; grains "of the order of magnitude of 10 um, preferably less than about
10 um" coated with an insulating enamel 23-2 sit in a single layer in an adhesive film 24; between facing
pads they are compressed and their coat is broken on the pad-facing caps, in the lateral gaps (22-1/22-2)
they stay round with the coat intact; "the diameter of the electrically conductive grains determines the
thickness of the soldered joint".

Levels (z up, substrate bottom at z = 0; ts, tp, ti, tl, h, td = substrate, pad, IMC, solder, joint, die
thickness; s = tp + ti + tl one pad stack; film thickness tf = h + 2 s)::

    die             ts + tf            .. ts + tf + td
    die pad         ts + tf - tp       .. ts + tf
    die IMC         ts + tf - tp - ti  .. ts + tf - tp
    die solder      ts + s + h         .. ts + s + h + tl
    joint / grains  ts + s             .. ts + s + h       (joint mid-plane z_j = ts + tf / 2)
    subst. solder   ts + tp + ti       .. ts + s
    subst. IMC      ts + tp            .. ts + tp + ti
    subst. pad      ts                 .. ts + tp
    substrate       0                  .. ts

``level = "die"``: the film is one homogeneous layer over the die footprint (no capsules); pads, IMC and
solder are explicit rectangular layers; the **joint region** of each facing pad pair (tag 1000 + joint id)
is the film column between the two solder surfaces, pad footprint x h, volume A_pad h (times the kept
fraction on symmetry planes). Its role ``joint`` defaults to the film's material (``epoxy_acf``): the
die-level model exists to drive the pad-level model through cut faces that lie in die, substrate and the
film at mid-gap, where the film is epoxy; the grains fill only a few tens of percent of the column
(``info["joint_metal_fraction"]``) as isolated islands, so without a measured effective column material the
matrix is the defensible lower bound and keeps the film one uniform layer. A measured effective material
can be assigned to role ``joint`` in ``[materials.assign]``. The per-joint results of the die-level model
are then the film-column strains between facing pads, which grow with DNP.

``level = "pad"``: one pad pair (joint ``submodel_pad`` of the die-level model, default the whole pad of
largest DNP) in a box of one pitch x one pitch (cut faces at mid-gap), from ``slice_thickness`` below the
substrate top to ``slice_thickness`` above the die bottom, at the pad's global (x, y, z). Capsules sit in
one layer in the joint mid-plane (:func:`place_capsules`). A trapped capsule (centre over the pad) is an
oblate spheroid grain, semi-axes a, c from
:func:`fem_package.case.geometry_acf_microcapsule.compressed_grain_axes`, cut flat by the solder surfaces
(volume pi a^2 (h - h^3/(12 c^2))), inside a shell spheroid (a + t, c + t) cut by the same planes, so the
shell is removed on the pad-facing caps and the grain touches the solder there. A lateral capsule is a
sphere of diameter d in a spherical shell of thickness t (volume pi ((d + 2t)^3 - d^3) / 6). Each grain is
a joint region (tag 1000 + capsule id, trapped capsules first); all shells form the ``shell`` region. The
model has symmetry ``"full"``, no point supports and one boundary group ``submodel_cut`` (all six box
faces: none is a real free surface); the submodel coupling supplies its boundary conditions.

The dielectric shell is modelled at least ``grain_diameter / 20`` thick (a real enamel is sub-micron):
the shell needs element edges of about twice its thickness, so thinner shells multiply the cell count.
Arguments are SI metres; the gmsh model is drawn in micrometres (:func:`geometries.meshing.um`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import gmsh
import numpy as np

from fem_package.case.geometry_acf_microcapsule import AcfMicrocapsuleGeometry, truncated_spheroid_volume
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import Boundary, ModelDescription, Region
from geometries.meshing import set_size_field, um
from geometries.occ_parts import add_box, fragment_parts, limit_sizes
from geometries.symmetry import add_standard_boundaries, copies, kept_box, planes_and_supports

# Physical-group tags of the volumes; joint (die level) or capsule grain (pad level) j gets JOINT_TAG0 + j.
TAGS = {"die": 1, "substrate": 2, "film": 3, "pad": 4, "imc": 5, "solder": 6, "shell": 7}
JOINT_TAG0 = 1000
SUBMODEL_CUT = "submodel_cut"
SUBMODEL_CUT_TAG = 10
ELEMENTS_PER_TURN = 40
"""Element edges per full circle on curved capsule surfaces."""
ATTEMPTS = 2000
"""Random candidates tried per capsule before it is dropped."""

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Capsule:
    """One capsule of the pad model: centre (x, y) in the joint mid-plane (global, m) and its state."""

    x: float
    y: float
    trapped: bool

    def radius(self, params: AcfMicrocapsuleGeometry) -> float:
        """Lateral outer radius (grain + shell) in the mid-plane, in m."""
        return params.compressed_outer_radius if self.trapped else params.capsule_diameter / 2

    def grain_radius(self, params: AcfMicrocapsuleGeometry) -> float:
        """Lateral radius of the grain in the mid-plane, in m."""
        return params.compressed_axes[0] if self.trapped else params.grain_diameter / 2


def _admissible(params: AcfMicrocapsuleGeometry, x: float, y: float) -> tuple[float, float, bool] | None:
    """Move a candidate centre (relative to the pad centre) to where its capsule fits; None if it cannot.

    A centre over the pad footprint is trapped and is pushed inwards until the compressed capsule lies
    ``capsule_clearance`` inside the pad edges; a centre outside is a lateral capsule and is pushed out of
    the pad band (pad footprint grown by its radius + clearance) along the shorter way; it must lie
    radius + clearance inside the box faces (one pitch square).
    """
    clr = params.capsule_clearance
    hx, hy, half = params.pad_length / 2, params.pad_width / 2, params.pitch / 2
    if abs(x) <= hx and abs(y) <= hy:
        r = params.compressed_outer_radius + clr
        return float(np.clip(x, -(hx - r), hx - r)), float(np.clip(y, -(hy - r), hy - r)), True
    r = params.capsule_diameter / 2 + clr
    bx, by = hx + r, hy + r
    if abs(x) < bx and abs(y) < by:
        if bx - abs(x) <= by - abs(y):
            x = math.copysign(bx, x)
        else:
            y = math.copysign(by, y)
    if abs(x) > half - r or abs(y) > half - r:
        return None
    return x, y, False


class Placement(list[Capsule]):
    """The placed capsules (a list) and ``dropped``: drawn capsules that found no free place."""

    def __init__(self, capsules: list[Capsule], dropped: int = 0):
        super().__init__(capsules)
        self.dropped = dropped


def place_capsules(params: AcfMicrocapsuleGeometry, center: tuple[float, float] = (0.0, 0.0)) -> Placement:
    """Capsules of the pad model, one layer in the pitch x pitch box around the pad centred at ``center``.

    ``random``: the count is Poisson with mean n_A p^2 (n_A = :attr:`areal_density`) from
    ``numpy.random.default_rng(seed)``; candidates are uniform in the box, moved to an admissible place
    (:func:`_admissible`) and kept if every other capsule is at least ``capsule_clearance`` away
    (random sequential placement); a rejected capsule is drawn again on the same side of the pad edge (its
    first draw decides whether it is trapped, so the trapped count stays Poisson with mean n_A x pad area),
    up to :data:`ATTEMPTS` times, then
    dropped (counted in ``Placement.dropped``; rare below the coverage limit of the case model).
    ``regular``: a square grid of spacing 1 / sqrt(n_A) with the pad centre in the middle of a grid cell,
    same rules, rejected grid points dropped. The same parameters give the same capsules (relative to the pad). Trapped
    capsules come first, then lateral ones, each sorted by (y, x).
    """
    clr = params.capsule_clearance
    half = params.pitch / 2
    placed: list[tuple[float, float, bool]] = []

    def fits(c: tuple[float, float, bool]) -> bool:
        r = params.compressed_outer_radius if c[2] else params.capsule_diameter / 2
        for q in placed:
            rq = params.compressed_outer_radius if q[2] else params.capsule_diameter / 2
            if math.hypot(c[0] - q[0], c[1] - q[1]) < r + rq + clr:
                return False
        return True

    dropped = 0
    if params.placement == "random":
        rng = np.random.default_rng(params.seed)
        count = int(rng.poisson(params.areal_density * params.pitch**2))
        hx, hy = params.pad_length / 2, params.pad_width / 2
        for _ in range(count):
            x, y = (float(v) for v in rng.uniform(-half, half, 2))
            over_pad = abs(x) <= hx and abs(y) <= hy
            for _ in range(ATTEMPTS):
                cand = _admissible(params, x, y)
                if cand is not None and fits(cand):
                    placed.append(cand)
                    break
                # redraw on the same side of the pad edge: the first draw decides trapped or lateral
                while True:
                    x, y = (float(v) for v in rng.uniform(-half, half, 2))
                    if over_pad:
                        x, y = x * hx / half, y * hy / half
                    if over_pad or abs(x) > hx or abs(y) > hy:
                        break
            else:
                dropped += 1
    else:
        spacing = 1 / math.sqrt(params.areal_density)
        n = int(half / spacing + 0.5)
        for j in range(-n, n):
            for i in range(-n, n):
                cand = _admissible(params, (i + 0.5) * spacing, (j + 0.5) * spacing)
                if cand is not None and fits(cand):
                    placed.append(cand)
    placed.sort(key=lambda c: (not c[2], c[1], c[0]))
    return Placement([Capsule(center[0] + x, center[1] + y, t) for x, y, t in placed], dropped)


def capsule_gaps(params: AcfMicrocapsuleGeometry, capsules: list[Capsule]) -> tuple[float, float]:
    """(smallest shell-to-shell gap, smallest grain-to-grain gap) between capsules in the mid-plane, in m.

    Lateral distances between the circles of the capsules in the joint mid-plane (where every capsule is
    widest): centre distance minus the two outer radii, or minus the two grain radii. ``inf`` for fewer
    than two capsules. The grain gap is the metal-to-metal distance a lateral short would have to bridge.
    """
    outer, grain = math.inf, math.inf
    for i, a in enumerate(capsules):
        for b in capsules[i + 1 :]:
            dist = math.hypot(a.x - b.x, a.y - b.y)
            outer = min(outer, dist - a.radius(params) - b.radius(params))
            grain = min(grain, dist - a.grain_radius(params) - b.grain_radius(params))
    return outer, grain


def capsule_report(params: AcfMicrocapsuleGeometry, capsules: list[Capsule] | None = None) -> dict[str, float | int]:
    """Open and short-circuit figures of the capsule film (pure function; SI units).

    - ``areal_density``: n_A = volume_fraction x film thickness / capsule volume (capsules per m^2 of the
      single layer; film thickness = joint thickness + 2 pad stacks).
    - ``expected_trapped_per_pad``: lambda = n_A x pad area; ``open_probability_per_pad``: exp(-lambda), the
      Poisson chance that a pad traps no capsule; ``open_probability_die``: 1 - (1 - exp(-lambda))^N for all
      N pads of the die.
    - ``mean_neighbour_distance``: 1 / (2 sqrt(n_A)), the mean centre distance to the nearest neighbour of a
      random (Poisson) layer; ``bridge_capsules``: how many capsules in a row span the pad gap (pitch - pad).
    - with ``capsules`` (the explicit pad model): ``trapped_count``, ``lateral_count``, ``min_capsule_gap``
      (shell to shell) and ``min_grain_gap`` (metal to metal), see :func:`capsule_gaps` (-1 if undefined),
      ``capsules_dropped`` (drawn but not placeable, see :func:`place_capsules`).
    """
    lam = params.expected_trapped
    p_open = math.exp(-lam)
    n_pads = len(params.pad_positions())
    gap = params.pitch - max(params.pad_length, params.pad_width)
    out: dict[str, float | int] = {
        "areal_density": params.areal_density,
        "coverage": params.coverage,
        "expected_trapped_per_pad": lam,
        "open_probability_per_pad": p_open,
        "open_probability_die": -math.expm1(n_pads * math.log1p(-p_open)),
        "mean_neighbour_distance": 1 / (2 * math.sqrt(params.areal_density)),
        "bridge_capsules": math.ceil(gap / params.capsule_diameter),
    }
    if capsules is not None:
        outer, grain = capsule_gaps(params, capsules)
        out["trapped_count"] = sum(c.trapped for c in capsules)
        out["lateral_count"] = sum(not c.trapped for c in capsules)
        out["min_capsule_gap"] = outer if math.isfinite(outer) else -1.0
        out["min_grain_gap"] = grain if math.isfinite(grain) else -1.0
        out["capsules_dropped"] = getattr(capsules, "dropped", 0)
    return out


# ---------------------------------------------------------------------------- gmsh helpers
def _clip(box: Box, keep: Box) -> Box:
    """The part of the footprint ``box`` (x0, x1, y0, y1) inside ``keep``."""
    return max(box[0], keep[0]), min(box[1], keep[1]), max(box[2], keep[2]), min(box[3], keep[3])


def _precedence(order: list[str]) -> Callable[[str], int]:
    """Rank for :func:`fragment_parts`: overlapping pieces go to the first name in ``order`` (most specific
    first); names not in ``order`` rank last."""
    index = {name: i for i, name in enumerate(order)}
    return lambda name: index.get(name, len(order))


def _levels(params: AcfMicrocapsuleGeometry) -> dict[str, float]:
    """z of the layer interfaces, in m (see the module docstring)."""
    ts, tp, ti, tl = params.substrate_thickness, params.pad_thickness, params.imc_thickness, params.solder_thickness
    z_die = ts + params.film_thickness
    return {
        "substrate_top": ts,
        "joint_bottom": ts + tp + ti + tl,
        "joint_top": z_die - tp - ti - tl,
        "die_bottom": z_die,
        "top": z_die + params.die_thickness,
    }


def _pad_stacks(params: AcfMicrocapsuleGeometry, fp: Box, solids: dict[str, list[int]]) -> None:
    """Pad, IMC and solder boxes over footprint ``fp`` on the substrate and under the die."""
    z = _levels(params)
    tp, ti, tl = params.pad_thickness, params.imc_thickness, params.solder_thickness
    ts, zd = z["substrate_top"], z["die_bottom"]
    solids["pad"] += [add_box(fp, ts, ts + tp), add_box(fp, zd - tp, zd)]
    solids["imc"] += [add_box(fp, ts + tp, ts + tp + ti), add_box(fp, zd - tp - ti, zd - tp)]
    solids["solder"] += [add_box(fp, ts + tp + ti, ts + tp + ti + tl), add_box(fp, zd - tp - ti - tl, zd - tp - ti)]


def _layer_limits(params: AcfMicrocapsuleGeometry, pieces: dict[str, list[int]], joint: float) -> None:
    """Thin layers get cells at most 3 layer thicknesses (never above the joint size near them)."""
    limit_sizes(
        [
            (pieces["pad"], min(joint, 3 * params.pad_thickness)),
            (pieces["imc"], min(joint, 2 * params.imc_thickness)),
            (pieces["solder"], min(joint, 3 * params.solder_thickness)),
            (pieces["film"], params.film_thickness),
        ]
    )


# ---------------------------------------------------------------------------- builders
def build_acf_microcapsule(params: AcfMicrocapsuleGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add the die-level or the pad-level model (``params.level``) to the current gmsh model."""
    if params.level == "pad":
        return _build_pad(params, mesh)
    return _build_die(params, mesh)


def _base_info(params: AcfMicrocapsuleGeometry) -> dict[str, float | int | str]:
    a, c = params.compressed_axes
    z = _levels(params)
    metal = params.expected_trapped * math.pi * params.grain_diameter**3 / 6
    x, y, zc = params.submodel_center()
    return {
        "level": params.level,
        "pads_total": len(params.pad_positions()),
        "max_dnp": max(math.hypot(x, y) for x, y in params.pad_positions()),
        "joint_thickness": params.joint_thickness,
        "film_thickness": params.film_thickness,
        "die_bottom": z["die_bottom"],
        "thickness": z["top"],
        "joint_z": params.joint_z,
        "grain_semi_axis_lateral": a,
        "grain_semi_axis_vertical": c,
        "contact_radius": params.contact_radius,
        "joint_metal_fraction": metal / (params.pad_area * params.joint_thickness),
        "submodel_pad": params.submodel_joint(),
        "submodel_x": x,
        "submodel_y": y,
        "submodel_z": zc,
    }


def _build_die(params: AcfMicrocapsuleGeometry, mesh: MeshSettings) -> ModelDescription:
    """Die-level model: homogeneous film, explicit pad/IMC/solder layers, one film column per pad pair."""
    sym = params.symmetry
    z = _levels(params)
    hx, hy = params.substrate_length / 2, params.substrate_width / 2
    keep = kept_box(sym, hx, hy)
    die_fp = _clip((-params.die_length / 2, params.die_length / 2, -params.die_width / 2, params.die_width / 2), keep)
    joints = params.joint_positions()
    pl, pw, h = params.pad_length, params.pad_width, params.joint_thickness

    solids: dict[str, list[int]] = {
        "substrate": [add_box(keep, 0.0, z["substrate_top"])],
        "die": [add_box(die_fp, z["die_bottom"], z["top"])],
        "film": [add_box(die_fp, z["substrate_top"], z["die_bottom"])],
        "pad": [],
        "imc": [],
        "solder": [],
    }
    for j, (x, y, _) in enumerate(joints):
        fp = _clip((x - pl / 2, x + pl / 2, y - pw / 2, y + pw / 2), keep)
        _pad_stacks(params, fp, solids)
        solids[f"joint_{j:04d}"] = [add_box(fp, z["joint_bottom"], z["joint_top"])]
    joint_names = [f"joint_{j:04d}" for j in range(len(joints))]
    pieces = fragment_parts(solids, rank=_precedence([*joint_names, "pad", "imc", "solder", "film"]))
    gmsh.model.occ.synchronize()

    fractions = sum(f for _, _, f in joints)
    area_die = (die_fp[1] - die_fp[0]) * (die_fp[3] - die_fp[2])
    a_pad = params.pad_area
    roles = params.roles()
    volumes = {
        "die": area_die * params.die_thickness,
        "substrate": (keep[1] - keep[0]) * (keep[3] - keep[2]) * params.substrate_thickness,
        "film": area_die * params.film_thickness - fractions * a_pad * (2 * params.stack_thickness + h),
        "pad": 2 * fractions * a_pad * params.pad_thickness,
        "imc": 2 * fractions * a_pad * params.imc_thickness,
        "solder": 2 * fractions * a_pad * params.solder_thickness,
    }
    regions = []
    for name, vol in volumes.items():
        gmsh.model.addPhysicalGroup(3, pieces[name], TAGS[name], name=name)
        regions.append(Region(name, TAGS[name], name, roles[name], volume=vol))
    for j, (x, y, f) in enumerate(joints):
        name = joint_names[j]
        gmsh.model.addPhysicalGroup(3, pieces[name], JOINT_TAG0 + j, name=name)
        center, multiplicity = (x, y, params.joint_z), round(copies(sym) * f)
        regions.append(Region(name, JOINT_TAG0 + j, "joint", roles["joint"], j, center, multiplicity, f, f * a_pad * h))

    boundaries = add_standard_boundaries(sym, hx, hy, z["top"])
    planes, supports = planes_and_supports(sym, hx, hy)
    joint_size = mesh.joint_size or min(pl, pw) / 5
    max_size = max(mesh.max_size or min(params.die_thickness, params.substrate_thickness, 4 * params.pitch), joint_size)
    stack = [(3, v) for name in ("pad", "imc", "solder", *joint_names) for v in pieces[name]]
    surfaces = sorted({t for _, t in gmsh.model.getBoundary(stack, combined=False, oriented=False)})
    set_size_field(surfaces, joint_size, max_size, joint_size, 2 * params.pitch)
    _layer_limits(params, pieces, joint_size)
    limit_sizes([([v for n in joint_names for v in pieces[n]], min(joint_size, 2 * h))])
    info = _base_info(params)
    info.update(capsule_report(params))
    info.update({"pads_modelled": len(joints), "joint_size": joint_size, "max_size": max_size})
    return ModelDescription("acf_microcapsule", sym, regions, boundaries, planes, supports, info)


def _add_capsule(cap: Capsule, params: AcfMicrocapsuleGeometry, z: dict[str, float]) -> tuple[int, int]:
    """Grain and outer (grain + shell) solids of one capsule: spheroids cut by the solder planes, or spheres."""
    occ = gmsh.model.occ
    zc = params.joint_z
    t = params.shell_thickness
    if not cap.trapped:
        r = params.grain_diameter / 2
        return occ.addSphere(um(cap.x), um(cap.y), um(zc), um(r)), occ.addSphere(
            um(cap.x), um(cap.y), um(zc), um(r + t)
        )
    a, c = params.compressed_axes
    out = []
    for sa, sc in ((a, c), (a + t, c + t)):
        s = occ.addSphere(um(cap.x), um(cap.y), um(zc), um(sa))
        occ.dilate([(3, s)], um(cap.x), um(cap.y), um(zc), 1.0, 1.0, sc / sa)
        r = 2 * sa
        slab = add_box((cap.x - r, cap.x + r, cap.y - r, cap.y + r), z["joint_bottom"], z["joint_top"])
        res, _ = occ.intersect([(3, s)], [(3, slab)])
        out.append(res[0][1])
    return out[0], out[1]


def _build_pad(params: AcfMicrocapsuleGeometry, mesh: MeshSettings) -> ModelDescription:
    """Pad-level model: one pad pair with explicit capsules in a pitch x pitch box at its global position."""
    z = _levels(params)
    cx, cy, _ = params.submodel_center()
    p, pl, pw, sl = params.pitch, params.pad_length, params.pad_width, params.slice_thickness
    box = (cx - p / 2, cx + p / 2, cy - p / 2, cy + p / 2)
    z_bottom, z_top = z["substrate_top"] - sl, z["die_bottom"] + sl
    capsules = place_capsules(params, (cx, cy))

    solids: dict[str, list[int]] = {
        "substrate": [add_box(box, z_bottom, z["substrate_top"])],
        "die": [add_box(box, z["die_bottom"], z_top)],
        "film": [add_box(box, z["substrate_top"], z["die_bottom"])],
        "pad": [],
        "imc": [],
        "solder": [],
        "shell": [],
    }
    _pad_stacks(params, (cx - pl / 2, cx + pl / 2, cy - pw / 2, cy + pw / 2), solids)
    names = [f"capsule_{i:04d}" for i in range(len(capsules))]
    for name, cap in zip(names, capsules, strict=True):
        grain, outer = _add_capsule(cap, params, z)
        solids[name] = [grain]
        solids["shell"].append(outer)
    pieces = fragment_parts(solids, rank=_precedence([*names, "shell", "pad", "imc", "solder", "film"]))
    gmsh.model.occ.synchronize()

    a, c = params.compressed_axes
    h, t, d = params.joint_thickness, params.shell_thickness, params.grain_diameter
    v_grain = {True: truncated_spheroid_volume(a, c, h), False: math.pi * d**3 / 6}
    v_outer = {True: truncated_spheroid_volume(a + t, c + t, h), False: math.pi * (d + 2 * t) ** 3 / 6}
    n_trapped = sum(cap.trapped for cap in capsules)
    n_lateral = len(capsules) - n_trapped
    a_box, a_pad = p * p, params.pad_area
    roles = params.roles()
    volumes = {
        "die": a_box * sl,
        "substrate": a_box * sl,
        "film": a_box * params.film_thickness
        - 2 * a_pad * params.stack_thickness
        - n_trapped * v_outer[True]
        - n_lateral * v_outer[False],
        "pad": 2 * a_pad * params.pad_thickness,
        "imc": 2 * a_pad * params.imc_thickness,
        "solder": 2 * a_pad * params.solder_thickness,
        "shell": n_trapped * (v_outer[True] - v_grain[True]) + n_lateral * (v_outer[False] - v_grain[False]),
    }
    regions = []
    for name, vol in volumes.items():
        if pieces[name]:
            gmsh.model.addPhysicalGroup(3, pieces[name], TAGS[name], name=name)
            regions.append(Region(name, TAGS[name], name, roles[name], volume=vol))
    for i, (name, cap) in enumerate(zip(names, capsules, strict=True)):
        gmsh.model.addPhysicalGroup(3, pieces[name], JOINT_TAG0 + i, name=name)
        regions.append(
            Region(
                name,
                JOINT_TAG0 + i,
                "grain",
                roles["grain"],
                i,
                (cap.x, cap.y, params.joint_z),
                1,
                1.0,
                v_grain[cap.trapped],
            )
        )

    eps = 1e-3  # model units, as geometries.symmetry
    lo = [um(box[0]), um(box[2]), um(z_bottom)]
    hi = [um(box[1]), um(box[3]), um(z_top)]
    cut: list[int] = []
    for axis in range(3):
        for value in (lo[axis], hi[axis]):
            b0, b1 = [v - eps for v in lo], [v + eps for v in hi]
            b0[axis], b1[axis] = value - eps, value + eps
            cut += [tag for _, tag in gmsh.model.getEntitiesInBoundingBox(*b0, *b1, dim=2)]
    gmsh.model.addPhysicalGroup(2, sorted(set(cut)), SUBMODEL_CUT_TAG, name=SUBMODEL_CUT)

    joint_size = mesh.joint_size or min(d / 5, 2 * t)
    max_size = max(mesh.max_size or min(sl, p / 4), joint_size)
    caps = [(3, v) for name in (*names, "shell") for v in pieces[name]]
    if not caps:  # no capsule: refine at the pad stacks instead
        caps = [(3, v) for name in ("solder",) for v in pieces[name]]
    surfaces = sorted({s for _, s in gmsh.model.getBoundary(caps, combined=False, oriented=False)})
    set_size_field(surfaces, joint_size, max_size, joint_size, 2 * params.capsule_diameter)
    _layer_limits(params, pieces, max_size)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", ELEMENTS_PER_TURN)
    info = _base_info(params)
    info.update(capsule_report(params, capsules))
    info.update({"capsules_modelled": len(capsules), "joint_size": joint_size, "max_size": max_size})
    return ModelDescription(
        "acf_microcapsule", "full", regions, [Boundary(SUBMODEL_CUT, SUBMODEL_CUT_TAG)], [], [], info
    )
