"""Abaqus / CalculiX input deck (``.inp``) of a meshed flipstack model: plain arrays in, text out.

The deck holds the same model flipstack solves: linear tetrahedra (C3D4, flipstack degree 1)
or straight-edged quadratic ones (C3D10, flipstack degree 2; edge midpoints added to the affine
cells), one ``*ELEMENT`` block and element set per region, temperature-dependent ``*ELASTIC``
tables, secant ``*EXPANSION`` tables (:mod:`fem_package.secant_expansion`), symmetry planes and
point supports as ``*BOUNDARY``, and one ``*STEP`` / ``*STATIC`` per load step with a uniform
``*TEMPERATURE`` or, for conduction and prescribed maps, one value per node (:data:`TEMPERATURE_NOTE`).
Node numbering of C3D10 (Abaqus Analysis User's Guide, "Three-dimensional solid element
library"): corners 1-4 with face 1-2-3 seen counter-clockwise from corner 4, then the midpoints
of edges 1-2, 2-3, 3-1, 1-4, 2-4, 3-4.

Thermal strain: Abaqus/CalculiX subtract the secant strain at the *nodal* initial temperature,
so a region whose stress-free temperature differs from its neighbour's needs its own nodes.
Nodes shared by regions of different stress-free temperatures are therefore duplicated (one copy
per stress-free temperature) and tied by ``*EQUATION`` (u_copy - u_node = 0 per component): the
displacement field is unchanged, each copy starts at its own region's stress-free temperature.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fem_package import __version__
from fem_package.materials import Material, Property
from fem_package.secant_expansion import secant_cte, table_temperatures

ELEMENT_TYPES = {"C3D10": 2, "C3D4": 1}
"""Supported element types -> Lagrange degree of the matching flipstack space."""

C3D10_EDGES = ((0, 1), (1, 2), (2, 0), (0, 3), (1, 3), (2, 3))
"""Corner pairs of the C3D10 midside nodes 5..10, in Abaqus order (0-based corners)."""


@dataclass(frozen=True)
class DeckRegion:
    """One region (cell tag): its name (becomes the element set), material and stress-free temperature (K)."""

    name: str
    tag: int
    material: Material
    stress_free_temperature: float


@dataclass(frozen=True)
class DeckConstraint:
    """Zero displacement ``components`` (0 = x, 1 = y, 2 = z) on mesh vertices and on facets.

    ``facets`` (k, 3) are triangles of vertex indices (a symmetry plane): their corners and, for
    C3D10, their edge midpoints are constrained; ``vertices`` are single vertices (point supports).
    """

    name: str
    components: tuple[int, ...]
    vertices: np.ndarray
    facets: np.ndarray


@dataclass(frozen=True)
class DeckStep:
    """One load step at a profile time (s): the chamber temperature (K) and, if not uniform, per-vertex values.

    ``node_temperatures`` (n,) K at the vertices ``DeckModel.points``; C3D10 midside nodes get
    the mean of their edge's two vertices, so the element temperature is the linear interpolant
    of the vertex values (see :data:`TEMPERATURE_NOTE`).
    """

    index: int
    time: float
    temperature: float
    segment: str
    node_temperatures: np.ndarray | None = None


@dataclass
class DeckModel:
    """Everything the deck holds, as plain arrays (SI units: m, Pa, K).

    ``points`` (n, 3) vertex coordinates, ``cells`` (m, 4) linear tetrahedra (vertex indices, any
    orientation), ``cell_tags`` (m,) region tag of every cell.
    """

    title: str
    points: np.ndarray
    cells: np.ndarray
    cell_tags: np.ndarray
    regions: list[DeckRegion]
    constraints: list[DeckConstraint]
    steps: list[DeckStep]


@dataclass(frozen=True)
class DeckStats:
    """What was written: counts for the console and the tests."""

    element: str
    nodes: int
    elements: int
    tied_nodes: int
    materials: int
    steps: int


def oriented(points: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Tetrahedra reordered to positive volume ((x1-x0) x (x2-x0) . (x3-x0) > 0), as Abaqus requires."""
    x = points[cells]
    volume = np.einsum("ij,ij->i", np.cross(x[:, 1] - x[:, 0], x[:, 2] - x[:, 0]), x[:, 3] - x[:, 0])
    out = cells.copy()
    flip = volume < 0
    out[flip, 1], out[flip, 2] = cells[flip, 2], cells[flip, 1]
    return out


