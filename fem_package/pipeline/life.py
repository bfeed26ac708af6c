"""Life stage: stabilized-cycle results -> per-joint fatigue lives, package Weibull, mission years.

Called by the elastic and inelastic runs when the case has a ``[life]`` section:

    life = LifeStage.create(case, tagged, comm, volumes, inelastic=...)   # after meshing
    life.add_step(step, stress, shear_strain, mechanical_strain)         # every solved step
    life.end_cycle(dW_cells, dp_cells)                                   # inelastic: each finished cycle
    summary["life"] = life.finish(folder, console)                      # after the mechanics

It finds each joint's pad-interface layers from the mesh topology
(:mod:`postprocess.life.interface_layer`), averages the drivers over them, evaluates the case's
life model per joint (:mod:`postprocess.life.joint_life`), and writes ``life.csv``, ``life.xdmf``
(DG0 ``cycles_to_failure``, ``damage_per_cycle``, ``interface_layer``), ``life_map.png``,
``hysteresis.csv``/``.png``; the summary's ``life`` section holds models with sources, per-joint
lives, critical joint, Weibull B1/B10/eta of the package (weakest link over the joints, each with
its multiplicity), the die-corner delamination indicator and the mission-profile life.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fem_package.case import Case, CaseError
from fem_package.console import Console
from fem_package.fenics import MPI, dolfinx
from fem_package.tagged_mesh import TaggedMesh

LAYER_ROLES = ("underfill", "adhesive", "gel", "encapsulant", "bondline", "die_attach")
"""Roles whose die-corner interface stresses are the delamination indicator."""


@dataclass(frozen=True)
class JointInfo:
    """A joint of the model: id, name, role, material key, position [m], multiplicity, fraction, cut planes."""

    joint_id: int
    name: str
    role: str
    material: str
    x: float
    y: float
    dnp: float
    multiplicity: int
    fraction: float
    cut: tuple[bool, bool]
    poisson_ratio: float  # of the joint material at 293.15 K (equivalent strain of the strain-life models)
    solidus: float | None = None  # K, fusible joints (phase_change law, inelastic run): fatigue in the solid only


def _boundary_vertices(mesh: Any, cell_joint: np.ndarray, n_owned: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 4, 3) vertex coordinates of the owned cells and (n, 4) flags 'vertex touches joint and non-joint cells'.

    Counts per P1 node are summed over ranks (scatter_reverse add, then forward), so a vertex on a
    process boundary gets the same flag on every rank.
    """
    V1 = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
    dofs = V1.dofmap.list[:n_owned]
    coords = V1.tabulate_dof_coordinates()[dofs]
    flags = []
    for which in (cell_joint >= 0, cell_joint < 0):
        f = dolfinx.fem.Function(V1)
        np.add.at(f.x.array, dofs[which].ravel(), 1.0)
        f.x.scatter_reverse(dolfinx.la.InsertMode.add)
        f.x.scatter_forward()
        flags.append(f.x.array[dofs] > 0)
    return coords, flags[0] & flags[1]


