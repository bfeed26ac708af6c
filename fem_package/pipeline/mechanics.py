"""What a mechanics stage (elastic steps or inelastic cycles) hands to the rest of the run.

Both stages solve the load steps of the thermal stage and pass each converged step to
:class:`fem_package.pipeline.step_output.StepOutput` as a :class:`StepSolution`; at the end
they return a :class:`MechanicsResult`, from which :mod:`fem_package.pipeline.results` writes
the summary and runs the post-stages. Keys that only one physics has (the inelastic cycle
record, the elastic solver statistics) travel in ``sections``, ``run``, ``region_info`` and
``joint_info``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fem_package.thermal_profile import LoadStep


@dataclass
class StepSolution:
    """One converged load step: cell results for metrics and leak paths, functions to write, solver record."""

    fields: Any  # solvers.stress_recovery.StepFields (owned-cell stress, von Mises, shear strain, |u|max)
    functions: list[Any]  # displacement and cell fields written at the step (dolfinx functions)
    record: dict[str, Any]  # solver statistics of the step for summary.json 'steps'


@dataclass
class MechanicsResult:
    """The mechanics stage's share of summary.json, and the load steps it solved (in order)."""

    physics: str
    dofs: int
    steps: list[LoadStep]  # the load steps solved, as written to results.xdmf
    step_records: list[dict[str, Any]]
    parts: list[Path]  # the XDMF files of the time series (one, or one per cycle)
    timings: dict[str, float]  # setup and solver times (s)
    fields: dict[str, str]  # names of the fields in results.xdmf, with units
    run: dict[str, Any] = field(default_factory=dict)  # extra 'run' keys
    region_info: dict[str, dict[str, Any]] = field(default_factory=dict)  # extra keys per non-joint region
    joint_info: dict[str, dict[str, Any]] = field(default_factory=dict)  # extra keys per joint
    sections: dict[str, Any] = field(default_factory=dict)  # extra top-level summary sections
    xdmf_extra: list[tuple[Path, list[LoadStep]]] = field(default_factory=list)  # other series to label (global)
