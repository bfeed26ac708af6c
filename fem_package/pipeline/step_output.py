"""Per load step, whatever the physics: joint metrics, the post-stages' histories and the field files.

:class:`StepOutput` takes each converged step of the mechanics (elastic or inelastic) and

* folds its owned-cell von Mises stress and shear strain into the joint metrics;
* hands its cell results to the post-stages that observe the steps (hermeticity's crack
  criteria, :mod:`fem_package.pipeline.hermeticity`; fatigue life, :mod:`fem_package.pipeline.life`);
* writes the mechanics' functions, the cell temperature of the thermal stage (``temperature_K``),
  the thermal stage's own fields (conduction: ``temperature_nodal_K``) and the static
  fields to the current XDMF part.

An elastic run writes one part, ``results.xdmf`` in the results folder. An inelastic run writes
one part per thermal cycle in its work folder (a resumed run rewrites only the unfinished
cycle). :func:`publish_time_series` turns the parts into ONE ``results.xdmf`` that ParaView
opens as a single time series: parts joined (:func:`fem_package.xdmf_merge.merge_time_series`),
then one temporal collection with ``step``, ``cycle`` and the chamber temperature per time
(:func:`fem_package.xdmf_time_series.merge_time_collections`).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from fem_package.fenics import dolfinx
from fem_package.pipeline.mechanics import StepSolution
from fem_package.pipeline.model import RunModel
from fem_package.thermal_profile import LoadStep
from fem_package.xdmf_merge import merge_time_series
from fem_package.xdmf_time_series import merge_time_collections, step_labels

RESULTS = "results"
"""Stem of the results time series in the results folder."""


class StepObserver(Protocol):
    """A post-stage that keeps a history of the load steps (and checkpoints it with the run)."""

    def observe(self, step: LoadStep, fields: Any) -> None:
        """Fold in one converged step's owned-cell results (:class:`solvers.stress_recovery.StepFields`)."""
        ...

    def end_cycle(self, energy_cells: np.ndarray, strain_cells: np.ndarray) -> None:
        """Inelastic runs: per-cell dissipated energy density and equivalent inelastic strain of a cycle."""
        ...

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The history on this rank, for a checkpoint."""
        ...

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of :meth:`state_arrays`."""
        ...


class StepOutput:
    """Folds every converged load step into the metrics, the observing post-stages and the current XDMF part."""

    def __init__(self, model: RunModel, thermal_fields: list[Any], observers: list[StepObserver]):
        self.model = model
        self.metrics = model.metrics
        self.observers = observers
        self.thermal_fields = thermal_fields
        self.temperature = dolfinx.fem.Function(model.Q, name="temperature_K")
        self.writer: Any = None
        self.seconds = 0.0

    def open_part(self, folder: Path, name: str, vtx_functions: list[Any] | None = None) -> Path:
        """Start the XDMF part ``folder/name.xdmf``; returns its path."""
        from fem_package.field_output import FieldWriter

        self.writer = FieldWriter(self.model.mesh, folder, name, vtx_functions)
        return Path(self.writer.path)

    def close_part(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def add(self, step: LoadStep, temperature: float | np.ndarray, solution: StepSolution) -> None:
        """Record the converged ``step`` at cell ``temperature`` (uniform K or one value per local cell)."""
        f = solution.fields
        self.metrics.add_step(step.index, f.von_mises, f.shear_strain)
        for observer in self.observers:
            observer.observe(step, f)
        t0 = time.perf_counter()
        self.temperature.x.array[:] = temperature
        written = [*solution.functions, self.temperature, *self.thermal_fields, *self.model.static]
        self.writer.write(written, step.time)
        self.seconds += time.perf_counter() - t0

    # checkpoint ------------------------------------------------------------------------------------------------------
    def state_arrays(self) -> dict[str, np.ndarray]:
        """The accumulated metrics and stress history on this rank (for a checkpoint)."""
        m = self.metrics
        out = {
            "metrics_peak_vm": m.peak_vm,
            "metrics_peak_step": m.peak_step,
            "metrics_mean_vm": m.mean_vm,
            "metrics_gamma": np.array(m.gamma_history),
        }
        for observer in self.observers:
            out.update(observer.state_arrays())
        return out

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of :meth:`state_arrays`."""
        m = self.metrics
        m.peak_vm[:] = arrays["metrics_peak_vm"]
        m.peak_step[:] = arrays["metrics_peak_step"]
        m.mean_vm[:] = arrays["metrics_mean_vm"]
        m.gamma_history = list(arrays["metrics_gamma"])
        for observer in self.observers:
            observer.restore(arrays)

    def end_cycle(self, energy_cells: np.ndarray, strain_cells: np.ndarray) -> None:
        """Inelastic runs: hand the cycle's per-cell dissipation and inelastic strain to the observers."""
        for observer in self.observers:
            observer.end_cycle(energy_cells, strain_cells)


def publish_time_series(parts: list[Path], folder: Path, steps: list[LoadStep], comm: Any) -> None:
    """Make ``folder/results.xdmf`` one temporal collection of ``steps`` from the XDMF ``parts`` (rank 0 writes).

    Parts outside ``folder`` are copied in with their ``.h5`` (the joined XML names them relative to itself).
    """
    comm.barrier()
    if comm.rank == 0:
        target = folder / f"{RESULTS}.xdmf"
        if parts != [target]:
            local = []
            for part in parts:
                if part.parent != folder:
                    for suffix in (".xdmf", ".h5"):
                        shutil.copyfile(part.with_suffix(suffix), folder / part.with_suffix(suffix).name)
                local.append(folder / part.name)
            merge_time_series(local, target)
            for part in local:
                if part != target:
                    part.unlink()
        merge_time_collections(target, step_labels(steps))
    comm.barrier()
