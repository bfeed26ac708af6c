"""Leak routes from the outside to a cavity through permeable cells, and the hermetic verdict.

Input: a whole tetrahedral mesh in plain arrays (:class:`LeakMesh`; the pipeline gathers the
distributed mesh to rank 0 first, see ``fem_package/pipeline/leak_paths.py``), a permeability per
cell (0 = impermeable) and the boundary triangles of the ``outside`` and cavity-wall groups.

Routes: the permeable cells form a graph whose edges are shared facets (two tetrahedra touching only
along an edge or at a vertex are not connected). Every connected component that has a facet on the
outside and a facet on a cavity wall is one route. The package is ``hermetic`` only when there is no
such component, i.e. every path from outside to cavity crosses an impermeable cell.

For each route:

* length L: the shortest path inside the closure of the component from an outside facet to a
  cavity-wall facet. Dijkstra on a Steiner graph: nodes are the vertices, ``STEINER`` points on
  every edge and the facet centroids of the component's cells; every pair of nodes of one cell is
  joined by a straight segment (which lies inside the convex cell). The graph path overestimates
  the geodesic by a few per cent at most on shape-regular meshes (Lanthier, Maheshwari and Sack,
  "Approximating shortest paths on weighted polyhedral surfaces", Algorithmica 30 (2001): the error
  falls as 1/(points per edge)).
* cross-section A: the smallest area of the level sets {d = t}, 0 < t < L, of the distance d from
  the outside, d linear in each cell through its vertex values. By the co-area formula
  ``integral |grad d| dV = integral area(d = t) dt``, so the mean level-set area over a band
  t0 < d < t1 is sum_c V_c |grad d|_c (F_c(t1) - F_c(t0)) / (t1 - t0), F_c the exact volume fraction
  of cell c below a level (closed form for a linear function on a tetrahedron, :func:`fraction_below`).
  ``BANDS`` bands over [0, L]; A is the smallest band mean. Exact for a prismatic channel whatever
  the mesh; for a ring (a frame around a cavity) it is the area of the ring's offset surfaces.
* conductance G = A / sum_i (L_i / P_i) [kg/(s Pa)]: the path's length in each material i in series
  with its permeability P_i (= P A / L for one material). Steady state only: the time lag of a
  diffusion barrier is L^2 / (6 D).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

STEINER = 2
"""Steiner points per cell edge (besides the vertices) of the shortest-path graph."""
BANDS = 20
"""Distance bands over [0, L] whose mean level-set area gives the route's cross-section."""
_FACES = np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]])
_EDGES = np.array([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]])


@dataclass
class LeakMesh:
    """A whole tetrahedral mesh with the groups the leak analysis needs (SI units).

    Attributes:
        points: (n_vertices, 3) coordinates, m.
        cells: (n_cells, 4) vertex indices of the tetrahedra.
        cell_region: (n_cells,) region tag of every cell.
        outside: (n, 3) vertex indices of the triangles of the outer surface.
        cavity: wall group name (``cavity_wall``, ``subcavity_wall``) -> (n, 3) triangles.
    """

    points: np.ndarray
    cells: np.ndarray
    cell_region: np.ndarray
    outside: np.ndarray
    cavity: dict[str, np.ndarray]


@dataclass
class LeakRoute:
    """One leak route (a permeable component joining outside and cavity)."""

    route_id: int
    length: float  # m
    cross_section: float  # m^2
    cross_section_at: float  # m, distance from the outside of the narrowest band's middle
    conductance: float  # kg/(s Pa)
    materials: list[str]  # labels of the cells the shortest path crosses, outside -> cavity
    component_materials: list[str]  # labels of all cells of the component
    reaches: str  # wall group the path ends on
    cells: int
    volume: float  # m^3
    polyline: np.ndarray = field(repr=False)  # (k, 3) path points, outside -> cavity
    distance: np.ndarray = field(repr=False)  # (k,) distance from the outside along the path

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready row (no polyline)."""
        return {
            "route_id": self.route_id,
            "length_m": self.length,
            "cross_section_m2": self.cross_section,
            "cross_section_at_m": self.cross_section_at,
            "conductance_kg_per_s_Pa": self.conductance,
            "materials": self.materials,
            "component_materials": self.component_materials,
            "reaches": self.reaches,
            "cells": self.cells,
            "volume_m3": self.volume,
            "start_m": [float(v) for v in self.polyline[0]],
            "end_m": [float(v) for v in self.polyline[-1]],
        }


@dataclass
class LeakAnalysis:
    """The verdict and the routes, ranked by conductance (largest first)."""

    verdict: str  # "hermetic" | "not hermetic"
    routes: list[LeakRoute]
    permeable_cells: int
    components: int

    @property
    def total_conductance(self) -> float:
        """Sum of the routes' conductances (parallel routes), kg/(s Pa)."""
        return float(sum(r.conductance for r in self.routes))


