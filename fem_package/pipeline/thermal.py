"""Thermal stage: the temperature of every cell at each load step, from the case's ``[thermal]`` section.

* chamber: the uniform chamber temperature of the step (a float, as before);
* conduction: :class:`solvers.heat_conduction.HeatConduction` marched from step to step with the
  chamber temperature as convection ambient and the power schedule of ``[thermal.power]``
  (powers are those of the full package; a quarter model gets 1/4);
* prescribed: a map (:mod:`fem_package.temperature_map`) evaluated on this mesh.

The mechanics gets one temperature per local cell (owned then ghost, the DG0 layout): the
cell average of the temperature field. Conduction: the average of the P1 field (its value at
the centroid). Expression: the exact average up to a degree-5 tetrahedron rule. CSV / XDMF
node data: the average of the values interpolated to the cell's vertices. XDMF cell data: the
value interpolated to the cell centroid.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.case.thermal import EXTERIOR, chamber_temperature
from fem_package.conduction_time_step import check_time_steps
from fem_package.console import Console
from fem_package.fenics import MPI
from fem_package.tagged_mesh import TaggedMesh
from fem_package.temperature_map import (
    InterpolationWeights,
    TemperatureExpression,
    at_time,
    cell_averages,
    interpolation_weights,
    read_point_cloud_csv,
    tetrahedron_centroids,
)
from fem_package.thermal_profile import LoadStep

COPIES = {"quarter": 4, "half": 2, "full": 1}
"""Mirror copies of the modelled part that make the full package (power share = 1 / copies)."""


class ConductionTimeStepWarning(UserWarning):
    """Backward-Euler steps of the heat conduction too long for the die's thermal time constant."""


class TemperatureMapWarning(UserWarning):
    """Part of the mesh lies outside a prescribed point cloud (its values are extrapolated by the nearest point)."""


def thermal_steps(case: Case) -> list[LoadStep]:
    """The load steps of the run: the chamber steps, with power cycling merged with the power steps."""
    return case.thermal.steps(case.load)


def check_thermal_names(case: Case, tagged: TaggedMesh) -> None:
    """Boundary and role names of ``[thermal]`` against the meshed geometry (the case alone cannot know them)."""
    desc = tagged.description
    known = [b.name for b in desc.boundaries]
    for section, table in (("convection", case.thermal.convection), ("fixed", case.thermal.fixed)):
        for name, value in table.items():
            if name != EXTERIOR and name not in known:
                raise CaseError(
                    f"thermal.{section}.{name} = {value!r}: unknown boundary {name!r}; boundaries of geometry "
                    f"'{desc.geometry_type}': {', '.join([*known, EXTERIOR])}"
                )
    if case.thermal.power is not None:
        for role, value in case.thermal.power.role_powers().items():
            if role not in desc.roles:
                key = "thermal.power.power" if case.thermal.power.roles is None else f"thermal.power.roles.{role}"
                raise CaseError(
                    f"{key} = {value!r} W: the geometry has no role {role!r}; roles: {', '.join(desc.roles)}"
                )


def cell_vertices(mesh: Any) -> np.ndarray:
    """Vertex coordinates (cells, 4, 3) of every local cell (owned then ghost) of an affine tetrahedral mesh."""
    return np.asarray(mesh.geometry.x[mesh.geometry.dofmaps[0]][:, :4])


