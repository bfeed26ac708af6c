"""Leak routes as files: ``leak_paths.vtp`` (polylines ParaView draws over the geometry) and ``leak_paths.csv``.

The VTP file holds one polyline per route, outside -> cavity, in metres like ``results.xdmf``, with
point data ``path_id`` (the route's rank, 0 = largest conductance), ``conductance`` [kg/(s Pa)] and
``distance_m`` (path length from the outside). Open both files in ParaView and colour the lines by
``path_id``; an empty file (no points) means the package is hermetic.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyvista as pv

from postprocess.leak_paths import LeakAnalysis

CSV_COLUMNS = [
    "route_id",
    "length_m",
    "cross_section_m2",
    "cross_section_at_m",
    "conductance_kg_per_s_Pa",
    "reaches",
    "cells",
    "volume_m3",
    "materials",
    "start_x_m",
    "start_y_m",
    "start_z_m",
    "end_x_m",
    "end_y_m",
    "end_z_m",
]


def write_leak_polylines(path: Path, analysis: LeakAnalysis) -> None:
    """Write the routes as VTK XML PolyData (``.vtp``)."""
    points, lines, ids, conductance, distance = [], [], [], [], []
    start = 0
    for r in analysis.routes:
        k = len(r.polyline)
        points.append(r.polyline)
        lines.append(np.concatenate([[k], np.arange(start, start + k)]))
        ids.append(np.full(k, r.route_id, dtype=np.int32))
        conductance.append(np.full(k, r.conductance))
        distance.append(r.distance)
        start += k
    if points:
        poly = pv.PolyData(np.concatenate(points), lines=np.concatenate(lines).astype(np.int64))
        poly.point_data["path_id"] = np.concatenate(ids)
        poly.point_data["conductance"] = np.concatenate(conductance)
        poly.point_data["distance_m"] = np.concatenate(distance)
    else:
        poly = pv.PolyData()
    poly.field_data["verdict"] = np.array([analysis.verdict])
    poly.save(str(path), binary=False)


def write_leak_table(path: Path, analysis: LeakAnalysis) -> None:
    """Write one row per route (materials joined by '; ')."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for r in analysis.routes:
            s, e = r.polyline[0], r.polyline[-1]
            w.writerow(
                [
                    r.route_id,
                    f"{r.length:.6e}",
                    f"{r.cross_section:.6e}",
                    f"{r.cross_section_at:.6e}",
                    f"{r.conductance:.6e}",
                    r.reaches,
                    r.cells,
                    f"{r.volume:.6e}",
                    "; ".join(r.materials),
                    *(f"{v:.6e}" for v in (*s, *e)),
                ]
            )
