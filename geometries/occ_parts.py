"""Small OpenCASCADE helpers shared by the builders: footprint boxes and size caps inside volumes.

Arguments are SI metres; the gmsh model is drawn in micrometres (:func:`geometries.meshing.um`).
"""

from __future__ import annotations

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