class MapTemperatures:
    """A prescribed map on this mesh: ``at(t)`` gives one temperature per local cell (K)."""

    def __init__(self, case: Case, tagged: TaggedMesh, comm: Any):
        settings = case.thermal.map
        assert settings is not None
        self.settings = settings
        self.load = case.load
        mesh = tagged.mesh
        self.vertices = cell_vertices(mesh)
        self.dofmap = np.asarray(mesh.geometry.dofmaps[0])[:, :4]
        self.expression: TemperatureExpression | None = None
        self.times = np.zeros(1)
        self.snapshots = np.zeros((1, 0))
        self.node_snapshots = np.zeros((1, 0))
        self.node_points = np.asarray(mesh.geometry.x)
        self._cell_cloud: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.outside_regions: list[str] = []
        weights: InterpolationWeights | None = None
        on_nodes = True
        if settings.source == "expression":
            assert settings.expression is not None
            self.expression = TemperatureExpression.parse(settings.expression)
            return
        assert settings.file is not None
        if settings.source == "csv":
            cloud = read_point_cloud_csv(settings.file)
            points, times, values = cloud.points, cloud.times, cloud.values
        else:
            points, times, values, on_nodes = self._read_xdmf(settings.file)
        targets = mesh.geometry.x if on_nodes else tetrahedron_centroids(mesh.geometry.x, self.dofmap)
        weights = interpolation_weights(points, targets, settings.method)
        snapshots = weights.apply(values)  # (times, targets)
        # per-node values (solver deck): the node data itself, or, computed when first asked for,
        # the cloud of the source cells' centroids interpolated to the nodes
        self._cell_cloud = None if on_nodes else (points, values, times)
        nodes = snapshots if on_nodes else np.zeros((len(times), 0))
        if settings.time is not None:
            if not times[0] - 1e-9 <= settings.time <= times[-1] + 1e-9:
                raise CaseError(
                    f"thermal.map.time = {settings.time} s: outside the times of the map, {times[0]} .. {times[-1]} s"
                )
            snapshots = at_time(times, snapshots, settings.time)[None, :]
            nodes, times = at_time(times, nodes, settings.time)[None, :], np.zeros(1)
        self.times = times
        self.snapshots = snapshots[:, self.dofmap].mean(axis=2) if on_nodes else snapshots
        self.node_snapshots = nodes
        self._report_outside(weights, on_nodes, tagged, comm)

    def _read_xdmf(self, file: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """(points, times, values (times, points), node data?) of the XDMF field; cell data at the cell centroids."""
        from postprocess.xdmf_results import XdmfResults

        s = self.settings
        try:
            results = XdmfResults.open(Path(file))
        except (OSError, ValueError, KeyError) as exc:
            raise CaseError(f"thermal.map.file = {file!r}: cannot read it as flipstack results ({exc})") from None
        if s.field not in results.fields:
            raise CaseError(
                f"thermal.map.field = {s.field!r}: not in {file}; fields: {', '.join(sorted(results.fields))}"
            )
        center, by_time = results.fields[s.field]
        times = np.array(sorted(by_time))
        if s.step is not None:
            if s.step >= len(times):
                raise CaseError(f"thermal.map.step = {s.step}: {file} has steps 0 .. {len(times) - 1}")
            times = times[s.step : s.step + 1]
        values = np.array([results.read(s.field, t).reshape(-1) for t in times])
        if center == "Cell":
            return tetrahedron_centroids(results.points, results.cells), times, values, False
        return results.points, times, values, True

    def _report_outside(self, weights: InterpolationWeights, on_nodes: bool, tagged: TaggedMesh, comm: Any) -> None:
        """Warn (rank 0) naming the regions with nodes or cells outside the map's cloud."""
        outside_cells = weights.outside[self.dofmap].any(axis=1) if on_nodes else weights.outside
        tags = np.unique(tagged.cell_tags.values[np.isin(tagged.cell_tags.indices, np.flatnonzero(outside_cells))])
        names = {r.tag: r.name for r in tagged.description.regions}
        local = {names[int(t)] for t in tags}
        self.outside_regions = sorted(set().union(*comm.allgather(local)))
        if self.outside_regions and comm.rank == 0:
            warnings.warn(
                f"thermal.map.file = {self.settings.file!r}: regions outside the point cloud (given the value of "
                f"the nearest point): {', '.join(self.outside_regions)}",
                TemperatureMapWarning,
                stacklevel=2,
            )

    def at(self, t: float) -> np.ndarray:
        """Temperature of every local cell (K) at time ``t``."""
        if self.expression is not None:
            values = cell_averages(self.expression, self.vertices, t)
        else:
            values = at_time(self.times, self.snapshots, t)
        return self._combined(values, t)

    def at_nodes(self, t: float) -> np.ndarray:
        """Temperature of every local geometry node (K) at time ``t``: the map evaluated or interpolated there.

        For an expression and for node data (CSV, XDMF point data) the mean over a cell's four
        vertices is the cell value :meth:`at` gives when the field is linear in the cell (for
        node data always: :meth:`at` averages these very values); XDMF cell data is the cloud of
        the source cells' centroids interpolated to the nodes.
        """
        if self.expression is not None:
            return self._combined(self.expression(self.node_points, t), t)
        if self._cell_cloud is not None:
            points, values, times = self._cell_cloud
            nodes = interpolation_weights(points, self.node_points, self.settings.method).apply(values)
            if self.settings.time is not None:
                nodes = at_time(times, nodes, self.settings.time)[None, :]
            self.node_snapshots, self._cell_cloud = nodes, None
        return self._combined(at_time(self.times, self.node_snapshots, t), t)

    def _combined(self, values: np.ndarray, t: float) -> np.ndarray:
        s = self.settings
        if s.combine == "rise":
            assert s.reference_temperature is not None
            values = chamber_temperature(self.load, t) + s.scale * (values - s.reference_temperature)
        if np.any(values <= 0):
            raise CaseError(f"thermal.map: temperatures down to {values.min():.3g} K at t = {t} s (must be > 0 K)")
        return np.asarray(values, dtype=float)


class ThermalStage:
    """Temperatures for the mechanics step by step; conduction also gives the P1 field to write."""

    def __init__(self, case: Case, tagged: TaggedMesh, regions: list[Any], comm: Any, console: Console):
        self.case = case
        self.mode = case.thermal.mode
        self.comm = comm
        self.console = console
        self.conduction: Any = None
        self.map: MapTemperatures | None = None
        self.records: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self.time_step: dict[str, Any] | None = None
        self.share = 1.0 / COPIES[tagged.description.symmetry]
        role_of = {r.tag: r.role for r in tagged.description.regions}
        n_owned = tagged.mesh.topology.index_map(tagged.mesh.topology.dim).size_local
        cell_role = np.full(n_owned, "", dtype=object)
        owned = tagged.cell_tags.indices < n_owned
        cell_role[tagged.cell_tags.indices[owned]] = [role_of[int(v)] for v in tagged.cell_tags.values[owned]]
        self.die_cells = cell_role == "die"
        self.has_die = bool(comm.allreduce(bool(self.die_cells.any()), op=MPI.LOR))
        self.n_owned = n_owned
        if self.mode == "chamber":
            return
        check_thermal_names(case, tagged)
        if self.mode == "prescribed":
            with console.status("mapping the prescribed temperature onto the mesh"):
                self.map = MapTemperatures(case, tagged, comm)
            return
        from solvers.heat_conduction import HeatConduction, ThermalConditions

        th = case.thermal
        initial = th.initial_temperature or chamber_temperature(case.load, 0.0)
        conditions = ThermalConditions(dict(th.convection), dict(th.fixed))
        self.conduction = HeatConduction(tagged, regions, conditions, initial, th.rtol)
        console.info(f"heat conduction P1: {self.conduction.num_dofs} dofs, backward Euler")
        self._last_time = 0.0
        if self.has_die:
            self._check_time_steps()

    def _check_time_steps(self) -> None:
        """Compare the backward-Euler steps with the die's time constant (:mod:`fem_package.conduction_time_step`)."""
        hc = self.conduction
        capacity, resistance = hc.heat_capacity("die"), hc.rise_per_watt("die")  # modelled part: C * R is the same
        times = [0.0, *(s.time for s in thermal_steps(self.case))]
        check = check_time_steps(times, self.case.thermal.max_time_step, capacity * resistance)
        self.time_step = {
            "criterion": "error of backward Euler on a first-order lag with tau = C_die R_die, seen at the "
            "load steps, above 2 % of the temperature change (one step per interval: 0.11 tau < dt < 49 tau)",
            "die_heat_capacity_J_per_K": capacity / self.share,
            "die_rise_per_watt_K_per_W": resistance * self.share,
            "tau_s": check.tau,
            "longest_step_s": check.longest_step,
            "flagged_intervals": len(check.flagged),
            "suggested_max_time_step_s": check.suggested_max_time_step,
        }
        self.console.detail(
            f"  die time constant tau = {check.tau:.3g} s; longest backward-Euler step {check.longest_step:.3g} s"
        )
        if check.warning is not None:
            self.warnings.append(check.warning)
            if self.comm.rank == 0:
                warnings.warn(check.warning, ConductionTimeStepWarning, stacklevel=2)

    @property
    def fields(self) -> list[Any]:
        """Functions to write with the results: the P1 temperature of a conduction run."""
        return [self.conduction.T] if self.conduction is not None else []

    def _power(self, t_from: float, t_to: float) -> dict[str, float]:
        p = self.case.thermal.power
        if p is None or not p.is_on(t_from, t_to):
            return {}
        return {role: w * self.share for role, w in p.role_powers().items()}

    def temperature(self, step: LoadStep) -> float | np.ndarray:
        """The step's temperature for the mechanics: the chamber value, or one value per local cell (K)."""
        if self.mode == "chamber":
            values: float | np.ndarray = step.temperature
            die = np.array([step.temperature] if self.has_die else [])
            self._record(step, np.array([step.temperature]), die, {})
            return values
        power: dict[str, float] = {}
        if self.map is not None:
            cells = self.map.at(step.time)
        else:
            hc = self.conduction
            power = self._power(self._last_time, step.time)
            hc.set_power(power)
            load = self.case.load
            hc.advance(step.time, lambda t: chamber_temperature(load, t), self.case.thermal.max_time_step)
            self._last_time = step.time
            cells = hc.cell_temperatures()
        owned = cells[: self.n_owned]
        self._record(step, owned, owned[self.die_cells], power)
        return cells

    def node_temperatures(self, step: LoadStep) -> np.ndarray | None:
        """After :meth:`temperature` of ``step``: one temperature per local geometry node (K); None for chamber.

        Conduction: the P1 field at the vertices (its cell averages are the cell values of the
        mechanics); prescribed: :meth:`MapTemperatures.at_nodes`.
        """
        if self.map is not None:
            return self.map.at_nodes(step.time)
        if self.conduction is None:
            return None
        hc = self.conduction
        mesh = hc.mesh
        out = np.empty(len(mesh.geometry.x))
        out[np.asarray(mesh.geometry.dofmaps[0])[:, :4]] = hc.T.x.array[hc.V.dofmap.list]
        return out

    def _record(self, step: LoadStep, owned: np.ndarray, die: np.ndarray, power: dict[str, float]) -> None:
        big = np.inf
        lo = self.comm.allreduce(float(owned.min()) if owned.size else big, op=MPI.MIN)
        hi = self.comm.allreduce(float(owned.max()) if owned.size else -big, op=MPI.MAX)
        die_hi = self.comm.allreduce(float(die.max()) if die.size else -big, op=MPI.MAX)
        record: dict[str, Any] = {"index": step.index, "time_s": step.time, "min_K": lo, "max_K": hi}
        record["die_max_K"] = die_hi if np.isfinite(die_hi) else None
        if self.conduction is not None:
            record["power_W"] = sum(power.values()) / self.share
            if self.conduction.history:
                last = self.conduction.history[-1]
                record["heat_balance_W"] = {
                    "power_in": last.power_in / self.share,
                    "stored": last.stored / self.share,
                    "convected": last.convected / self.share,
                    "through_fixed": last.through_fixed / self.share,
                }
        self.records.append(record)

    def summary(self) -> dict[str, Any]:
        """The ``thermal`` section of summary.json (powers and heat flows of the full package)."""
        die = [r["die_max_K"] for r in self.records if r["die_max_K"] is not None]
        out: dict[str, Any] = {
            "mode": self.mode,
            "cell_temperature": "cell average",
            "die_junction_max_K": max(die) if die else None,
            "steps": self.records,
        }
        if self.conduction is not None:
            out["dofs"] = self.conduction.num_dofs
            out["time_steps"] = len(self.conduction.history)
            out["seconds"] = self.conduction.seconds
            out["nodal_field"] = "temperature_nodal_K"
            out["time_step_check"] = self.time_step
        out["warnings"] = self.warnings
        if self.map is not None:
            out["map_source"] = self.case.thermal.map.source if self.case.thermal.map else None
            out["outside_regions"] = self.map.outside_regions
        return out
