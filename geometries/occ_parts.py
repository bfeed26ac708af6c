"""Small OpenCASCADE helpers shared by the builders: footprint boxes and size caps inside volumes.

Arguments are SI metres; the gmsh model is drawn in micrometres (:func:`geometries.meshing.um`).
"""

from __future__ import annotations

from collections.abc import Callable

import gmsh

from geometries.meshing import um

Box = tuple[float, float, float, float]
"""Footprint (x0, x1, y0, y1) in m."""


def clip(box: Box, keep: Box) -> Box:
    """The part of the footprint ``box`` inside ``keep``."""
    return max(box[0], keep[0]), min(box[1], keep[1]), max(box[2], keep[2]), min(box[3], keep[3])


def add_box(footprint: Box, z0: float, z1: float) -> int:
    """OCC box over ``footprint`` from ``z0`` to ``z1``; returns its volume tag."""
    x0, x1, y0, y1 = footprint
    return gmsh.model.occ.addBox(um(x0), um(y0), um(z0), um(x1 - x0), um(y1 - y0), um(z1 - z0))


def limit_sizes(limits: list[tuple[list[int], float]], fields: list[int] | None = None) -> None:
    """Cap the background size field inside volumes: (volume tags, largest size in m) pairs.

    Keeps thin parts (pads, layers, liners) from getting flat cells. The ``Min`` of the caps and
    ``fields`` (default: the field made last, e.g. by :func:`geometries.meshing.set_size_field`)
    becomes the background field. Entries without volumes are skipped.
    """
    f = gmsh.model.mesh.field
    combined = list(fields) if fields is not None else [max(f.list())]
    for volumes, size in limits:
        if not volumes:
            continue
        combined.append(f.add("Constant"))
        f.setNumbers(combined[-1], "VolumesList", volumes)
        f.setNumber(combined[-1], "VIn", um(size))
        f.setNumber(combined[-1], "VOut", 1e22)
    smallest = f.add("Min")
    f.setNumbers(smallest, "FieldsList", combined)
    f.setAsBackgroundMesh(smallest)


def fragment_parts(solids: dict[str, list[int]], rank: Callable[[str], float] = lambda name: 0) -> dict[str, list[int]]:
    """Fragment all solids together so every interface is conformal; part name -> its output volumes.

    Solids may overlap on purpose (an underfill block drawn around the bumps, a cavity box holding
    the device): a piece produced by several solids goes to the one of lowest ``rank(name)``, and
    among equal ranks to the first in the order of ``solids``. Every piece has exactly one owner.
    """
    names = [name for name, tags in solids.items() for _ in tags]
    inputs = [(3, t) for tags in solids.values() for t in tags]
    _, mapping = gmsh.model.occ.fragment(inputs[:1], inputs[1:])
    owner: dict[int, str] = {}
    for name, out in zip(names, mapping, strict=True):
        for _, t in out:
            if t not in owner or rank(name) < rank(owner[t]):
                owner[t] = name
    pieces: dict[str, list[int]] = {name: [] for name in solids}
    for t, name in owner.items():
        pieces[name].append(t)
    return pieces
