"""Pipeline stage: leak routes of the meshed package, intact and after the thermal cycle's cracks.

The distributed mesh is gathered to rank 0 (owned cells as vertex coordinates, tagged boundary
triangles, per-cell values): leak analyses are graph searches over the whole package and these
meshes are small (1e4 - 1e5 cells, a few MB), so rank 0 does them serially and broadcasts the summary.
Vertices are numbered by their coordinates and cells sorted by their vertex numbers, so the graph,
and every route, is the same whatever the partition (serial = 2 ranks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.case.leak_paths import LeakPathSettings
from fem_package.fenics import dolfinx
from fem_package.materials import Material
from fem_package.permeability import moisture_permeability
from fem_package.tagged_mesh import TaggedMesh
from geometries.symmetry import copies
from postprocess.crack_criterion import StressHistory, cracked_cells
from postprocess.gas_leak import ATM_CC_PER_S, permeation_equivalent_leak
from postprocess.leak_path_files import write_leak_polylines, write_leak_table
from postprocess.leak_paths import LeakAnalysis, LeakMesh, analyse_leak_paths


def _gather(comm: Any, array: np.ndarray) -> np.ndarray | None:
    parts = comm.gather(np.ascontiguousarray(array), root=0)
    return np.concatenate(parts) if comm.rank == 0 else None


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
        what = f"outside group {missing[0]!r}" if missing else f"none of the cavity groups {settings.cavity}"
        raise CaseError(
            f"leak_paths: {what} is in geometry '{tagged.description.geometry_type}'"
            f"{' (missing)' if missing else ''}; its boundary groups: {', '.join(sorted(names))}"
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


class LeakPathStage:
    """Collects the cell stresses of every load step; at the end finds the routes, intact and cracked.

    The crack criteria see the converged state of every load step, elastic or inelastic. An
    inelastic run's increments between load steps are not recorded: the load steps hold the
    corners of the profile (ramp ends, where the thermal stresses peak, and dwell ends, where
    they have relaxed), and one stress per increment would multiply the memory and the pairwise
    range computation by the number of increments for intermediate states.
    """

    def __init__(self, case: Case, tagged: TaggedMesh, comm: Any):
        settings = case.leak_paths
        assert settings is not None
        self.settings: LeakPathSettings = settings
        self.tagged, self.comm = tagged, comm
        self.history: list[np.ndarray] | None = [] if settings.crack else None
        regions = tagged.description.regions
        materials: dict[int, Material] = {r.tag: case.material_of(r.role) for r in regions}
        self.region_permeability = {tag: moisture_permeability(m).value for tag, m in materials.items()}
        self.region_label = {r.tag: f"{r.name} ({materials[r.tag].key})" for r in regions}
        self.region_role = {r.tag: r.role for r in regions}
        self.copies = copies(tagged.description.symmetry)

    def add_step(self, stress: np.ndarray) -> None:
        """Record the owned cells' (n, 3, 3) stress of one load step."""
        if self.history is not None:
            self.history.append(np.asarray(stress, dtype=float).copy())

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The recorded stresses (steps, n, 3, 3) of this rank, for a checkpoint."""
        if self.history is None:
            return {}
        return {"leak_stress": np.array(self.history) if self.history else np.zeros((0, 3, 3))}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of :meth:`state_arrays`."""
        if self.history is not None:
            self.history = list(arrays["leak_stress"])

    def finish(self, folder: Path) -> dict[str, Any]:
        """Analyse, write the route files on rank 0, return the summary section (same on every rank)."""
        values: dict[str, np.ndarray] = {}
        if self.history is not None:
            history = StressHistory()
            for stress in self.history:
                history.add(stress)
            values = history.measures()
        gathered = gather_leak_mesh(self.tagged, self.settings, values, self.comm)
        summary = self._analyse(gathered, folder) if gathered is not None else None
        return dict(self.comm.bcast(summary, root=0))

    def _analyse(self, gathered: tuple[LeakMesh, dict[str, np.ndarray]], folder: Path) -> dict[str, Any]:
        leak_mesh, measures = gathered
        tags = leak_mesh.cell_region
        region_tags = sorted(self.region_label)
        labels = [self.region_label[t] for t in region_tags]
        label = np.searchsorted(region_tags, tags)
        perm = np.array([self.region_permeability[t] for t in region_tags])[label]
        intact = analyse_leak_paths(leak_mesh, perm, labels, label)
        write_leak_polylines(folder / "leak_paths.vtp", intact)
        write_leak_table(folder / "leak_paths.csv", intact)
        out = self._section(intact, "intact")
        out["verdict_cracked"] = None
        if self.history is not None:
            roles = np.array([self.region_role[t] for t in region_tags])[label]
            crack = cracked_cells(measures, roles, self.settings.crack)
            cracked_perm = np.where(crack.cracked, np.maximum(perm, self.settings.cracked_permeability), perm)
            cracked_labels = labels + [f"{lab}, cracked" for lab in labels]
            cracked_label = np.where(crack.cracked, label + len(labels), label)
            after = analyse_leak_paths(leak_mesh, cracked_perm, cracked_labels, cracked_label)
            write_leak_polylines(folder / "leak_paths_cracked.vtp", after)
            write_leak_table(folder / "leak_paths_cracked.csv", after)
            counts = {labels[i]: int(np.sum(crack.cracked & (label == i))) for i in range(len(labels))}
            out.update(self._section(after, "cracked"))
            out["cracked_cells"] = {k: v for k, v in counts.items() if v}
            out["max_utilisation"] = float(crack.utilisation.max()) if len(crack.utilisation) else 0.0
        return out

    def _section(self, analysis: LeakAnalysis, name: str) -> dict[str, Any]:
        """Verdict, routes (with the equivalent standard air leak rate of each, TM1014 units) and totals."""
        files = "leak_paths" if name == "intact" else "leak_paths_cracked"
        routes = [
            {**r.as_dict(), "equivalent_leak_atm_cm3_per_s": permeation_equivalent_leak(r.conductance) / ATM_CC_PER_S}
            for r in analysis.routes
        ]
        total = self.copies * analysis.total_conductance
        return {
            f"verdict_{name}": analysis.verdict,
            "routes" if name == "intact" else "routes_cracked": routes,
            f"conductance_{name}_full_package_kg_per_s_Pa": total,
            f"equivalent_leak_{name}_full_package_atm_cm3_per_s": permeation_equivalent_leak(total) / ATM_CC_PER_S,
            f"files_{name}": [f"{files}.vtp", f"{files}.csv"],
        }


