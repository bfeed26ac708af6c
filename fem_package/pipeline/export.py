"""Export stage: mesh a case serially and write it as an Abaqus/CalculiX input deck.

Hands plain arrays from the tagged mesh (vertex coordinates, cells, cell tags, symmetry-plane
facets, support vertices) and the case's regions and load steps to
:func:`fem_package.solver_deck.write_deck`. The load steps are those of ``flipstack run``
(power-cycling steps included); with ``[thermal] mode = "conduction"`` or ``"prescribed"`` the
same thermal stage the run uses (:class:`fem_package.pipeline.thermal.ThermalStage`) gives
every vertex its temperature at each step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.console import Console
from fem_package.fenics import MPI, dolfinx
from fem_package.pipeline import region_materials
from fem_package.pipeline.thermal import ThermalStage, thermal_steps
from fem_package.solver_deck import (
    ELEMENT_TYPES,
    DeckConstraint,
    DeckModel,
    DeckRegion,
    DeckStats,
    DeckStep,
    write_deck,
)
from fem_package.tagged_mesh import TaggedMesh
from fem_package.thermal_profile import LoadStep

DECK_FORMATS = {"inp": "Abaqus / CalculiX input deck"}
"""Export formats -> description."""


def element_for(case: Case, element: str | None) -> str:
    """The element type asked for, or the one matching the case's ``[solver] degree``; bad names raise CaseError."""
    if element is None:
        return "C3D10" if case.solver.degree == 2 else "C3D4"
    name = element.upper()
    if name not in ELEMENT_TYPES:
        raise CaseError(f"--element {element!r}: unknown element type; allowed: {', '.join(ELEMENT_TYPES)}")
    return name


def deck_model(case: Case, tagged: TaggedMesh) -> DeckModel:
    """The plain-data model of a serially meshed case (all cells on this process)."""
    mesh = tagged.mesh
    if mesh.comm.size != 1:
        raise RuntimeError("the solver deck is written from a serial mesh (MPI.COMM_SELF)")
    if mesh.geometry.cmaps[0].degree != 1:
        raise RuntimeError(
            f"the solver deck needs an affine (degree 1) mesh, got degree {mesh.geometry.cmaps[0].degree}"
        )
    tdim = mesh.topology.dim
    n_cells = mesh.topology.index_map(tdim).size_local
    cells = np.asarray(mesh.geometry.dofmaps[0][:n_cells], dtype=np.int64)
    cell_tags = np.zeros(n_cells, dtype=np.int64)
    cell_tags[tagged.cell_tags.indices] = tagged.cell_tags.values
    points = np.array(mesh.geometry.x, dtype=float)
    desc = tagged.description
    mesh.topology.create_connectivity(tdim - 1, 0)
    constraints = []
    for plane in desc.symmetry_planes:
        facets = tagged.facet_tags.find(desc.boundary_tag(plane.boundary))
        nodes = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, facets)
        constraints.append(DeckConstraint(plane.boundary, (plane.component,), np.zeros(0, np.int64), nodes))
    size = float(np.abs(points).max())
    for i, support in enumerate(desc.supports):
        distance = np.linalg.norm(points - np.asarray(support.point), axis=1)
        vertex = int(np.argmin(distance))
        if distance[vertex] > 1e-9 * size:
            raise RuntimeError(f"no mesh vertex at support point {support.point}")
        constraints.append(DeckConstraint(f"support_{i}", support.components, np.array([vertex]), np.zeros((0, 3))))
    regions = [
        DeckRegion(r.name, r.tag, case.material_of(r.role), case.stress_free_temperature(r.role)) for r in desc.regions
    ]
    steps = [
        DeckStep(s.index, s.time, s.temperature, s.segment, node_temperatures)
        for s, node_temperatures in step_node_temperatures(case, tagged)
    ]
    return DeckModel(case.title, points, cells, cell_tags, regions, constraints, steps)


def step_node_temperatures(case: Case, tagged: TaggedMesh) -> list[tuple[LoadStep, np.ndarray | None]]:
    """The run's load steps with the temperature of every vertex (K), or None for the chamber mode.

    Runs the thermal stage step by step as ``flipstack run`` does (the conduction is marched
    through every step, so the values are those the run's mechanics averages per cell).
    """
    steps = thermal_steps(case)
    if case.thermal.mode == "chamber":
        return [(s, None) for s in steps]
    stage = ThermalStage(case, tagged, region_materials(case, tagged), tagged.mesh.comm, Console(verbosity=0))
    out: list[tuple[LoadStep, np.ndarray | None]] = []
    for s in steps:
        stage.temperature(s)
        out.append((s, stage.node_temperatures(s)))
    return out


def check_export_options(case: Case, fmt: str, element: str | None) -> str:
    """Check the format, element type and case before meshing; returns the element type. Bad input raises CaseError."""
    if fmt not in DECK_FORMATS:
        raise CaseError(f"--format {fmt!r}: unknown export format; allowed: {', '.join(DECK_FORMATS)}")
    name = element_for(case, element)
    if getattr(case.geometry, "global_geometry", lambda: None)() is not None:
        raise CaseError(
            f"geometry.type = '{case.geometry.type}' at a submodel level: its cut faces follow a global model "
            "that the deck cannot hold; export the global level instead"
        )
    return name


def export_deck(case: Case, path: Path, element: str | None = None, fmt: str = "inp") -> tuple[DeckStats, TaggedMesh]:
    """Mesh ``case`` on this process and write its solver deck to ``path``; returns the counts and the mesh."""
    from geometries import mesh_geometry

    name = check_export_options(case, fmt, element)
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)
    return write_deck(deck_model(case, tagged), path, name, case.thermal.mode), tagged
