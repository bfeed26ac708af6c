"""Part names of a STEP assembly, read through gmsh's OpenCASCADE importer.

A STEP solid's name in gmsh is its label path (``Shapes/ASSEMBLY/part``); flipstack calls
the last component the part name, which is what CAD tools show. Instances of one part
(nine copies of ``bump``) share the name.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import gmsh


class CadFileError(ValueError):
    """The STEP file cannot be used; the message says why."""


def part_name(label: str) -> str:
    """Last component of a gmsh entity label (``Shapes/ASSY/die`` -> ``die``)."""
    return label.rstrip("/").rsplit("/", 1)[-1].strip()


def import_step(path: str) -> list[tuple[int, str]]:
    """Import ``path`` into the current gmsh model in micrometres: (volume tag, part name) per solid."""
    gmsh.option.setString("Geometry.OCCTargetUnit", "UM")
    try:
        shapes = gmsh.model.occ.importShapes(path, highestDimOnly=True)
    except Exception as exc:  # gmsh raises a bare Exception with OCC's message
        raise CadFileError(f"cannot read STEP file {path!r}: {exc}") from None
    gmsh.model.occ.synchronize()
    solids = [(tag, part_name(gmsh.model.getEntityName(3, tag))) for dim, tag in shapes if dim == 3]
    if not solids:
        raise CadFileError(f"STEP file {path!r} holds no solids (only surfaces or curves); export solids")
    return solids


@cache
def _scan(path: str, mtime: float) -> tuple[str, ...]:
    started = gmsh.isInitialized()
    if not started:
        gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    previous = gmsh.model.getCurrent() if started else None
    gmsh.model.add("flipstack-step-scan")
    try:
        return tuple(name for _, name in import_step(path))
    finally:
        gmsh.model.remove()
        if previous:
            gmsh.model.setCurrent(previous)
        if not started:
            gmsh.finalize()


def step_part_names(path: str | Path) -> tuple[str, ...]:
    """Part name of every solid of a STEP file, in file order (cached while the file is unchanged)."""
    p = Path(path)
    if not p.is_file():
        raise CadFileError(f"STEP file {str(p)!r} does not exist")
    return _scan(str(p.resolve()), p.stat().st_mtime)
