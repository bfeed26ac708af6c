"""Pipeline stage: hermeticity (``[hermeticity]``) after the mechanics, intact and with the cycle's cracks.

Intact state:

* leak paths (:mod:`fem_package.pipeline.leak_paths`): every route from the outside groups to the cavity
  walls through permeable cells, ranked by conductance; the verdict ``hermetic`` only when there is none
  (geometries with cavity walls; otherwise the verdict is None);
* moisture diffusion (:class:`solvers.moisture_diffusion.MoistureDiffusion`): the permeable regions from
  the case's materials (barriers by category, :mod:`fem_package.moisture_data`), the ambient faces (the
  leak paths' outside groups when the geometry has them, else every exterior face that is not a symmetry
  plane or a cavity wall), the sealed gas volumes (``sealed_cavity``: the cavity and the lumped
  sub-cavities, modelled volumes from ``description.info``); RH times, time constant and dew-point time
  of every gas volume (:mod:`postprocess.cavity_humidity`) and their TM1014 equivalent leak rates and
  reject limits (:mod:`postprocess.leak_equivalence`).

Cracked state (``[[hermeticity.crack]]``): the stresses of every load step give per-cell measures
(:mod:`postprocess.crack_criterion`); cells past a criterion become the cracked material
(``[hermeticity.cracked]``) and both analyses are repeated. Files: ``leak_paths.vtp/.csv``,
``moisture.xdmf``, ``cavity_humidity.csv/.png`` and the same names with ``_cracked`` for the cracked state.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.console import Console
from fem_package.fenics import MPI, dolfinx
from fem_package.moisture_data import MoistureProperties, moisture_library
from fem_package.tagged_mesh import TaggedMesh
from fem_package.units import celsius

GAS_VOLUMES = (
    ("cavity", "cavity_wall", "cavity_volume_modelled"),
    ("subcavities", "subcavity_wall", "subcavity_volume_modelled"),
)
"""(gas volume name, wall boundary group, description.info key of its modelled volume)."""
SYMMETRY_GROUPS = ("symmetry_x", "symmetry_y")
CRACKED_REGION = "cracked"
"""Name of the region of cracked cells in the moisture model of the cracked state."""


def _tag(tagged: TaggedMesh, name: str) -> int | None:
    try:
        return tagged.description.boundary_tag(name)
    except KeyError:
        return None


def with_cracked_cells(tagged: TaggedMesh, cracked: np.ndarray) -> tuple[TaggedMesh, int]:
    """A copy of ``tagged`` whose cracked cells (bool per local cell, owned then ghost) carry a new region tag."""
    ct = tagged.cell_tags
    tag = 1 + max(r.tag for r in tagged.description.regions)
    values = np.where(cracked[ct.indices], tag, ct.values).astype(ct.values.dtype)
    cell_tags = dolfinx.mesh.meshtags(tagged.mesh, tagged.mesh.topology.dim, ct.indices, values)
    return replace(tagged, cell_tags=cell_tags), tag


def solve_moisture(
    case: Case,
    tagged: TaggedMesh,
    folder: Path,
    console: Console,
    cracked: np.ndarray | None = None,
    suffix: str = "",
) -> dict[str, Any]:
    """Solve the moisture ingress and write ``moisture{suffix}.xdmf``, ``cavity_humidity{suffix}.csv/.png``.

    ``cracked``: a bool per local cell (owned then ghost); those cells take the cracked material's D and
    C_sat. Returns the diffusion part of the state's summary (same on every rank).
    """
    from fem_package.field_output import FieldWriter
    from postprocess.cavity_humidity import plot_humidity, summarize, write_csv
    from solvers.moisture_diffusion import (
        GasVolume,
        MoistureDiffusion,
        PermeableRegion,
        PrescribedBoundary,
        initial_result,
    )

    settings = case.hermeticity
    t_start = time.perf_counter()
    lib = moisture_library()
    desc = tagged.description
    regions, barriers = [], set()
    for r in desc.regions:
        material = case.material_of(r.role)
        try:
            props = lib.of(material)
        except ValueError as exc:
            raise CaseError(f"hermeticity: region {r.name!r}: {exc}") from None
        if props is None:
            barriers.add(material.key)
            continue
        factor = settings.diffusivity_factor.get(r.role, 1.0)
        regions.append(PermeableRegion(r.tag, r.name, props, factor))
    if cracked is not None:
        tagged, crack_tag = with_cracked_cells(tagged, cracked)
        cracked_props: MoistureProperties = settings.cracked.properties()
        present = tagged.mesh.comm.allreduce(int(np.count_nonzero(tagged.cell_tags.values == crack_tag)))
        if present:
            regions.append(PermeableRegion(crack_tag, CRACKED_REGION, cracked_props))
    if not regions:
        raise CaseError(
            f"hermeticity: geometry '{desc.geometry_type}' has no water-permeable material (all of "
            f"{', '.join(sorted(barriers))} are barriers); moisture ingress is only by leaks"
        )
    gases = []
    for name, group, key in GAS_VOLUMES:
        tag = _tag(tagged, group)
        if tag is not None and float(desc.info.get(key, 0.0)) > 0:
            gases.append(GasVolume(name, float(desc.info[key]), (tag,)))
    outside = [t for g in settings.leak_paths.outside if (t := _tag(tagged, g)) is not None]
    if outside:
        ambient_tags: tuple[int, ...] = tuple(outside)
    else:  # every exterior face except symmetry planes and cavity walls
        from solvers.moisture_diffusion import UNTAGGED_EXTERIOR

        excluded = {t for n in (*SYMMETRY_GROUPS, *(g for _, g, _ in GAS_VOLUMES)) if (t := _tag(tagged, n))}
        ambient_tags = tuple(sorted({b.tag for b in desc.boundaries} - excluded | {UNTAGGED_EXTERIOR}))
    climate = settings.climate()
    times = settings.times()
    t0_amb, rh0_amb = climate.at(0.0)
    problem = MoistureDiffusion(
        tagged,
        regions,
        [PrescribedBoundary("ambient", ambient_tags)],
        gases,
        initial_humidity=settings.initial_humidity,
        initial_temperature=t0_amb,
    )
    nodes = problem.boundary_node_counts
    state = "cracked" if cracked is not None else "intact"
    console.info(
        f"moisture ingress ({state}): {climate.describe()}, {settings.steps} steps to "
        f"{settings.duration / 3600:.4g} h; "
        f"{problem.num_dofs} P1 nodes in {', '.join(sorted({r.properties.key for r in regions}))}; "
        f"{nodes['ambient']} ambient nodes"
        + "".join(f", {g.name} {g.volume * 1e9:.4g} mm^3 ({nodes[g.name]} wall nodes)" for g in gases)
    )
    if nodes["ambient"] == 0:
        console.info("  no permeable material touches the ambient: the polymers and cavities stay at the initial RH")
    writer = FieldWriter(problem.submesh, folder, f"moisture{suffix}")
    history = [initial_result(problem, rh0_amb)]
    writer.write([problem.w, problem.concentration_cells()], 0.0)
    with console.progress(f"moisture ingress ({state})", len(times) - 1) as bar:
        for t in times[1:]:
            temp, rh_amb = climate.at(float(t))
            res = problem.step(float(t), temp, rh_amb)
            history.append(res)
            writer.write([problem.w, problem.concentration_cells()], float(t))
            bar.advance(
                f"moisture  t = {t / 3600:8.3g} h"
                + "".join(f"  {n} {100 * v:5.1f} %" for n, v in res.gas_humidity.items())
            )
    writer.close()

    t_arr = np.array([h.time for h in history])
    ambient = np.array([h.ambient_humidity for h in history])
    columns: dict[str, np.ndarray] = {
        "ambient_temperature_C": np.array([celsius(h.temperature) for h in history]),
        "ambient_rh_percent": 100 * ambient,
    }
    gas_summary = {}
    for g in gases:
        rh = np.array([h.gas_humidity[g.name] for h in history])
        rho = np.array([h.gas_vapour_density[g.name] for h in history])
        columns[f"{g.name}_rh_percent"] = 100 * rh
        columns[f"{g.name}_vapour_density_kg_m3"] = rho
        gas_summary[g.name] = {
            "volume_modelled_m3": g.volume,
            "wall_nodes": nodes[g.name],
            **summarize(t_arr, rh, ambient, rho, settings.operating_temperature),
        }
    columns["polymer_water_kg_modelled"] = np.array([h.moisture_mass for h in history])
    files = {
        "fields": f"moisture{suffix}.xdmf",
        "table": f"cavity_humidity{suffix}.csv",
        "picture": f"cavity_humidity{suffix}.png",
    }
    if problem.comm.rank == 0:
        write_csv(folder / files["table"], t_arr, columns)
        series = {"ambient": ambient, **{g.name: columns[f"{g.name}_rh_percent"] / 100 for g in gases}}
        plot_humidity(folder / files["picture"], t_arr, series, f"{case.title} ({state}): {climate.describe()}")
    timings = problem.timings
    return {
        "permeable_regions": {r.name: r.properties.key for r in regions},
        "barrier_materials": sorted(barriers),
        "ambient_nodes": nodes["ambient"],
        "dofs": problem.num_dofs,
        "gas_volumes": gas_summary,
        "polymer_water_kg_modelled": float(columns["polymer_water_kg_modelled"][-1]),
        "files": files,
        "timings_s": {
            "setup": timings.setup,
            "assemble": timings.assemble,
            "solve": timings.solve,
            "total": time.perf_counter() - t_start,
        },
    }


def owned_roles(tagged: TaggedMesh) -> np.ndarray:
    """Geometry role of every owned cell."""
    n_owned = tagged.mesh.topology.index_map(tagged.mesh.topology.dim).size_local
    role_of = {r.tag: r.role for r in tagged.description.regions}
    tags = np.zeros(n_owned, dtype=np.int64)
    own = tagged.cell_tags.indices < n_owned
    tags[tagged.cell_tags.indices[own]] = tagged.cell_tags.values[own]
    return np.array([role_of.get(int(t), "") for t in tags], dtype=object)


def to_local_cells(tagged: TaggedMesh, owned: np.ndarray) -> np.ndarray:
    """A per-owned-cell array extended to the ghost cells (owned then ghost), through a DG0 scatter."""
    space = dolfinx.fem.functionspace(tagged.mesh, ("DG", 0))
    f = dolfinx.fem.Function(space)
    n_owned = len(owned)
    dofs = space.dofmap.list[:, 0]
    f.x.array[dofs[:n_owned]] = owned
    f.x.scatter_forward()
    return np.asarray(f.x.array[dofs])


class HermeticityStage:
    """Collects the cell stresses of every load step; at the end runs the intact and the cracked analyses."""

    def __init__(self, case: Case, tagged: TaggedMesh, comm: Any, console: Console):
        from postprocess.crack_criterion import StressHistory

        self.case, self.tagged, self.comm, self.console = case, tagged, comm, console
        self.settings = case.hermeticity
        self.history = StressHistory() if self.settings.crack else None

    def add_step(self, stress: np.ndarray) -> None:
        """Record the owned cells' (n, 3, 3) stress of one load step (kept only with crack criteria)."""
        if self.history is not None:
            self.history.add(stress)

    def _crack(self) -> tuple[np.ndarray, dict[str, Any]]:
        """Cracked flag per owned cell and the ``cracking`` summary."""
        from postprocess.crack_criterion import cracked_cells

        assert self.history is not None
        result = cracked_cells(self.history.measures(), owned_roles(self.tagged), self.settings.crack)
        n_owned = len(result.cracked)
        tags = np.zeros(n_owned, dtype=np.int64)
        own = self.tagged.cell_tags.indices < n_owned
        tags[self.tagged.cell_tags.indices[own]] = self.tagged.cell_tags.values[own]
        counts = {}
        for r in self.tagged.description.regions:
            n = int(self.comm.allreduce(int(np.count_nonzero(result.cracked & (tags == r.tag)))))
            if n:
                counts[f"{r.name} ({self.case.material_of(r.role).key})"] = n
        local_max = float(result.utilisation.max()) if len(result.utilisation) else 0.0
        props = self.settings.cracked.properties()
        t_leak = self.settings.leak_path_temperature()
        return result.cracked, {
            "criteria": [c.model_dump() for c in self.settings.crack],
            "cracked_cells": counts,
            "max_utilisation": float(self.comm.allreduce(local_max, op=MPI.MAX)),
            "cracked_material": {
                "diffusivity_m2_per_s": props.diffusivity(t_leak),
                "saturated_concentration_kg_m3": props.saturated_concentration(t_leak),
                "permeability_kg_per_m_s_Pa": props.permeability(t_leak),
                "at_temperature_K": t_leak,
                "diffusivity_source": props.diffusivity_source,
                "solubility_source": props.solubility_source,
            },
        }

    def _state(self, folder: Path, cracked: np.ndarray | None) -> dict[str, Any]:
        """Leak paths and moisture diffusion of one state (intact: ``cracked`` None)."""
        from fem_package.pipeline.leak_paths import find_leak_paths, has_cavity

        case, tagged = self.case, self.tagged
        lp = self.settings.leak_paths
        t_leak = self.settings.leak_path_temperature()
        leak: dict[str, Any] = {"verdict": None, "routes": [], "files": []}
        if lp.enabled and has_cavity(tagged, lp):
            leak = find_leak_paths(case, tagged, folder, self.comm, t_leak, cracked)
        local = to_local_cells(tagged, cracked.astype(float)) > 0.5 if cracked is not None else None
        suffix = "_cracked" if cracked is not None else ""
        diffusion = solve_moisture(case, tagged, folder, self.console, local, suffix)
        return {**leak, "diffusion": diffusion}

    def finish(self, folder: Path) -> dict[str, Any]:
        """Run the analyses, write their files and return the ``hermeticity`` section of summary.json."""
        from geometries.symmetry import copies
        from postprocess.leak_equivalence import tm1014_equivalence

        t0 = time.perf_counter()
        settings = self.settings
        climate = settings.climate()
        t_leak = settings.leak_path_temperature()
        states: dict[str, dict[str, Any] | None] = {"intact": self._state(folder, None), "cracked": None}
        cracking = None
        if self.history is not None:
            cracked, cracking = self._crack()
            if cracking["cracked_cells"]:
                states["cracked"] = self._state(folder, cracked)
            else:
                self.console.info("  no cell cracked: the cracked state is the intact one")
                states["cracked"] = states["intact"]
        n_copies = copies(self.tagged.description.symmetry)
        for state in states.values():
            if state is None or "tm1014" in state:
                continue
            by_wall = state.get("conductance_by_wall_full_package_kg_per_s_Pa")
            state["tm1014"] = {}
            for name, group, _ in GAS_VOLUMES:
                gas = state["diffusion"]["gas_volumes"].get(name)
                if gas is None:
                    continue
                g = by_wall.get(group, 0.0) if by_wall is not None else None
                eq = tm1014_equivalence(n_copies * gas["volume_modelled_m3"], gas["time_constant_s"], g, t_leak)
                state["tm1014"][name] = eq.as_dict()
        intact, cracked_state = states["intact"], states["cracked"]
        assert intact is not None
        out = {
            "verdict": intact["verdict"],
            "verdict_cracked": cracked_state["verdict"] if cracked_state is not None else None,
            "ambient": climate.describe(),
            "duration_s": settings.duration,
            "operating_temperature_K": settings.operating_temperature,
            "leak_path_temperature_K": t_leak,
            "intact": intact,
            "cracked": cracked_state,
            "cracking": cracking,
            "timings_s": {"total": time.perf_counter() - t0},
        }
        self._report(out)
        return out

    def _report(self, out: dict[str, Any]) -> None:
        for name in ("intact", "cracked"):
            state = out[name]
            if state is None:
                continue
            line = f"hermeticity ({name}): verdict {state['verdict']}, {len(state['routes'])} route(s)"
            for gas, g in state["diffusion"]["gas_volumes"].items():
                t50 = g["time_to_50pct_s"]
                line += f"; {gas} RH {100 * g['final_humidity']:.1f} % at the end"
                line += f", 50 % after {t50 / 3600:.4g} h" if t50 is not None else ", never 50 %"
            self.console.info(line)


def run_hermeticity(case: Case, tagged: TaggedMesh, folder: Path, console: Console) -> dict[str, Any]:
    """The intact state alone (no mechanics, so no cracks): leak paths and moisture ingress; the summary section."""
    intact = case.model_copy(update={"hermeticity": case.hermeticity.model_copy(update={"crack": []})})
    return HermeticityStage(intact, tagged, tagged.mesh.comm, console).finish(folder)