def _face_keys(tri: np.ndarray, n: int) -> np.ndarray:
    s = np.sort(tri, axis=-1).astype(np.int64)
    return (s[..., 0] * n + s[..., 1]) * n + s[..., 2]


def cell_volumes(points: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """|det| / 6 of every tetrahedron."""
    p = points[cells]
    return np.abs(np.einsum("ij,ij->i", p[:, 1] - p[:, 0], np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]))) / 6


def fraction_below(d: np.ndarray, t: float) -> np.ndarray:
    """Volume fraction of each tetrahedron where the linear function with vertex values ``d`` (n, 4) is below t.

    Sorted values d0 <= d1 <= d2 <= d3 and a = t - d0, b = t - d1, p = d2 - t, q = d3 - t:
    F = a^3 / ((d1-d0)(d2-d0)(d3-d0)) for d0 < t <= d1;
    F = [a^2 b^2 + a b (a + b)(p + q) + p q (a^2 + a b + b^2)] / ((a+p)(a+q)(b+p)(b+q)) for d1 < t <= d2
    (the B-spline form a^3/((d1-d0)(d2-d0)(d3-d0)) - b^3/((d1-d0)(d2-d1)(d3-d1)) with the factor
    d1 - d0 divided out, so it stays finite when d0 = d1);
    F = 1 - q^3 / ((d3-d0)(d3-d1)(d3-d2)) for d2 < t <= d3. The density of a linear function of a
    uniform point in a simplex is the B-spline of its vertex values (Curry and Schoenberg, 1966).
    """
    s = np.sort(d, axis=1)
    d0, d1, d2, d3 = s.T
    out = np.where(t >= d3, 1.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        m1 = (d0 < t) & (t <= d1)
        f1 = (t - d0) ** 3 / ((d1 - d0) * (d2 - d0) * (d3 - d0))
        a, b, p, q = t - d0, t - d1, d2 - t, d3 - t
        m2 = (d1 < t) & (t <= d2)
        f2 = (a * a * b * b + a * b * (a + b) * (p + q) + p * q * (a * a + a * b + b * b)) / (
            (a + p) * (a + q) * (b + p) * (b + q)
        )
        m3 = (d2 < t) & (t < d3)
        f3 = 1 - q**3 / ((d3 - d0) * (d3 - d1) * (d3 - d2))
    out = np.where(m1, f1, out)
    out = np.where(m2, f2, out)
    return np.where(m3, f3, out)


def _gradient_norm(points: np.ndarray, cells: np.ndarray, d: np.ndarray) -> np.ndarray:
    """|grad d| of the linear interpolant in each cell."""
    p = points[cells]
    jac = np.stack([p[:, 1] - p[:, 0], p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]], axis=1)  # rows = edge vectors
    rhs = (d[:, 1:] - d[:, :1])[..., None]
    g = np.linalg.solve(jac, rhs)[..., 0]
    return np.linalg.norm(g, axis=1)


