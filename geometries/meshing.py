"""From a built gmsh model to a distributed, tagged dolfinx mesh, with a quality check.

Geometry is built and meshed on rank 0 (gmsh is serial); dolfinx distributes the cells.
Builders draw in micrometres (``MODEL_UNIT``): OpenCASCADE's fixed tolerance (1e-7 model
units) would swallow sub-micron layers if the model were drawn in metres. The mesh is
scaled to metres when it reaches dolfinx; everything outside gmsh is SI.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import gmsh
import numpy as np

from fem_package.case.errors import CaseError
from fem_package.case.mesh import MeshSettings
from fem_package.fenics import MPI, dolfinx
from fem_package.model_description import ModelDescription
from fem_package.tagged_mesh import TaggedMesh
from geometries.mesh_quality import scaled_jacobian

Builder = Callable[..., ModelDescription]

MODEL_UNIT = 1e-6
"""Metres per gmsh length unit (builders draw in micrometres)."""


def um(metres: float) -> float:
    """SI length to gmsh model units."""
    return metres / MODEL_UNIT


def generate(mesh: MeshSettings) -> dict[str, float | int]:
    """Mesh the current gmsh model in 3-D with linear tetrahedra and check its quality.

    Returns statistics (see :func:`check_quality`); raises :class:`CaseError` on degenerate cells.
    """
    gmsh.model.mesh.generate(3)
    if mesh.optimize:
        gmsh.model.mesh.optimize("Netgen")
    return check_quality(mesh)


def check_quality(mesh: MeshSettings) -> dict[str, float | int]:
    """Statistics of the current gmsh mesh: cells, vertices, minimum and mean scaled Jacobian.

    See :mod:`geometries.mesh_quality`. Raises :class:`CaseError` when any cell's scaled
    Jacobian is below ``mesh.min_quality``.
    """
    node_tags, coords, _ = gmsh.model.mesh.getNodes()
    points = np.zeros((int(node_tags.max()) + 1, 3)) if node_tags.size else np.zeros((0, 3))
    points[node_tags] = coords.reshape(-1, 3)
    _cells, tets = gmsh.model.mesh.getElementsByType(4)  # 4-node tetrahedra
    if len(tets) == 0:
        raise CaseError("the geometry produced no volume mesh; check the sizes in [geometry]")
    quality = scaled_jacobian(points, np.asarray(tets, dtype=np.int64).reshape(-1, 4))
    cells, vertices = quality.size, node_tags.size
    stats: dict[str, float | int] = {
        "cells": int(cells),
        "vertices": int(vertices),
        "min_scaled_jacobian": float(quality.min()),
        "mean_scaled_jacobian": float(quality.mean()),
    }
    if quality.min() < mesh.min_quality:
        raise CaseError(
            f"mesh.min_quality = {mesh.min_quality}: {int(np.sum(quality < mesh.min_quality))} cells have a "
            f"scaled Jacobian below it (worst {quality.min():.3g}); refine [mesh] sizes or change the geometry"
        )
    return stats


def build_tagged_mesh(
    builder: Builder,
    params: object,
    mesh: MeshSettings,
    comm: MPI.Comm,
    name: str = "flipstack",
    msh_file: str | None = None,
) -> TaggedMesh:
    """Build the geometry with ``builder(params, mesh)`` on rank 0, mesh it and distribute it.

    The builder adds geometry, physical groups and size fields to the current gmsh
    model and returns its :class:`ModelDescription`; a builder with the attribute
    ``premeshed = True`` adds a finished mesh instead (only its quality is checked).
    With ``msh_file`` the gmsh model (in micrometres) is also saved there.
    Errors raised on rank 0 reach every rank.
    """
    t0 = time.perf_counter()
    if not gmsh.isInitialized():
        gmsh.initialize(interruptible=False)
    # options outlive gmsh.clear(): without this a size-field builder's settings (sizes from points and
    # boundary off) leaked into the next model built in the same process (a sweep, a test session)
    gmsh.option.restoreDefaults()
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("General.NumThreads", 1)
    description: ModelDescription | None = None
    stats: dict[str, float | int] = {}
    error: str | None = None
    try:
        if comm.rank == 0:
            gmsh.model.add(name)
            try:
                description = builder(params, mesh)
                stats = check_quality(mesh) if getattr(builder, "premeshed", False) else generate(mesh)
                if msh_file is not None:
                    gmsh.write(msh_file)
            except CaseError as exc:
                error = str(exc)
        error = comm.bcast(error, root=0)
        if error is not None:
            raise CaseError(error)
        description = comm.bcast(description, root=0)
        stats = comm.bcast(stats, root=0)
        data = dolfinx.io.gmsh.model_to_mesh(gmsh.model, comm, 0, gdim=3)
        data.mesh.geometry.x[:] *= MODEL_UNIT
    finally:
        gmsh.clear()
    stats["seconds"] = time.perf_counter() - t0
    assert description is not None
    return TaggedMesh(data.mesh, data.cell_tags, data.facet_tags, description, stats)


def set_size_field(
    distance_surfaces: list[int], size_min: float, size_max: float, dist_min: float, dist_max: float
) -> None:
    """Element size grows from ``size_min`` within ``dist_min`` of the surfaces to ``size_max`` beyond ``dist_max``.

    Arguments in metres. Sizes from points and curvature are switched off so the field alone decides.
    """
    size_min, size_max, dist_min, dist_max = (um(v) for v in (size_min, size_max, dist_min, dist_max))
    f = gmsh.model.mesh.field
    dist = f.add("Distance")
    f.setNumbers(dist, "SurfacesList", distance_surfaces)
    f.setNumber(dist, "Sampling", 20)
    thr = f.add("Threshold")
    f.setNumber(thr, "InField", dist)
    f.setNumber(thr, "SizeMin", size_min)
    f.setNumber(thr, "SizeMax", size_max)
    f.setNumber(thr, "DistMin", dist_min)
    f.setNumber(thr, "DistMax", dist_max)
    f.setAsBackgroundMesh(thr)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