class EdgeMidpoints:
    """Midside nodes of the straight edges of a tetrahedral mesh, numbered after the vertices."""

    def __init__(self, points: np.ndarray, cells: np.ndarray):
        self.n = len(points)
        pairs = np.sort(cells[:, C3D10_EDGES].reshape(-1, 2), axis=1)
        self.keys = np.unique(pairs[:, 0] * self.n + pairs[:, 1])
        a, b = np.divmod(self.keys, self.n)
        self.points = np.vstack([points, 0.5 * (points[a] + points[b])])

    def of(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Node index of the midpoint of each edge (a[i], b[i])."""
        key = np.minimum(a, b) * self.n + np.maximum(a, b)
        pos = np.searchsorted(self.keys, key)
        if np.any(pos >= len(self.keys)) or np.any(self.keys[np.minimum(pos, len(self.keys) - 1)] != key):
            raise ValueError("an edge is not an edge of the mesh")
        return self.n + pos

    def cells(self, cells: np.ndarray) -> np.ndarray:
        """10-node cells: the 4 corners, then the 6 midside nodes in C3D10 order."""
        mids = [self.of(cells[:, i], cells[:, j]) for i, j in C3D10_EDGES]
        return np.column_stack([cells, *mids])


def split_by_group(cells: np.ndarray, cell_group: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Give each group its own copy of nodes shared with a lower group.

    A node keeps its number in the lowest group using it; every other group gets a copy numbered
    from ``n_nodes`` on. Returns the renumbered cells and, per copy, its original node.
    """
    rows = np.repeat(cell_group, cells.shape[1])
    pairs = np.unique(np.column_stack([cells.ravel(), rows]), axis=0)  # (node, group), sorted by node then group
    first = np.concatenate(([True], pairs[1:, 0] != pairs[:-1, 0]))
    copies = pairs[~first]
    if len(copies) == 0:
        return cells, np.zeros(0, dtype=np.int64)
    copy_key = copies[:, 0] * (cell_group.max() + 1) + copies[:, 1]
    cell_key = cells * (cell_group.max() + 1) + cell_group[:, None]
    pos = np.searchsorted(copy_key, cell_key)
    hit = (pos < len(copy_key)) & (copy_key[np.minimum(pos, len(copy_key) - 1)] == cell_key)
    out = cells.copy()
    out[hit] = n_nodes + pos[hit]
    return out, copies[:, 0]


def _lines(values: Iterable[int], per_line: int = 16) -> list[str]:
    items = [str(v) for v in values]
    return [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]


def _num(v: float) -> str:
    """A number CalculiX reads exactly enough (it reads at most 20 characters per field)."""
    return f"{v:.12e}"


def _set_name(prefix: str, name: str) -> str:
    clean = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return f"{prefix}{clean}"[:80]


def _elastic(material: Material) -> list[str]:
    e, nu = material["youngs_modulus"], material["poisson_ratio"]
    if e.is_constant and nu.is_constant:
        return ["*ELASTIC, TYPE=ISO", f"{_num(e(0.0))}, {_num(nu(0.0))}"]
    temps = table_temperatures([e, nu], [])
    return ["*ELASTIC, TYPE=ISO"] + [f"{_num(e(t))}, {_num(nu(t))}, {_num(t)}" for t in temps]


def _expansion(material: Material, reference: float, step_temperatures: list[float]) -> list[str]:
    props: list[Property] = (
        [material["cte_in_plane"], material["cte_in_plane"], material["cte_out_of_plane"]]
        if material.orthotropic_expansion
        else [material["cte"]]
    )
    kind = "ORTHO" if material.orthotropic_expansion else "ISO"
    head = f"*EXPANSION, TYPE={kind}, ZERO={_num(reference)}"
    if all(p.is_constant for p in props):
        return [head, ", ".join(_num(p(0.0)) for p in props)]
    temps = table_temperatures(props, [reference, *step_temperatures])
    columns = [secant_cte(p, reference, temps) for p in props]
    return [head] + [", ".join(_num(c[i]) for c in columns) + f", {_num(t)}" for i, t in enumerate(temps)]


HEADER = """\
** Written by flipstack {version} (flipstack export). Units: SI (m, Pa, K, 1/K).
** {title}
** Elements: {element} ({degree_text}); the cells are the straight-sided tetrahedra flipstack solves.
** Thermal strain. flipstack uses the tangent CTE alpha(T) integrated from each region's
** stress-free temperature T_ref: eps_th(T) = integral_{{T_ref}}^{{T}} alpha dT.
** Abaqus/CalculiX *EXPANSION takes a secant CTE about ZERO and subtracts its value at the
** initial temperature T_I: eps_th = alpha_sec(T) (T - ZERO) - alpha_sec(T_I) (T_I - ZERO).
** The tables below therefore hold alpha_sec(T) = integral_{{T_ref}}^{{T}} alpha dT / (T - T_ref)
** (at T = T_ref its limit alpha(T_ref)), ZERO = T_ref, one *MATERIAL per material and T_ref, and
** every node starts at its region's T_ref (*INITIAL CONDITIONS), so both codes compute the same
** thermal strain. The tables list every uniform load-step temperature (the strain is exact there)
** and, for non-uniform steps, their range every 1 K (linear interpolation in between).
** Nodes shared by regions with different T_ref are duplicated per T_ref and tied by *EQUATION.
** Elastic tables: E, nu, T (linear in T, constant outside the table, as in flipstack).
"""


@dataclass
class _Nodes:
    """The deck's nodes and element connectivity after midpoints and per-T_ref copies were added."""

    points: np.ndarray
    cells: np.ndarray
    cell_group: np.ndarray
    origin: np.ndarray  # original node of every copy (copies numbered after the other nodes)
    midpoints: EdgeMidpoints | None

    @property
    def n_main(self) -> int:
        return len(self.points) - len(self.origin)


def _nodes(model: DeckModel, element: str, references: list[float]) -> _Nodes:
    cells = oriented(model.points, np.asarray(model.cells, dtype=np.int64))
    points = np.asarray(model.points, dtype=float)
    mids = None
    if element == "C3D10":
        mids = EdgeMidpoints(points, cells)
        points, cells = mids.points, mids.cells(cells)
    group_of_tag = {r.tag: references.index(r.stress_free_temperature) for r in model.regions}
    missing = set(np.unique(model.cell_tags).tolist()) - set(group_of_tag)
    if missing:
        raise ValueError(f"cells with tags {sorted(missing)} have no region")
    cell_group = np.array([group_of_tag[int(t)] for t in model.cell_tags], dtype=np.int64)
    cells, origin = split_by_group(cells, cell_group, len(points))
    return _Nodes(np.vstack([points, points[origin]]), cells, cell_group, origin, mids)


def _element_lines(model: DeckModel, nodes: _Nodes, element: str) -> list[str]:
    out = []
    element_id = 1
    for r in model.regions:
        mask = model.cell_tags == r.tag
        if not np.any(mask):
            continue
        out.append(
            f"** region {r.name} (tag {r.tag}): {r.material.key}, stress-free at {r.stress_free_temperature:.2f} K"
        )
        out.append(f"*ELEMENT, TYPE={element}, ELSET={_set_name('', r.name)}")
        for row in nodes.cells[mask] + 1:
            out.append(", ".join(str(v) for v in (element_id, *row)))
            element_id += 1
    return out


def _equation_lines(nodes: _Nodes) -> list[str]:
    if not len(nodes.origin):
        return []
    out = ["** Copies of nodes shared by regions of different stress-free temperature: u_copy = u_node", "*EQUATION"]
    for copy, node in zip(range(nodes.n_main + 1, len(nodes.points) + 1), nodes.origin + 1, strict=True):
        for dof in (1, 2, 3):
            out += ["2", f"{copy}, {dof}, 1.0, {node}, {dof}, -1.0"]
    return out


def _constraint_lines(model: DeckModel, nodes: _Nodes) -> tuple[list[str], list[str]]:
    """Node sets of the constraints and the ``*BOUNDARY`` lines (copies follow their node by equation)."""
    out: list[str] = []
    boundary: list[str] = []
    for c in model.constraints:
        facets = np.asarray(c.facets, dtype=np.int64).reshape(-1, 3)
        parts = [np.asarray(c.vertices, dtype=np.int64).ravel(), facets.ravel()]
        if nodes.midpoints is not None and len(facets):
            parts += [nodes.midpoints.of(facets[:, i], facets[:, j]) for i, j in ((0, 1), (1, 2), (2, 0))]
        members = np.unique(np.concatenate(parts))
        name = _set_name("N_", c.name).upper()
        out += [f"** {c.name}: zero displacement component(s) {', '.join('xyz'[k] for k in c.components)}"]
        out += [f"*NSET, NSET={name}", *_lines(members + 1)]
        boundary += [f"{name}, {k + 1}, {k + 1}" for k in c.components]
    return out, boundary


def _material_names(model: DeckModel) -> dict[tuple[str, float], str]:
    """One ``*MATERIAL`` per (material, stress-free temperature)."""
    names: dict[tuple[str, float], str] = {}
    for r in model.regions:
        key = (r.material.key, r.stress_free_temperature)
        if key not in names:
            names[key] = _set_name(f"M{len(names) + 1}_", r.material.key).upper()
    return names


NODE_TABLE_SPACING = 1.0
"""K between the extra secant-table temperatures spanning non-uniform step temperatures."""


def step_table_temperatures(steps: list[DeckStep]) -> list[float]:
    """Temperatures the secant tables must hold: every uniform step temperature, and for non-uniform
    steps their range every ``NODE_TABLE_SPACING`` K (at most 401 points) plus each step's extremes."""
    out = [s.temperature for s in steps if s.node_temperatures is None]
    values = [s.node_temperatures for s in steps if s.node_temperatures is not None]
    if values:
        lo, hi = min(float(v.min()) for v in values), max(float(v.max()) for v in values)
        n = min(401, int(np.ceil((hi - lo) / NODE_TABLE_SPACING)) + 1)
        out += np.linspace(lo, hi, max(n, 2)).tolist()
        out += [float(v.min()) for v in values] + [float(v.max()) for v in values]
    return out


def _material_lines(model: DeckModel, names: dict[tuple[str, float], str]) -> list[str]:
    out = []
    step_temperatures = step_table_temperatures(model.steps)
    for (key, t_ref), name in names.items():
        material = next(r.material for r in model.regions if r.material.key == key)
        out += [f"** {material.name}; secant CTE about its stress-free temperature {t_ref:.2f} K"]
        out += [f"*MATERIAL, NAME={name}", *_elastic(material), *_expansion(material, t_ref, step_temperatures)]
    for r in model.regions:
        if np.any(model.cell_tags == r.tag):
            out.append(
                f"*SOLID SECTION, ELSET={_set_name('', r.name)}, "
                f"MATERIAL={names[(r.material.key, r.stress_free_temperature)]}"
            )
    return out


TEMPERATURE_NOTE = """\
** Non-uniform temperatures ([thermal] mode = {mode}): *TEMPERATURE gives every node its value.
** flipstack's mechanics uses ONE temperature per cell: the cell average of the temperature field
** (conduction: the mean of the P1 field's 4 vertex values; expression map: the exact average;
** node maps: the mean of the values at the 4 vertices). The deck's vertex values are that same
** field at the vertices (the conduction solution; the map evaluated or interpolated there), and
** C3D10 midside nodes get the mean of their edge's 2 vertices: the element temperature is the
** linear interpolant, whose element average is flipstack's cell temperature (for an expression
** map: exactly when the map is linear in the cell). C3D4 (1 integration point at the centroid)
** then sees exactly flipstack's cell temperature; C3D10 (4 points) sees the linear variation
** inside the element, and both converge to the same solution as the mesh is refined.
"""


def _vertex_to_deck(values: np.ndarray, nodes: _Nodes) -> np.ndarray:
    """Per deck node: vertex values, edge means at C3D10 midside nodes, then the copies' originals."""
    v = np.asarray(values, dtype=float)
    if nodes.midpoints is not None:
        a, b = np.divmod(nodes.midpoints.keys, nodes.midpoints.n)
        v = np.concatenate([v, 0.5 * (v[a] + v[b])])
    return np.concatenate([v, v[nodes.origin]])


def _step_lines(steps: list[DeckStep], nodes: _Nodes) -> list[str]:
    out = []
    for s in steps:
        if s.node_temperatures is None:
            out += [f"** load step {s.index}: t = {s.time} s, {s.segment}, uniform {s.temperature:.2f} K"]
            out += ["*STEP", "*STATIC", "*TEMPERATURE", f"NALL, {_num(s.temperature)}"]
        else:
            t = _vertex_to_deck(s.node_temperatures, nodes)
            out += [
                f"** load step {s.index}: t = {s.time} s, {s.segment}, chamber {s.temperature:.2f} K, "
                f"nodes {t.min():.2f} .. {t.max():.2f} K"
            ]
            out += ["*STEP", "*STATIC", "*TEMPERATURE"]
            out += [f"{i + 1}, {_num(v)}" for i, v in enumerate(t)]
        out += ["*NODE FILE", "U", "*EL FILE", "S", "*NODE PRINT, NSET=NALL", "U", "*END STEP"]
    return out


def write_deck(model: DeckModel, path: Path, element: str = "C3D10", thermal_mode: str = "chamber") -> DeckStats:
    """Write ``model`` as an Abaqus/CalculiX input deck to ``path``; returns what was written."""
    if element not in ELEMENT_TYPES:
        raise ValueError(f"element {element!r}: allowed {', '.join(ELEMENT_TYPES)}")
    references = sorted({r.stress_free_temperature for r in model.regions})
    nodes = _nodes(model, element, references)
    materials = _material_names(model)
    title = model.title.replace("\n", " ")
    out = HEADER.format(
        version=__version__,
        title=title,
        element=element,
        degree_text="quadratic, flipstack [solver] degree = 2" if element == "C3D10" else "linear, degree = 1",
    ).splitlines()
    if any(s.node_temperatures is not None for s in model.steps):
        out += TEMPERATURE_NOTE.format(mode=thermal_mode).splitlines()
    out += ["*HEADING", title.lstrip("*") or "flipstack model", "** Nodes (m)", "*NODE, NSET=NALL"]
    out += [f"{i + 1}, {_num(x)}, {_num(y)}, {_num(z)}" for i, (x, y, z) in enumerate(nodes.points)]
    out += _element_lines(model, nodes, element)
    out += _equation_lines(nodes)
    sets, boundary = _constraint_lines(model, nodes)
    out += sets
    initial = []
    for g, t_ref in enumerate(references):
        members = np.unique(nodes.cells[nodes.cell_group == g])
        out += [
            f"** nodes of the regions stress-free at {t_ref:.2f} K",
            f"*NSET, NSET=NREF_{g + 1}",
            *_lines(members + 1),
        ]
        initial.append(f"NREF_{g + 1}, {_num(t_ref)}")
    out += _material_lines(model, materials)
    out += ["** Symmetry planes and point supports", "*BOUNDARY", *boundary]
    out += ["** Every node starts at its region's stress-free temperature (K)"]
    out += ["*INITIAL CONDITIONS, TYPE=TEMPERATURE", *initial]
    out += _step_lines(model.steps, nodes)
    Path(path).write_text("\n".join(out) + "\n", encoding="utf-8")
    n_elements = int(np.isin(model.cell_tags, [r.tag for r in model.regions]).sum())
    return DeckStats(element, len(nodes.points), n_elements, len(nodes.origin), len(materials), len(model.steps))