def leak_paths_only(case: Case, tagged: TaggedMesh, folder: Path, comm: Any) -> dict[str, Any]:
    """The intact analysis without mechanics (``flipstack leak-paths``)."""
    settings = case.leak_paths or LeakPathSettings()
    stage = LeakPathStage(
        case.model_copy(update={"leak_paths": settings.model_copy(update={"crack": []})}), tagged, comm
    )
    return stage.finish(folder)


def run_leak_paths(case: Case, out: Path, overwrite: bool, console: Any, comm: Any) -> dict[str, Any]:
    """``flipstack leak-paths``: mesh the case, find the intact routes, write the route files and leak_paths.json."""
    import json

    from fem_package.run_folder import staged_folder
    from geometries import mesh_geometry

    with staged_folder(out, overwrite, comm) as folder:
        with console.status("meshing with gmsh"):
            tagged = mesh_geometry(case.geometry, case.mesh, comm)
        console.info(f"'{case.geometry.type}' ({tagged.description.symmetry} model): {tagged.stats['cells']} cells")
        section = leak_paths_only(case, tagged, folder, comm)
        if comm.rank == 0:
            (folder / "leak_paths.json").write_text(json.dumps(section, indent=2) + "\n", encoding="utf-8")
    console.info(f"verdict: {section['verdict_intact']}")
    for r in section["routes"]:
        console.info(
            f"  route {r['route_id']}: L = {r['length_m'] * 1e6:.1f} um, A = {r['cross_section_m2'] * 1e12:.4g} um^2, "
            f"G = {r['conductance_kg_per_s_Pa']:.3e} kg/(s Pa) "
            f"(~{r['equivalent_leak_atm_cm3_per_s']:.2e} atm cm3/s air), "
            f"through {', '.join(r['materials'])} to {r['reaches']}"
        )
    console.info(f"results in {out}")
    return section