class LifeStage:
    """Collects the interface-layer histories of a run and turns them into lives (see the module docstring)."""

    def __init__(self, case: Case, tagged: TaggedMesh, comm: Any, cell_volumes: np.ndarray, inelastic: bool):
        from fem_package.pipeline import owned_cell_tags
        from postprocess.joint_metrics import cut_by_symmetry_planes
        from postprocess.life.delamination import CornerStresses
        from postprocess.life.interface_layer import InterfaceLayers

        assert case.life is not None
        self.case, self.settings, self.comm, self.inelastic = case, case.life, comm, inelastic
        self.mesh = tagged.mesh
        regions = tagged.description.regions
        by_tag = {r.tag: r for r in regions}
        tags = owned_cell_tags(tagged)
        self.n_owned = len(tags)
        cell_joint = np.array([by_tag[t].joint_id if by_tag[t].joint_id is not None else -1 for t in tags])
        self.joints: list[JointInfo] = []
        for r in regions:
            if r.joint_id is None or any(j.joint_id == r.joint_id for j in self.joints):
                continue
            x, y, _ = r.joint_center or (0.0, 0.0, 0.0)
            self.joints.append(
                JointInfo(
                    r.joint_id,
                    r.name,
                    r.role,
                    case.material_of(r.role).key,
                    x,
                    y,
                    r.dnp or 0.0,
                    r.multiplicity,
                    r.fraction,
                    cut_by_symmetry_planes(r),
                    float(case.material_of(r.role)["poisson_ratio"](293.15)),
                    _solidus(case, r.role) if inelastic else None,
                )
            )
        self.joints.sort(key=lambda j: j.joint_id)
        if not self.joints:
            raise CaseError(f"[life]: geometry '{case.geometry.type}' has no joints to evaluate")
        self.cell_joint = cell_joint
        coords, boundary = _boundary_vertices(self.mesh, cell_joint, self.n_owned)
        self.layers = InterfaceLayers(
            comm,
            coords,
            boundary,
            cell_joint,
            cell_volumes,
            self.settings.interface_thickness,
            [j.joint_id for j in self.joints],
        )
        self.cut = np.array([j.cut for j in self.joints], dtype=bool)  # (J, 2): component zeroed
        roles = np.array([by_tag[t].role for t in tags])
        die = roles == "die"
        corner = np.array(
            [
                comm.allreduce(float(coords[die][:, :, 0].max()) if die.any() else -np.inf, op=MPI.MAX),
                comm.allreduce(float(coords[die][:, :, 1].max()) if die.any() else -np.inf, op=MPI.MAX),
                comm.allreduce(float(coords[die][:, :, 2].min()) if die.any() else np.inf, op=MPI.MIN),
            ]
        )
        present = {r.role for r in regions}
        self.corner = (
            CornerStresses(
                comm,
                coords,
                {role: roles == role for role in LAYER_ROLES if role in present},
                cell_volumes,
                corner,
                self.settings.corner_radius,
            )
            if np.all(np.isfinite(corner)) and present & set(LAYER_ROLES)
            else None
        )
        self.steps: list[int] = []
        self.times: list[float] = []
        self.cycles: list[int] = []
        self.temperatures: list[float] = []
        self.gamma: list[np.ndarray] = []  # per step (J, 2 sides, 2 components)
        self.tau: list[np.ndarray] = []
        self.energy: list[np.ndarray] = []  # per cycle (J, 2 sides)
        self.strain: list[np.ndarray] = []
        self.strain_tensor: list[np.ndarray] = []  # per step (J, 2 sides, 6): xx yy zz yz xz xy mechanical strain

    @classmethod
    def create(
        cls, case: Case, tagged: TaggedMesh, comm: Any, cell_volumes: np.ndarray, inelastic: bool
    ) -> LifeStage | None:
        """The stage when the case has ``[life]``, else None."""
        return None if case.life is None else cls(case, tagged, comm, cell_volumes, inelastic)

    def _zero_cut(self, v: np.ndarray) -> np.ndarray:
        return np.where(self.cut[:, None, :], 0.0, v)

    def add_step(
        self, step: Any, stress: np.ndarray, shear_strain: np.ndarray, mechanical_strain: np.ndarray | None = None
    ) -> None:
        """Fold in one solved step: owned-cell stress (n, 3, 3) [Pa], engineering shear strain (n, 2) and
        the mechanical strain tensor (n, 3, 3), whose layer averages drive the strain-life models."""
        self.steps.append(int(step.index))
        self.times.append(float(step.time))
        self.cycles.append(int(step.cycle))
        self.temperatures.append(float(step.temperature))
        self.gamma.append(self._zero_cut(self.layers.average(shear_strain)))
        self.tau.append(self._zero_cut(self.layers.average(np.stack([stress[:, 0, 2], stress[:, 1, 2]], axis=1))))
        if mechanical_strain is not None:
            e = mechanical_strain
            six = np.stack([e[:, 0, 0], e[:, 1, 1], e[:, 2, 2], e[:, 1, 2], e[:, 0, 2], e[:, 0, 1]], axis=1)
            avg = self.layers.average(six)  # (J, 2, 6)
            # the full joint's average of a component odd under the cut plane's mirror is zero:
            # eps_xz under x -> -x (cut[:, 0], as gamma_xz), eps_yz under y -> -y (cut[:, 1]), eps_xy under either
            zero = np.zeros((len(self.joints), 6), dtype=bool)
            zero[:, 3] = self.cut[:, 1]
            zero[:, 4] = self.cut[:, 0]
            zero[:, 5] = self.cut[:, 0] | self.cut[:, 1]
            self.strain_tensor.append(np.where(zero[:, None, :], 0.0, avg))
        if self.corner is not None:
            self.corner.add_step(int(step.index), stress)

    def end_cycle(self, energy_cells: np.ndarray, strain_cells: np.ndarray) -> None:
        """Inelastic runs: the per-cell dissipated energy density [J/m^3] and equivalent inelastic strain of a cycle."""
        self.energy.append(self.layers.average(energy_cells))
        self.strain.append(self.layers.average(strain_cells))

    def observe(self, step: Any, fields: Any) -> None:
        """One converged load step of the run (:class:`solvers.stress_recovery.StepFields`)."""
        self.add_step(step, fields.stress, fields.shear_strain, fields.mechanical_strain)

    _HISTORY = ("steps", "times", "cycles", "temperatures", "gamma", "tau", "energy", "strain", "strain_tensor")

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The step and cycle histories (the same on every rank) and the corner peaks, for a checkpoint."""
        out = {f"life_{name}": np.array(getattr(self, name)) for name in self._HISTORY}
        if self.corner is not None:
            c = self.corner
            roles = list(c.masks)
            out["life_corner"] = np.array(
                [[c.peel[r], c.shear[r], c.peak_cell_peel[r], c.peel_step.get(r, -1)] for r in roles], dtype=float
            ).reshape(len(roles), 4)
        return out

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of :meth:`state_arrays`."""
        for name in self._HISTORY:
            setattr(self, name, list(arrays.get(f"life_{name}", [])))  # checkpoints before strain_tensor lack it
        self.steps = [int(v) for v in self.steps]
        self.cycles = [int(v) for v in self.cycles]
        self.temperatures = [float(v) for v in self.temperatures]
        same = len(self.times) == len(self.steps)  # checkpoints before the step times: equal spacing
        self.times = [float(v) for v in (self.times if same else self.steps)]
        if self.corner is not None:
            c = self.corner
            for r, (peel, shear, cell, step) in zip(c.masks, arrays["life_corner"], strict=True):
                c.peel[r], c.shear[r], c.peak_cell_peel[r] = float(peel), float(shear), float(cell)
                if step >= 0:
                    c.peel_step[r] = int(step)

    def finish(self, folder: Path, console: Console) -> dict[str, Any]:
        """Lives, outputs and the summary's ``life`` section (collective; rank 0 writes the files)."""
        from postprocess.life import weibull
        from postprocess.life.constants import NorrisLandzbergConstants, get
        from postprocess.life.hysteresis import pairwise_range, project, write_hysteresis_csv, write_hysteresis_png
        from postprocess.life.joint_life import CycleConditions, Drivers, auto_model, joint_life, norris_landzberg_table
        from postprocess.life.life_csv import JointLife, write_life_csv
        from postprocess.life.life_map import write_life_map
        from postprocess.life.mission import mission_life, norris_landzberg_life, read_temperature_history

        s = self.settings
        cycles = np.array(self.cycles)
        last = cycles == cycles.max() if self.inelastic else np.ones(len(cycles), dtype=bool)
        gamma = np.stack(self.gamma)[last]  # (steps, J, 2, 2)
        gamma_range = pairwise_range(gamma)  # (J, 2)
        energy = self.energy[-1] if self.energy else None
        strain = self.strain[-1] if self.strain else None
        side = np.argmax(energy if energy is not None else gamma_range, axis=1)
        eq_range = self._equivalent_strain_range(last)  # (J, 2) or None
        phases = self._solid_phases(last)
        for k, sp in phases.items():  # fusible joints: the drivers of the solid phase only
            gamma_range[k] = sp.range_of(gamma[:, k])
            if eq_range is not None:
                eq_range[k] = self._solid_equivalent_range(last, sp, k)
        info = self.layers.info()
        temps = [p[1] for p in self.case.load.corner_points()]
        t_min, t_max = min(temps), max(temps)
        period = self.case.load.period or (self.case.load.corner_points()[-1][0] - self.case.load.corner_points()[0][0])
        cond = CycleConditions(0.5 * (t_min + t_max), 1.0 / period)
        tables = dict(s.constants)
        user = {"morrow": s.morrow, "coffin_manson": s.coffin_manson}

        rows: list[dict[str, Any]] = []
        results = []
        for k, j in enumerate(self.joints):
            choice: str = s.models.get(j.role, s.model)
            model = auto_model(j.material, self.inelastic, tables) if choice == "auto" else choice
            sp = phases.get(k)
            if sp is not None and sp.fatigues:
                side[k] = int(np.argmax(gamma_range[k]))
            if model == "ipc_tr579" and eq_range is not None:
                side[k] = int(np.argmax(eq_range[k]))  # strain-life: the interface with the larger strain range
            layer = info[2 * k + int(side[k])]
            drivers = Drivers(
                shear_strain_range=float(gamma_range[k, side[k]]),
                energy_density=None if energy is None or sp is not None else float(energy[k, side[k]]),
                inelastic_strain=None if strain is None or sp is not None else float(strain[k, side[k]]),
                crack_length=math.sqrt(4.0 * layer.interface_area / (math.pi * j.fraction)),
                equivalent_strain_range=None if eq_range is None else float(eq_range[k, side[k]]),
            )
            if sp is not None and not sp.fatigues:
                result = _no_fatigue_while_liquid()
            else:
                result = joint_life(model, j.material, drivers, cond, tables, user)
            results.append(result)
            rows.append(
                {
                    "joint_id": j.joint_id,
                    "name": j.name,
                    "role": j.role,
                    "material": j.material,
                    "dnp": j.dnp,
                    "x": j.x,
                    "y": j.y,
                    "multiplicity": j.multiplicity,
                    "critical_interface": layer.side,
                    "layer_thickness_m": layer.thickness,
                    "first_cell_layer": layer.first_cell_layer,
                    "shear_strain_range": _finite_or_none(drivers.shear_strain_range),
                    "shear_strain_range_by_interface": {
                        "bottom": _finite_or_none(float(gamma_range[k, 0])),
                        "top": _finite_or_none(float(gamma_range[k, 1])),
                    },
                    "equivalent_strain_range": None
                    if drivers.equivalent_strain_range is None
                    else _finite_or_none(drivers.equivalent_strain_range),
                    "equivalent_strain_range_by_interface": None
                    if eq_range is None
                    else {
                        "bottom": _finite_or_none(float(eq_range[k, 0])),
                        "top": _finite_or_none(float(eq_range[k, 1])),
                    },
                    "energy_density_per_cycle_J_m3": drivers.energy_density,
                    "energy_density_per_cycle_history_J_m3": [float(e[k, side[k]]) for e in self.energy],
                    "inelastic_strain_per_cycle": drivers.inelastic_strain,
                    "crack_length_m": drivers.crack_length,
                    "model": result.label,
                    "metric": result.metric,
                    "metric_value": _finite_or_none(result.metric_value),
                    "cycles_to_failure": _finite_or_none(result.cycles_to_failure),
                    "failure_percent": result.failure_percent,
                    "calibrated": result.calibrated,
                    "liquid_fraction_of_cycle": None if sp is None else sp.liquid_fraction,
                    "note": _phase_note(sp, j.solidus),
                }
            )
        n = np.array([r.cycles_to_failure for r in results])
        beta = s.weibull_shape
        finite = np.isfinite(n)
        population: dict[str, Any] | None = None
        if finite.any():
            etas = np.array(
                [weibull.eta_from_percentile(r.cycles_to_failure, r.failure_percent / 100, beta) for r in results]
            )
            mult = np.array([j.multiplicity for j in self.joints], dtype=float)
            eta_pkg = weibull.series_percentile(1 - math.exp(-1), etas[finite], beta, mult[finite])
            population = {
                "shape": beta,
                "scale": eta_pkg,
                "B1": weibull.b_life(1, eta_pkg, beta),
                "B10": weibull.b_life(10, eta_pkg, beta),
                "joints_in_package": int(mult.sum()),
                "note": "package = first joint failure (weakest link); scale = characteristic life eta [cycles]",
            }
            for r, e in zip(rows, etas, strict=True):
                r["characteristic_life"] = _finite_or_none(float(e))
        crit_k = int(np.lexsort((-np.array([j.dnp for j in self.joints]), np.where(finite, n, np.inf)))[0])
        crit = self.joints[crit_k]
        models_used: dict[str, dict[str, Any]] = {
            r.label: {
                "model": r.model,
                "table": r.table,
                "source": r.source,
                "failure_percent": r.failure_percent,
                "applies_to": get(r.table).attributes.get("applies_to", "")
                if r.table not in ("case", "phase_change")
                else ("user fit" if r.table == "case" else "fusible joints liquid over the whole cycle"),
            }
            for r in results
        }
        out: dict[str, Any] = {
            "interface_thickness_m": s.interface_thickness,
            "cycle": {
                "mean_temperature_K": cond.mean_temperature,
                "frequency_Hz": cond.frequency,
                "range_K": t_max - t_min,
                "max_temperature_K": t_max,
            },
            "models": models_used,
            "joints": rows,
            "critical_joint": {
                "joint_id": crit.joint_id,
                "name": crit.name,
                "dnp": crit.dnp,
                "cycles_to_failure": _finite_or_none(float(n[crit_k])),
                "model": results[crit_k].label,
                "note": rows[crit_k]["note"],
            },
            "weibull": population,
            "interface_layers": [{**i.__dict__, "equivalent_diameter_m": i.equivalent_diameter} for i in info],
            "delamination": self.corner.summary() if self.corner is not None else None,
            "files": ["life.csv", "life.xdmf", "life_map.png", "hysteresis.csv", "hysteresis.png"],
        }
        if s.mission_profile is not None and population is not None:
            history = read_temperature_history(s.mission_profile)
            table = norris_landzberg_table(crit.material, s.norris_landzberg)
            life = norris_landzberg_life(
                population["scale"], t_max - t_min, cond.frequency, t_max, NorrisLandzbergConstants.from_library(table)
            )
            ml = mission_life(history, life)
            out["mission"] = {
                "profile": s.mission_profile,
                "norris_landzberg": table,
                "damage_per_pass": ml.damage_per_pass,
                "pass_duration_s": ml.pass_duration,
                "characteristic_life_years": _finite_or_none(ml.years),
                "B10_years": _finite_or_none(ml.years * population["B10"] / population["scale"]),
                "B1_years": _finite_or_none(ml.years * population["B1"] / population["scale"]),
            }

        # hysteresis of the most critical joints, at their critical interface
        order = np.argsort(np.where(finite, n, np.inf), kind="stable")[: s.hysteresis_joints]
        g_all, t_all = np.stack(self.gamma), np.stack(self.tau)
        loops = [
            project(self.joints[k].joint_id, np.array(self.steps), cycles, g_all[:, k, side[k]], t_all[:, k, side[k]])
            for k in order
        ]
        for loop, k in zip(loops, order, strict=True):
            rows[k]["loop_area_per_cycle_J_m3"] = {str(c): a for c, a in loop.areas().items()}
        self._write_fields(folder, n)
        if self.comm.rank == 0:
            write_life_csv(
                [
                    JointLife(
                        j.joint_id,
                        j.name,
                        j.dnp,
                        r.metric,
                        r.metric_value,
                        r.label,
                        r.cycles_to_failure,
                        row["liquid_fraction_of_cycle"],
                        row["note"],
                    )
                    for j, r, row in zip(self.joints, results, rows, strict=True)
                ],
                folder / "life.csv",
            )
            write_life_map(
                np.array([j.x for j in self.joints]),
                np.array([j.y for j in self.joints]),
                n,
                [j.name for j in self.joints],
                folder / "life_map.png",
                f"{self.case.title}\ncritical: {crit.name}, N = {n[crit_k]:.3g} ({results[crit_k].label})",
            )
            write_hysteresis_csv(loops, folder / "hysteresis.csv")
            energies = {self.joints[k].joint_id: [float(e[k, side[k]]) for e in self.energy] for k in order}
            write_hysteresis_png(loops, energies if self.energy else {}, folder / "hysteresis.png")
        console.info(
            f"life: critical {crit.name} (DNP {crit.dnp * 1e3:.2f} mm) N = {n[crit_k]:.4g} cycles "
            f"({results[crit_k].label}{', ' + rows[crit_k]['note'] if rows[crit_k]['note'] else ''})"
            + (f"; package B10 = {population['B10']:.4g}, eta = {population['scale']:.4g}" if population else "")
        )
        return out

    def _solid_phases(self, last: np.ndarray) -> dict[int, Any]:
        """Fusible joints (index -> :class:`postprocess.life.solid_phase.SolidPhase`) over the ``last`` steps.

        The interface layer's temperature is the step's (uniform chamber) temperature.
        """
        from postprocess.life.solid_phase import solid_phase

        idx = np.flatnonzero(last)
        times, temps = np.array(self.times)[idx], np.array(self.temperatures)[idx]
        start = (self.times[idx[0] - 1], self.temperatures[idx[0] - 1]) if idx[0] > 0 else None
        return {
            k: solid_phase(times, temps, j.solidus, start) for k, j in enumerate(self.joints) if j.solidus is not None
        }

    def _solid_equivalent_range(self, last: np.ndarray, sp: Any, k: int) -> np.ndarray:
        """(2,) equivalent strain range of joint ``k`` over its solid stretches (NaN when it has none)."""
        idx = np.flatnonzero(last)

        def over(stretch: np.ndarray) -> np.ndarray:
            mask = np.zeros(len(last), dtype=bool)
            mask[idx[stretch]] = True
            r = self._equivalent_strain_range(mask)
            return np.full(2, np.nan) if r is None else r[k]

        out = sp.largest_over_stretches(over)
        return np.full(2, np.nan) if out is None else out

    def _equivalent_strain_range(self, last: np.ndarray) -> np.ndarray | None:
        """(J, 2) largest von Mises equivalent of the layer-averaged mechanical strain change over step pairs.

        d_eps_eq = 3 / (2 (1 + nu)) sqrt(2/3 de : de), de the deviator of the strain change: the uniaxial
        strain range of an elastic uniaxial stress state exactly (nu of the joint material), and a
        uniaxial plastic range overestimated by 1.5/(1 + nu) (12 % for copper, conservative).
        """
        if len(self.strain_tensor) != len(self.steps):
            return None
        eps = np.stack(self.strain_tensor)[last]  # (steps, J, 2, 6)
        d = eps[:, None] - eps[None, :]
        mean = d[..., :3].sum(axis=-1, keepdims=True) / 3.0
        dev_sq = ((d[..., :3] - mean) ** 2).sum(axis=-1) + 2.0 * (d[..., 3:] ** 2).sum(axis=-1)
        nu = np.array([j.poisson_ratio for j in self.joints])
        factor = 1.5 / (1.0 + nu)
        return factor[:, None] * np.sqrt(2.0 / 3.0 * dev_sq).max(axis=(0, 1))

    def _write_fields(self, folder: Path, cycles: np.ndarray) -> None:
        """life.xdmf: per-cell cycles to failure and damage per cycle of the joint a cell belongs to."""
        from fem_package.field_output import FieldWriter

        index = {j.joint_id: k for k, j in enumerate(self.joints)}
        slot = np.array([index.get(int(j), -1) for j in self.cell_joint])
        life = np.where(slot >= 0, cycles[np.maximum(slot, 0)], np.nan)
        with np.errstate(divide="ignore"):
            damage = np.where(slot >= 0, 1.0 / life, 0.0)
        Q = dolfinx.fem.functionspace(self.mesh, ("DG", 0))
        functions = []
        for name, values in (
            ("cycles_to_failure", life),
            ("damage_per_cycle", damage),
            ("interface_layer", self.layers.cell_mask()),
        ):
            f = dolfinx.fem.Function(Q, name=name)
            f.x.array[: self.n_owned] = values
            f.x.scatter_forward()
            functions.append(f)
        writer = FieldWriter(self.mesh, folder, "life")
        writer.write(functions, 0.0)
        writer.close()


