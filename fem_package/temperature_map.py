"""Prescribed temperature maps as plain data: safe expressions, point clouds, interpolation weights.

No dolfinx here: the functions take coordinates (numpy arrays, SI metres) and return
temperatures (K). The pipeline (:mod:`fem_package.pipeline.thermal`) hands in the mesh nodes
and cell vertices and turns the results into one temperature per cell for the mechanics.

Three kinds of map:

* an expression in x, y, z (m) and t (s), e.g. ``"298.15 + 2e4*z + 0.5*t"``, checked on its
  syntax tree (numbers, + - * / ** %, comparisons and a list of numpy functions only) and
  evaluated with numpy. Its cell temperature is the exact cell average up to a 27-point
  conical-product (Stroud) quadrature of degree 5 on each tetrahedron;
* a point cloud (CSV columns x, y, z, T; optional t for a time series), interpolated onto the
  mesh nodes, nearest-neighbour or linear on the Delaunay tetrahedra of the cloud (scipy);
* the field of an earlier run (read by the pipeline from its results.xdmf), handled as a cloud
  of its nodes (node data) or cell centroids (cell data).

A node outside the cloud's convex hull takes the value of the nearest cloud point; the caller
reports which mesh regions have such nodes.
"""

from __future__ import annotations

import ast
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case.errors import CaseError


def _inputs_only(function: Any) -> Any:
    """A numpy ufunc restricted to its inputs (no positional ``out`` array that would be overwritten)."""
    if not isinstance(function, np.ufunc):
        return function

    def call(*args: Any) -> Any:
        if len(args) != function.nin:
            raise TypeError(f"{function.__name__}() takes {function.nin} argument(s), got {len(args)}")
        return function(*args)

    return call


EXPRESSION_FUNCTIONS: dict[str, Any] = {
    name: _inputs_only(getattr(np, name))
    for name in [
        *("sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh"),
        *("exp", "log", "log10", "log2", "sqrt", "abs", "hypot", "minimum", "maximum"),
        *("where", "clip", "floor", "ceil", "sign", "heaviside"),
    ]
}
"""numpy functions an expression may call."""
EXPRESSION_CONSTANTS = {"pi": float(np.pi), "e": float(np.e)}
EXPRESSION_VARIABLES = ("x", "y", "z", "t")

_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.Mod,
    ast.USub,
    ast.UAdd,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
)


@dataclass(frozen=True)
class TemperatureExpression:
    """A checked expression T(x, y, z, t) in SI units (m, s -> K)."""

    text: str
    code: Any

    @classmethod
    def parse(cls, text: str, key: str | None = "thermal.map.expression") -> TemperatureExpression:
        """Check ``text``; unknown names, calls of other functions or other syntax raise :class:`CaseError`.

        Messages start with ``key = text:`` (left out when ``key`` is None, as pydantic adds it).
        """
        where = f"{key} = {text!r}: " if key else ""
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise CaseError(f"{where}not a valid expression ({exc.msg})") from None
        allowed_names = set(EXPRESSION_VARIABLES) | set(EXPRESSION_CONSTANTS) | set(EXPRESSION_FUNCTIONS)
        unknown: list[str] = []
        called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED_NODES):
                raise CaseError(
                    f"{where}{type(node).__name__} is not allowed; use numbers, x, y, z, t, "
                    "+ - * / ** %, comparisons and numpy functions"
                )
            if isinstance(node, ast.Constant) and (
                isinstance(node.value, bool) or not isinstance(node.value, int | float)
            ):
                raise CaseError(f"{where}constant {node.value!r} is not a number")
            if isinstance(node, ast.Call):
                if not isinstance(node.func, ast.Name) or node.func.id not in EXPRESSION_FUNCTIONS:
                    name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                    unknown.append(f"{name}()")
                if node.keywords:
                    raise CaseError(f"{where}keyword arguments are not allowed")
            elif isinstance(node, ast.Name) and id(node) not in called and node.id not in allowed_names:
                unknown.append(node.id)
        if unknown:
            raise CaseError(
                f"{where}unknown name(s) {', '.join(dict.fromkeys(unknown))}; allowed: variables "
                f"{', '.join(EXPRESSION_VARIABLES)} (SI: m, s), constants {', '.join(EXPRESSION_CONSTANTS)}, "
                f"functions {', '.join(EXPRESSION_FUNCTIONS)}"
            )
        # integers become floats: 10**10**10 overflows to inf (refused) instead of computing a huge int
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, int):
                node.value = float(node.value)
        return cls(text, compile(tree, "<thermal.map.expression>", "eval"))

    def __call__(self, points: np.ndarray, t: float) -> np.ndarray:
        """Temperatures (K) at ``points`` (n, 3) in m at time ``t`` in s."""
        p = np.asarray(points, dtype=float).reshape(-1, 3)
        names = {"x": p[:, 0], "y": p[:, 1], "z": p[:, 2], "t": float(t), **EXPRESSION_CONSTANTS}
        try:
            with np.errstate(all="ignore"):
                value = eval(self.code, {"__builtins__": {}, **EXPRESSION_FUNCTIONS}, names)
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise CaseError(f"thermal.map.expression = {self.text!r}: cannot be evaluated ({exc})") from None
        out = np.broadcast_to(np.asarray(value, dtype=float), (len(p),)).copy()
        if not np.all(np.isfinite(out)):
            bad = p[~np.isfinite(out)][0]
            raise CaseError(f"thermal.map.expression = {self.text!r}: not finite at x = {bad.tolist()} m, t = {t} s")
        return out


