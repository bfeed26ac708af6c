"""Pipeline stage: moisture ingress (``[hermeticity]``), run after the mechanics.

Builds the permeable regions from the case's materials (barriers by category, see
:mod:`fem_package.moisture_data`), the ambient faces (the ``outside`` group when the geometry has
one, else every exterior face that is not a symmetry plane or a cavity wall) and the sealed gas
volumes (``sealed_cavity``: the cavity and the lumped sub-cavities, modelled volumes from
``description.info``); steps :class:`solvers.moisture_diffusion.MoistureDiffusion` through the
ambient history and writes ``moisture.xdmf`` (``wetness``, ``concentration_kg_m3``),
``cavity_humidity.csv`` / ``.png`` and returns the ``hermeticity`` section of summary.json.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.console import Console
from fem_package.moisture_data import moisture_library
from fem_package.tagged_mesh import TaggedMesh
from fem_package.units import celsius

GAS_VOLUMES = (
    ("cavity", "cavity_wall", "cavity_volume_modelled"),
    ("subcavities", "subcavity_wall", "subcavity_volume_modelled"),
)
"""(gas volume name, wall boundary group, description.info key of its modelled volume)."""
SYMMETRY_GROUPS = ("symmetry_x", "symmetry_y")


def _tag(tagged: TaggedMesh, name: str) -> int | None:
    try:
        return tagged.description.boundary_tag(name)
    except KeyError:
        return None


def run_hermeticity(case: Case, tagged: TaggedMesh, folder: Path, console: Console) -> dict[str, Any]:
    """Solve the moisture ingress of ``case`` on ``tagged`` and write its outputs; returns the summary section."""
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
    outside = _tag(tagged, "outside")
    if outside is not None:
        ambient_tags: tuple[int, ...] = (outside,)
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
    console.info(
        f"moisture ingress: {climate.describe()}, {settings.steps} steps to {settings.duration / 3600:.4g} h; "
        f"{problem.num_dofs} P1 nodes in {', '.join(sorted({r.properties.key for r in regions}))}; "
        f"{nodes['ambient']} ambient nodes"
        + "".join(f", {g.name} {g.volume * 1e9:.4g} mm^3 ({nodes[g.name]} wall nodes)" for g in gases)
    )
    if nodes["ambient"] == 0:
        console.info("  no permeable material touches the ambient: the polymers and cavities stay at the initial RH")
    writer = FieldWriter(problem.submesh, folder, "moisture")
    history = [initial_result(problem, rh0_amb)]
    writer.write([problem.w, problem.concentration_cells()], 0.0)
    with console.progress("moisture ingress", len(times) - 1) as bar:
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
    if problem.comm.rank == 0:
        write_csv(folder / "cavity_humidity.csv", t_arr, columns)
        series = {"ambient": ambient, **{g.name: columns[f"{g.name}_rh_percent"] / 100 for g in gases}}
        plot_humidity(folder / "cavity_humidity.png", t_arr, series, f"{case.title}: {climate.describe()}")
    timings = problem.timings
    return {
        "model": "diffusion",
        "verdict": None,  # filled by the leak-path model (MIL-STD-883 TM1014); diffusion results only here
        "ambient": climate.describe(),
        "duration_s": settings.duration,
        "operating_temperature_K": settings.operating_temperature,
        "permeable_regions": {r.name: r.properties.key for r in regions},
        "barrier_materials": sorted(barriers),
        "ambient_nodes": nodes["ambient"],
        "dofs": problem.num_dofs,
        "gas_volumes": gas_summary,
        "polymer_water_kg_modelled": float(columns["polymer_water_kg_modelled"][-1]),
        "files": {"fields": "moisture.xdmf", "table": "cavity_humidity.csv", "picture": "cavity_humidity.png"},
        "timings_s": {
            "setup": timings.setup,
            "assemble": timings.assemble,
            "solve": timings.solve,
            "total": time.perf_counter() - t_start,
        },
    }