def _solidus(case: Case, role: str) -> float | None:
    """Solidus [K] of the role's material as its ``phase_change`` law melts it (None without that law).

    The law's, not the data's: a eutectic is partly liquid in the 1 K below its melting point
    (:func:`fem_package.constitutive_data.melting_interval`), and is solid only below that.
    """
    from fem_package.constitutive_data import PhaseChangeParameters, law_for, melting_interval

    material = case.material_of(role)
    if not isinstance(law_for(material.key), PhaseChangeParameters):
        return None
    melting = material.melting_range()
    return None if melting is None else melting_interval(*melting)[0]


def _no_fatigue_while_liquid() -> Any:
    """The result of a fusible joint never solid over two steps: no damage (see :mod:`postprocess.life.solid_phase`)."""
    from postprocess.life.joint_life import ModelResult

    return ModelResult(
        "no_fatigue_while_liquid",
        "phase_change",
        "solid_phase_shear_strain_range",
        math.nan,
        math.inf,
        50.0,
        False,
        "WO 97/40958 (liquid masses do not fatigue); strain-life correlations apply to the solid only",
    )


def _phase_note(sp: Any, solidus: float | None) -> str:
    """life.csv / summary note of a fusible joint ('' for other joints)."""
    from postprocess.life.solid_phase import NO_FATIGUE_WHILE_LIQUID

    if sp is None or solidus is None:
        return ""
    if not sp.fatigues:
        return f"{NO_FATIGUE_WHILE_LIQUID} (solid over {sp.solid_steps} step(s) of the cycle, solidus {solidus:.2f} K)"
    return f"solid phase only: {sp.solid_steps} solid steps, liquid {100 * sp.liquid_fraction:.1f} % of the cycle"


def _finite_or_none(x: float) -> float | None:
    """JSON has no infinity or NaN: an infinite life (or an undefined driver) is written as null."""
    return float(x) if math.isfinite(x) else None