def tetrahedron_quadrature(n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Stroud's conical-product rule on the reference tetrahedron: (barycentric points (n^3, 4), weights).

    Collapsed coordinates u, v, w in [0, 1] with Gauss-Jacobi nodes for the weights (1-u)^2,
    (1-v) and 1 (Stroud 1971, "Approximate calculation of multiple integrals", 2.4); exact for
    polynomials of degree 2n - 1. Weights are normalized to sum to 1 (they give averages).
    """
    from scipy.special import roots_jacobi

    xu, wu = roots_jacobi(n, 2.0, 0.0)
    xv, wv = roots_jacobi(n, 1.0, 0.0)
    xw, ww = roots_jacobi(n, 0.0, 0.0)
    u, v, w = ((x + 1) / 2 for x in (xu, xv, xw))
    U, V, W = np.meshgrid(u, v, w, indexing="ij")
    weights = np.einsum("i,j,k->ijk", wu, wv, ww).ravel()
    x1 = U.ravel()
    x2 = ((1 - U) * V).ravel()
    x3 = ((1 - U) * (1 - V) * W).ravel()
    bary = np.stack([1 - x1 - x2 - x3, x1, x2, x3], axis=1)
    return bary, weights / weights.sum()


def cell_averages(expression: TemperatureExpression, cell_vertices: np.ndarray, t: float) -> np.ndarray:
    """Average of ``expression`` over each tetrahedron (``cell_vertices`` (n, 4, 3) in m) at time ``t``."""
    bary, weights = tetrahedron_quadrature()
    points = np.einsum("qv,cvd->cqd", bary, cell_vertices)
    values = expression(points.reshape(-1, 3), t).reshape(len(cell_vertices), len(weights))
    return values @ weights


@dataclass(frozen=True)
class PointCloud:
    """Temperatures at scattered points: ``values`` (times, points) K at ``points`` (n, 3) m, ``times`` (s)."""

    points: np.ndarray
    times: np.ndarray
    values: np.ndarray

    @property
    def is_series(self) -> bool:
        """True for more than one snapshot."""
        return len(self.times) > 1


def read_point_cloud_csv(path: str | Path, key: str = "thermal.map.file") -> PointCloud:
    """Read a CSV with a header naming columns x, y, z, T (SI: m, K) and optionally t (s).

    With a ``t`` column the rows form a time series: every time must list the same points
    (in any order of rows, grouped by t). Extra columns are ignored. Lines starting with '#'
    are comments.
    """
    path = Path(path)
    if not path.is_file():
        raise CaseError(f"{key} = {str(path)!r}: file does not exist")
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].lstrip().startswith("#")]
    if not rows:
        raise CaseError(f"{key} = {str(path)!r}: empty file")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ("x", "y", "z", "T") if c not in header]
    if missing:
        raise CaseError(
            f"{key} = {str(path)!r}: missing column(s) {', '.join(missing)}; the first line must name the "
            f"columns x, y, z, T (m, K) and optionally t (s); found {', '.join(header)}"
        )
    cols = ["x", "y", "z", "T", *(["t"] if "t" in header else [])]
    index = [header.index(c) for c in cols]
    data = np.empty((len(rows) - 1, len(cols)))
    for i, row in enumerate(rows[1:]):
        try:
            data[i] = [float(row[j]) for j in index]
        except (ValueError, IndexError):
            raise CaseError(f"{key} = {str(path)!r}, line {i + 2}: expected numbers in {', '.join(cols)}") from None
    if len(data) < 1 or not np.all(np.isfinite(data)):
        raise CaseError(f"{key} = {str(path)!r}: needs at least one row of finite numbers")
    if np.any(data[:, 3] <= 0):
        raise CaseError(f"{key} = {str(path)!r}: column T is in K and must be positive (min {data[:, 3].min()})")
    if "t" not in header:
        return PointCloud(data[:, :3], np.zeros(1), data[None, :, 3])
    times = np.unique(data[:, 4])
    groups = [data[data[:, 4] == t] for t in times]
    first = groups[0][np.lexsort(groups[0][:, :3].T)]
    values = []
    for t, g in zip(times, groups, strict=True):
        g = g[np.lexsort(g[:, :3].T)]
        if g.shape != first.shape or not np.allclose(g[:, :3], first[:, :3], rtol=0, atol=1e-12):
            raise CaseError(
                f"{key} = {str(path)!r}: the rows of t = {t} s do not list the same points as t = {times[0]}"
            )
        values.append(g[:, 3])
    return PointCloud(first[:, :3], times, np.array(values))


@dataclass(frozen=True)
class InterpolationWeights:
    """Target values = sum_k weights[:, k] * source[indices[:, k]]; ``outside`` flags targets beyond the cloud."""

    indices: np.ndarray
    weights: np.ndarray
    outside: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Interpolate source values (points,) or (snapshots, points) onto the targets."""
        v = np.asarray(values)
        return np.sum(v[..., self.indices] * self.weights, axis=-1)


def interpolation_weights(
    cloud: np.ndarray, targets: np.ndarray, method: str, key: str = "thermal.map.method"
) -> InterpolationWeights:
    """Weights from cloud points (n, 3) to target points (m, 3): ``"nearest"`` or ``"linear"``.

    Linear: barycentric weights in the cloud's Delaunay tetrahedron holding the target
    (scipy.spatial.Delaunay; exact for a linear field). A target is outside when no tetrahedron
    holds it within a relative tolerance of 1e-6; it takes the nearest cloud point's value.
    A flat or collinear cloud has no tetrahedra: ``linear`` is refused, ``nearest`` checks
    the bounding box (1e-6 of the cloud size) instead of the hull.
    """
    from scipy.spatial import Delaunay, QhullError, cKDTree

    cloud = np.asarray(cloud, dtype=float)
    targets = np.asarray(targets, dtype=float)
    _, nearest = cKDTree(cloud).query(targets)
    size = float(np.ptp(cloud, axis=0).max()) if len(cloud) > 1 else 1.0
    try:
        tri = Delaunay(cloud) if len(cloud) >= 4 else None
    except QhullError:
        tri = None
    if tri is None:
        if method == "linear":
            raise CaseError(
                f"{key} = 'linear': the point cloud is flat or has fewer than 4 points (no tetrahedra); "
                "use method = 'nearest'"
            )
        tol = 1e-6 * size
        outside = np.any((targets < cloud.min(axis=0) - tol) | (targets > cloud.max(axis=0) + tol), axis=1)
        return InterpolationWeights(nearest[:, None], np.ones((len(targets), 1)), outside)
    simplex = tri.find_simplex(targets, tol=1e-6)
    outside = simplex < 0
    if method == "nearest":
        return InterpolationWeights(nearest[:, None], np.ones((len(targets), 1)), outside)
    inside = ~outside
    transform = tri.transform[simplex[inside]]
    b = np.einsum("nij,nj->ni", transform[:, :3], targets[inside] - transform[:, 3])
    bary = np.column_stack([b, 1 - b.sum(axis=1)])
    indices = np.repeat(nearest[:, None], 4, axis=1)
    weights = np.zeros((len(targets), 4))
    weights[outside, 0] = 1.0
    indices[inside] = tri.simplices[simplex[inside]]
    weights[inside] = bary
    return InterpolationWeights(indices, weights, outside)


def at_time(times: np.ndarray, snapshots: np.ndarray, t: float) -> np.ndarray:
    """Linear interpolation in time between the snapshots (times, points) bracketing ``t``; held outside."""
    if len(times) == 1:
        return np.asarray(snapshots[0])
    k = int(np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 2))
    s = float(np.clip((t - times[k]) / (times[k + 1] - times[k]), 0.0, 1.0))
    return np.asarray((1 - s) * snapshots[k] + s * snapshots[k + 1])


def tetrahedron_centroids(points: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Centroids (n, 3) of the tetrahedra ``cells`` (n, 4) of ``points``."""
    return np.asarray(points)[np.asarray(cells)[:, :4]].mean(axis=1)
