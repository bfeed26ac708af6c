"""Pipeline stage: leak routes of the meshed package (``[hermeticity.leak_paths]``), intact or cracked.

The distributed mesh is gathered to rank 0 (owned cells as vertex coordinates, tagged boundary
triangles, per-cell values): leak analyses are graph searches over the whole package and these
meshes are small (1e4 - 1e5 cells, a few MB), so rank 0 does them serially and broadcasts the summary.
Vertices are numbered by their coordinates and cells sorted by their vertex numbers, so the graph,
and every route, is the same whatever the partition (serial = 2 ranks).

Permeabilities: P = D S of ``data/moisture.toml`` at the leak-path temperature
(:meth:`fem_package.case.hermeticity.HermeticitySettings.leak_path_temperature`), 0 for the barrier
categories (the one rule of :mod:`fem_package.moisture_data`); cracked cells take the cracked
material's P (``[hermeticity.cracked]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.case.leak_paths import LeakPathSettings
from fem_package.fenics import dolfinx
from fem_package.moisture_data import moisture_library
from fem_package.tagged_mesh import TaggedMesh
from geometries.symmetry import copies
from postprocess.gas_leak import ATM_CC_PER_S, permeation_equivalent_leak
from postprocess.leak_path_files import write_leak_polylines, write_leak_table
from postprocess.leak_paths import LeakAnalysis, LeakMesh, analyse_leak_paths


def _gather(comm: Any, array: np.ndarray) -> np.ndarray | None:
    parts = comm.gather(np.ascontiguousarray(array), root=0)
    return np.concatenate(parts) if comm.rank == 0 else None


def has_cavity(tagged: TaggedMesh, settings: LeakPathSettings) -> bool:
    """True when the geometry has at least one of the cavity-wall groups of ``settings``."""
    names = {b.name for b in tagged.description.boundaries}
    return any(g in names for g in settings.cavity)


def gather_leak_mesh(
    tagged: TaggedMesh, settings: LeakPathSettings, cell_values: dict[str, np.ndarray], comm: Any
) -> tuple[LeakMesh, dict[str, np.ndarray]] | None:
    """The whole mesh on rank 0 in canonical order, with the owned-cell arrays ``cell_values`` reordered to match.

    Returns None on the other ranks. Boundary groups named in ``settings`` that the mesh does not have
    raise CaseError (on every rank alike).
    """
    mesh = tagged.mesh
    tdim = mesh.topology.dim
    n_owned = mesh.topology.index_map(tdim).size_local
    x = mesh.geometry.x
    dofmap = mesh.geometry.dofmaps[0][:n_owned]
    cell_xyz = x[dofmap[:, :4]].reshape(-1, 3)
    tags = np.zeros(n_owned, dtype=np.int64)
    own = tagged.cell_tags.indices < n_owned
    tags[tagged.cell_tags.indices[own]] = tagged.cell_tags.values[own]
    names = {b.name: b.tag for b in tagged.description.boundaries}
    missing = [g for g in settings.outside if g not in names]
    if missing or not any(g in names for g in settings.cavity):
        key, value = ("outside", missing[0]) if missing else ("cavity", settings.cavity)
        raise CaseError(
            f"hermeticity.leak_paths.{key} = {value!r}: not a boundary group of geometry "
            f"'{tagged.description.geometry_type}'; its boundary groups: {', '.join(sorted(names))}"
        )
    mesh.topology.create_connectivity(tdim - 1, tdim)
    facets: dict[str, np.ndarray] = {}
    for group in (*settings.outside, *settings.cavity):
        ids = tagged.facet_tags.find(names[group]) if group in names else np.zeros(0, dtype=np.int32)
        geo = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, ids)
        facets[group] = x[geo].reshape(-1, 3)
    gathered_cells = _gather(comm, cell_xyz)
    gathered_tags = _gather(comm, tags)
    gathered_values = {k: _gather(comm, v) for k, v in cell_values.items()}
    gathered_facets = {k: _gather(comm, v) for k, v in facets.items()}
    if comm.rank != 0:
        return None
    assert gathered_cells is not None and gathered_tags is not None
    all_xyz = np.concatenate([gathered_cells, *[v for v in gathered_facets.values() if v is not None]])
    points, inverse = np.unique(all_xyz, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_cell_pts = len(gathered_cells)
    cells = np.sort(inverse[:n_cell_pts].reshape(-1, 4), axis=1)
    order = np.lexsort(cells.T[::-1])
    tri: dict[str, np.ndarray] = {}
    start = n_cell_pts
    for k, v in gathered_facets.items():
        assert v is not None
        t = np.sort(inverse[start : start + len(v)].reshape(-1, 3), axis=1)
        tri[k] = np.unique(t, axis=0) if len(t) else np.zeros((0, 3), dtype=np.int64)  # ghost facets twice
        start += len(v)
    outside = np.concatenate([tri[g] for g in settings.outside])
    leak_mesh = LeakMesh(points, cells[order], gathered_tags[order], outside, {g: tri[g] for g in settings.cavity})
    values = {k: v[order] for k, v in gathered_values.items() if v is not None}
    return leak_mesh, values


def region_permeabilities(case: Case, tagged: TaggedMesh, temperature: float) -> dict[int, float]:
    """Water-vapour permeability P = D S [kg/(m s Pa)] of every region (tag) at ``temperature``; 0 for barriers."""
    lib = moisture_library()
    out = {}
    for r in tagged.description.regions:
        try:
            props = lib.of(case.material_of(r.role))
        except ValueError as exc:
            raise CaseError(f"hermeticity: region {r.name!r}: {exc}") from None
        out[r.tag] = 0.0 if props is None else props.permeability(temperature)
    return out


def find_leak_paths(
    case: Case,
    tagged: TaggedMesh,
    folder: Path,
    comm: Any,
    temperature: float,
    cracked: np.ndarray | None = None,
) -> dict[str, Any]:
    """Find the routes, write ``leak_paths{suffix}.vtp/.csv`` on rank 0 and return the state's summary.

    ``cracked``: a bool per owned cell; those cells take the cracked material's permeability and the
    files get the ``_cracked`` suffix. The summary is the same on every rank.
    """
    settings = case.hermeticity.leak_paths
    values = {"cracked": cracked.astype(np.int8)} if cracked is not None else {}
    gathered = gather_leak_mesh(tagged, settings, values, comm)
    summary = None
    if gathered is not None:
        region_perm = region_permeabilities(case, tagged, temperature)
        cracked_perm = case.hermeticity.cracked.properties().permeability(temperature) if cracked is not None else 0.0
        summary = _analyse(case, tagged, gathered, folder, region_perm, cracked_perm, temperature)
    return dict(comm.bcast(summary, root=0))


def _analyse(
    case: Case,
    tagged: TaggedMesh,
    gathered: tuple[LeakMesh, dict[str, np.ndarray]],
    folder: Path,
    region_perm: dict[int, float],
    cracked_perm: float,
    temperature: float,
) -> dict[str, Any]:
    leak_mesh, values = gathered
    regions = tagged.description.regions
    region_tags = sorted(region_perm)
    by_tag = {r.tag: r for r in regions}
    labels = [f"{by_tag[t].name} ({case.material_of(by_tag[t].role).key})" for t in region_tags]
    label = np.searchsorted(region_tags, leak_mesh.cell_region)
    perm = np.array([region_perm[t] for t in region_tags])[label]
    name = "leak_paths"
    if "cracked" in values:
        crack = values["cracked"].astype(bool)
        perm = np.where(crack, cracked_perm, perm)
        labels = labels + [f"{lab}, cracked" for lab in labels]
        label = np.where(crack, label + len(region_tags), label)
        name = "leak_paths_cracked"
    analysis = analyse_leak_paths(leak_mesh, perm, labels, label)
    write_leak_polylines(folder / f"{name}.vtp", analysis)
    write_leak_table(folder / f"{name}.csv", analysis)
    files = [f"{name}.vtp", f"{name}.csv"]
    return leak_section(analysis, copies(tagged.description.symmetry), files, temperature)


def leak_section(analysis: LeakAnalysis, n_copies: int, files: list[str], temperature: float) -> dict[str, Any]:
    """Verdict, ranked routes (with the equivalent standard air leak rate of each, TM1014 units) and totals.

    Conductances of the modelled part are multiplied by ``n_copies`` (symmetry) for the full package; per
    wall group (``cavity_wall``, ``subcavity_wall``) too, for the gas volumes' TM1014 comparison. The
    equivalent leak rates carry the same water flux at ``temperature`` (K) as the permeation route
    (:func:`postprocess.gas_leak.permeation_equivalent_leak`).
    """

    def leak(g: float) -> float:
        return permeation_equivalent_leak(g, temperature) / ATM_CC_PER_S

    routes = [{**r.as_dict(), "equivalent_leak_atm_cm3_per_s": leak(r.conductance)} for r in analysis.routes]
    total = n_copies * analysis.total_conductance
    by_wall: dict[str, float] = {}
    for r in analysis.routes:
        by_wall[r.reaches] = by_wall.get(r.reaches, 0.0) + n_copies * r.conductance
    return {
        "verdict": analysis.verdict,
        "routes": routes,
        "conductance_full_package_kg_per_s_Pa": total,
        "conductance_by_wall_full_package_kg_per_s_Pa": by_wall,
        "equivalent_leak_full_package_atm_cm3_per_s": leak(total),
        "files": files,
    }


def run_leak_paths(case: Case, out: Path, overwrite: bool, console: Any, comm: Any) -> dict[str, Any]:
    """``flipstack leak-paths``: mesh the case, find the intact routes, write the route files and leak_paths.json."""
    import json

    from fem_package.run_folder import staged_folder
    from geometries import mesh_geometry

    temperature = case.hermeticity.leak_path_temperature()
    with staged_folder(out, overwrite, comm) as folder:
        with console.status("meshing with gmsh"):
            tagged = mesh_geometry(case.geometry, case.mesh, comm)
        console.info(f"'{case.geometry.type}' ({tagged.description.symmetry} model): {tagged.stats['cells']} cells")
        section = {"temperature_K": temperature, **find_leak_paths(case, tagged, folder, comm, temperature)}
        if comm.rank == 0:
            (folder / "leak_paths.json").write_text(json.dumps(section, indent=2) + "\n", encoding="utf-8")
    console.info(f"verdict: {section['verdict']} (permeabilities P = D S at {temperature - 273.15:.1f} C)")
    for r in section["routes"]:
        console.info(
            f"  route {r['route_id']}: L = {r['length_m'] * 1e6:.1f} um, A = {r['cross_section_m2'] * 1e12:.4g} um^2, "
            f"G = {r['conductance_kg_per_s_Pa']:.3e} kg/(s Pa) "
            f"(~{r['equivalent_leak_atm_cm3_per_s']:.2e} atm cm3/s air), "
            f"through {', '.join(r['materials'])} to {r['reaches']}"
        )
    console.info(f"results in {out}")
    return section