class _SteinerGraph:
    """Nodes (vertices, edge points, facet centroids) and in-cell segments of a set of cells."""

    def __init__(self, points: np.ndarray, cells: np.ndarray, permeability: np.ndarray):
        n = len(points)
        nc = len(cells)
        # node keys: vertex v -> v; edge point j of edge (a < b) -> unique by (a, b, j); face -> sorted triple
        edge_pairs = np.sort(cells[:, _EDGES], axis=2)  # (nc, 6, 2)
        w = np.arange(1, STEINER + 1) / (STEINER + 1)
        pa, pb = points[edge_pairs[..., 0]], points[edge_pairs[..., 1]]
        edge_xyz = pa[:, :, None, :] + w[None, None, :, None] * (pb - pa)[:, :, None, :]  # (nc, 6, S, 3)
        face_tri = cells[:, _FACES]  # (nc, 4, 3)
        face_xyz = points[face_tri].mean(axis=2)
        # unique ids
        ekey = (edge_pairs[..., 0].astype(np.int64) * n + edge_pairs[..., 1])[..., None] * (STEINER + 1) + np.arange(
            STEINER
        )
        fkey = _face_keys(face_tri, n)
        ue, einv = np.unique(ekey.ravel(), return_inverse=True)
        uf, finv = np.unique(fkey.ravel(), return_inverse=True)
        verts = np.unique(cells)
        vinv = np.searchsorted(verts, cells)
        nv, ne = len(verts), len(ue)
        xyz = np.zeros((nv + ne + len(uf), 3))
        xyz[:nv] = points[verts]
        xyz[nv + einv] = edge_xyz.reshape(-1, 3)
        xyz[nv + ne + finv] = face_xyz.reshape(-1, 3)
        local = np.concatenate(
            [vinv, nv + einv.reshape(nc, 6 * STEINER), nv + ne + finv.reshape(nc, 4)], axis=1
        )  # (nc, k) node ids of each cell
        k = local.shape[1]
        i, j = np.triu_indices(k, 1)
        src, dst = local[:, i].ravel(), local[:, j].ravel()
        length = np.linalg.norm(xyz[src] - xyz[dst], axis=1)
        owner = np.repeat(np.arange(nc), len(i))
        # one segment per node pair: the shortest copy; among equals the more permeable cell owns it
        lo, hi = np.minimum(src, dst), np.maximum(src, dst)
        order = np.lexsort((-permeability[owner], lo, hi))
        lo, hi, length, owner = lo[order], hi[order], length[order], owner[order]
        first = np.ones(len(lo), dtype=bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        self.lo, self.hi, self.length, self.owner = lo[first], hi[first], length[first], owner[first]
        self.xyz = xyz
        self.vertices = verts  # global vertex id of node i < nv
        self.n_vertex_nodes = nv
        self.edge_nodes = (ue, nv)
        self.face_nodes = (uf, nv + ne)
        self.n = len(xyz)
        keep = self.length > 0
        m = coo_matrix((self.length[keep], (self.lo[keep], self.hi[keep])), shape=(self.n, self.n)).tocsr()
        self.matrix = m
        self._n_points = n
        self._key = self.lo.astype(np.int64) * self.n + self.hi
        self._key_order = np.argsort(self._key)

    def segment(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Index of the segment joining nodes lo < hi."""
        keys = np.asarray(lo, np.int64) * self.n + np.asarray(hi, np.int64)
        return self._key_order[np.searchsorted(self._key[self._key_order], keys)]

    def nodes_on(self, triangles: np.ndarray) -> np.ndarray:
        """Graph nodes lying on the given boundary triangles (vertices, their edge points, centroids)."""
        if len(triangles) == 0:
            return np.zeros(0, dtype=np.int64)
        n = self._n_points
        out = []
        v = np.unique(triangles)
        pos = np.searchsorted(self.vertices, v)
        ok = (pos < len(self.vertices)) & (self.vertices[np.minimum(pos, len(self.vertices) - 1)] == v)
        out.append(pos[ok])
        ue, off = self.edge_nodes
        pairs = np.sort(triangles[:, [[0, 1], [0, 2], [1, 2]]], axis=2).reshape(-1, 2).astype(np.int64)
        keys = ((pairs[:, 0] * n + pairs[:, 1])[:, None] * (STEINER + 1) + np.arange(STEINER)).ravel()
        pos = np.searchsorted(ue, keys)
        ok = (pos < len(ue)) & (ue[np.minimum(pos, len(ue) - 1)] == keys)
        out.append(off + pos[ok])
        uf, off = self.face_nodes
        keys = _face_keys(triangles, n)
        pos = np.searchsorted(uf, keys)
        ok = (pos < len(uf)) & (uf[np.minimum(pos, len(uf) - 1)] == keys)
        out.append(off + pos[ok])
        return np.unique(np.concatenate(out))


def _components(cells: np.ndarray, permeable: np.ndarray, n_points: int) -> tuple[int, np.ndarray]:
    """Connected components of the permeable cells through shared facets; label -1 for impermeable cells."""
    idx = np.flatnonzero(permeable)
    label = np.full(len(cells), -1, dtype=np.int64)
    if idx.size == 0:
        return 0, label
    keys = _face_keys(cells[idx][:, _FACES], n_points).ravel()
    owner = np.repeat(np.arange(idx.size), 4)
    order = np.argsort(keys, kind="stable")
    keys, owner = keys[order], owner[order]
    same = keys[1:] == keys[:-1]
    a, b = owner[:-1][same], owner[1:][same]
    graph = coo_matrix((np.ones(a.size), (a, b)), shape=(idx.size, idx.size))
    count, sub = connected_components(graph, directed=False)
    label[idx] = sub
    return int(count), label


def _boundary_cells(cells: np.ndarray, triangles: np.ndarray, n_points: int) -> np.ndarray:
    """Index of the cell each boundary triangle bounds (-1 if none)."""
    if len(triangles) == 0:
        return np.zeros(0, dtype=np.int64)
    keys = _face_keys(cells[:, _FACES], n_points).ravel()
    order = np.argsort(keys, kind="stable")
    tk = _face_keys(triangles, n_points)
    pos = np.minimum(np.searchsorted(keys[order], tk), len(keys) - 1)
    found = keys[order][pos] == tk
    return np.where(found, order[pos] // 4, -1)


def analyse_leak_paths(
    mesh: LeakMesh, permeability: np.ndarray, labels: list[str], cell_label: np.ndarray
) -> LeakAnalysis:
    """Every leak route of ``mesh`` with permeability per cell (kg/(m s Pa), 0 = impermeable).

    ``labels[cell_label[c]]`` names the material of cell c in the report (e.g. "bondline (bcb)").
    """
    points, cells = np.asarray(mesh.points, float), np.asarray(mesh.cells, np.int64)
    n = len(points)
    permeability = np.asarray(permeability, float)
    permeable = permeability > 0
    count, label = _components(cells, permeable, n)
    out_cells = _boundary_cells(cells, np.asarray(mesh.outside, np.int64).reshape(-1, 3), n)
    touches_out = set(label[out_cells[out_cells >= 0]].tolist()) - {-1}
    walls = {name: np.asarray(t, np.int64).reshape(-1, 3) for name, t in mesh.cavity.items()}
    touches_cav: set[int] = set()
    for tri in walls.values():
        c = _boundary_cells(cells, tri, n)
        touches_cav |= set(label[c[c >= 0]].tolist()) - {-1}
    routes = []
    for comp in sorted(touches_out & touches_cav):
        routes.append(_route(points, cells, permeability, label == comp, mesh.outside, walls, labels, cell_label))
    routes.sort(key=lambda r: (-r.conductance, r.length))
    for i, r in enumerate(routes):
        r.route_id = i
    return LeakAnalysis("hermetic" if not routes else "not hermetic", routes, int(permeable.sum()), count)


def _route(
    points: np.ndarray,
    cells: np.ndarray,
    permeability: np.ndarray,
    in_comp: np.ndarray,
    outside: np.ndarray,
    walls: dict[str, np.ndarray],
    labels: list[str],
    cell_label: np.ndarray,
) -> LeakRoute:
    ids = np.flatnonzero(in_comp)
    sub = cells[ids]
    perm = permeability[ids]
    graph = _SteinerGraph(points, sub, perm)
    sources = graph.nodes_on(np.asarray(outside, np.int64).reshape(-1, 3))
    dist, pred, _ = dijkstra(graph.matrix, directed=False, indices=sources, min_only=True, return_predecessors=True)
    best, end, reaches = np.inf, -1, ""
    for name in sorted(walls):
        targets = graph.nodes_on(walls[name])
        if targets.size and dist[targets].min() < best:
            j = int(np.argmin(dist[targets]))
            best, end, reaches = float(dist[targets][j]), int(targets[j]), name
    path = [end]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    path.reverse()
    xyz = graph.xyz[path]
    along = dist[path]
    # material of every segment: the cell that owns the graph edge
    lo, hi = np.minimum(path[:-1], path[1:]), np.maximum(path[:-1], path[1:])
    pos = graph.segment(lo, hi)
    seg_cell = graph.owner[pos]
    seg_len = graph.length[pos]
    resistance = float(np.sum(seg_len / perm[seg_cell]))  # sum L_i / P_i
    crossed = list(dict.fromkeys(labels[cell_label[ids[c]]] for c in seg_cell))
    # cross-section from the level sets of the distance to the outside
    d_vert = np.full(len(points), np.inf)
    d_vert[graph.vertices] = dist[: graph.n_vertex_nodes]
    d = d_vert[sub]
    vol = cell_volumes(points, sub)
    grad = _gradient_norm(points, sub, d)
    edges = np.linspace(0.0, best, BANDS + 1)
    below = np.array([np.sum(vol * grad * fraction_below(d, t)) for t in edges])
    areas = np.diff(below) / np.diff(edges)
    k = int(np.argmin(areas))
    area = float(areas[k])
    return LeakRoute(
        route_id=-1,
        length=best,
        cross_section=area,
        cross_section_at=float(0.5 * (edges[k] + edges[k + 1])),
        conductance=area / resistance,
        materials=crossed,
        component_materials=sorted({labels[i] for i in cell_label[ids]}),
        reaches=reaches,
        cells=int(ids.size),
        volume=float(vol.sum()),
        polyline=xyz,
        distance=along,
    )
