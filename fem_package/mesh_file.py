"""Reading a user's volume mesh (gmsh ``.msh`` or any format meshio reads) with its named groups.

Groups come from gmsh physical groups (``gmsh:physical`` cell data named by ``field_data``)
or, for other formats (Abaqus ``.inp``, ``.vtu``, MED ...), from meshio's cell sets.
Tetrahedra of second order (10 nodes) are reduced to their 4 corner nodes: the mesh is
re-interpolated by the solver at its own degree, and the curved edges are lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

TETRA_TYPES = {"tetra": 4, "tetra10": 10}
TRIANGLE_TYPES = {"triangle": 3, "triangle6": 6}


class MeshFileError(ValueError):
    """The file cannot be used as a flipstack mesh; the message says why."""


@dataclass(frozen=True)
class MeshFile:
    """Linear tetrahedra and boundary triangles of a file, each with a group index.

    Coordinates are in the file's own length unit. ``tetra_group[i]`` indexes
    ``volume_groups``; ``triangle_group[i]`` indexes ``surface_groups``; -1 means no group.
    """

    points: np.ndarray
    tetra: np.ndarray
    tetra_group: np.ndarray
    triangles: np.ndarray
    triangle_group: np.ndarray
    volume_groups: tuple[str, ...]
    surface_groups: tuple[str, ...]


def _gmsh_groups(mesh: object) -> tuple[dict[int, str], dict[int, str]] | None:
    """Physical tag -> name for volumes and surfaces of a gmsh file, or None for other formats."""
    cell_data = getattr(mesh, "cell_data", {})
    if "gmsh:physical" not in cell_data:
        return None
    names: dict[int, dict[int, str]] = {2: {}, 3: {}}
    for name, (tag, dim) in getattr(mesh, "field_data", {}).items():
        if int(dim) in names:
            names[int(dim)][int(tag)] = str(name)
    return names[3], names[2]


def _collect(mesh: object, kinds: dict[str, int], dim: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Cells of ``kinds`` (corner nodes only) with group indices and group names."""
    corners = 4 if dim == 3 else 3
    blocks = [(i, b) for i, b in enumerate(mesh.cells) if b.type in kinds]  # type: ignore[attr-defined]
    if not blocks:
        return np.zeros((0, corners), dtype=np.int64), np.zeros(0, dtype=np.int64), []
    cells = np.vstack([np.asarray(b.data)[:, :corners] for _, b in blocks]).astype(np.int64)
    group = np.full(len(cells), -1, dtype=np.int64)
    names: list[str] = []
    gmsh_names = _gmsh_groups(mesh)
    if gmsh_names is not None:
        tag_names = gmsh_names[0] if dim == 3 else gmsh_names[1]
        tags = np.concatenate([np.asarray(mesh.cell_data["gmsh:physical"][i]) for i, _ in blocks])  # type: ignore[attr-defined]
        for tag in sorted({int(t) for t in tags if t > 0}):
            names.append(tag_names.get(tag, f"{'volume' if dim == 3 else 'surface'}_{tag}"))
            group[tags == tag] = len(names) - 1
        return cells, group, names
    offsets = np.cumsum([0] + [len(b.data) for _, b in blocks])
    for name, per_block in getattr(mesh, "cell_sets", {}).items():
        if name.startswith("gmsh:"):
            continue
        members = [
            offsets[k] + np.asarray(per_block[i], dtype=np.int64)
            for k, (i, _) in enumerate(blocks)
            if per_block[i] is not None and len(per_block[i])
        ]
        if members:
            names.append(str(name))
            group[np.concatenate(members)] = len(names) - 1
    return cells, group, names


@cache
def _read_cached(path: str, mtime: float) -> MeshFile:
    import meshio

    try:
        mesh = meshio.read(path)
    except Exception as exc:  # meshio raises many kinds (ReadError, KeyError, ValueError...)
        raise MeshFileError(f"cannot read mesh file {path!r}: {exc}") from None
    tetra, tetra_group, volume_groups = _collect(mesh, TETRA_TYPES, 3)
    triangles, triangle_group, surface_groups = _collect(mesh, TRIANGLE_TYPES, 2)
    if len(tetra) == 0:
        kinds = sorted({b.type for b in mesh.cells})
        raise MeshFileError(f"mesh file {path!r} has no tetrahedra (cell types: {', '.join(kinds) or 'none'})")
    if not volume_groups:
        raise MeshFileError(
            f"mesh file {path!r} has no named volume groups (gmsh physical groups or cell sets); "
            "name one group per part so materials can be assigned"
        )
    if np.any(tetra_group < 0):
        raise MeshFileError(
            f"mesh file {path!r}: {int(np.sum(tetra_group < 0))} tetrahedra belong to no volume group; "
            "every part must be in a named group"
        )
    points = np.asarray(mesh.points, dtype=float)
    if points.shape[1] == 2:
        raise MeshFileError(f"mesh file {path!r} is two-dimensional; flipstack needs a 3-D volume mesh")
    return MeshFile(points, tetra, tetra_group, triangles, triangle_group, tuple(volume_groups), tuple(surface_groups))


def read_mesh_file(path: str | Path) -> MeshFile:
    """Read ``path`` (cached while the file is unchanged); raises :class:`MeshFileError`."""
    p = Path(path)
    if not p.is_file():
        raise MeshFileError(f"mesh file {str(p)!r} does not exist")
    return _read_cached(str(p.resolve()), p.stat().st_mtime)
