"""The ``[thermal]`` section: where the temperature of every cell comes from at each load step.

``mode = "chamber"`` (default): every cell is at the chamber temperature of ``[load]``.

``mode = "conduction"``: transient heat conduction (:mod:`solvers.heat_conduction`) with the
chamber temperature of ``[load]`` as the ambient of the convection, optional power cycling of
the die, convection coefficients and fixed temperatures on named boundaries::

    [thermal]
    mode = "conduction"
    max_time_step = "10 s"          # conduction sub-steps between load steps
    [thermal.power]                  # power of the full package (not of the modelled quarter)
    power = "2 W"                    # into the die; or roles = { die = "1.8 W", substrate = "0.2 W" }
    on_time = "5 min"
    off_time = "5 min"
    cycles = 3
    [thermal.convection]             # boundary -> h; 'exterior' = every other outer face
    bottom = "2000 W/(m^2 K)"
    exterior = "10 W/(m^2 K)"
    [thermal.fixed]                  # boundary -> temperature
    # bottom = "25 C"

``mode = "prescribed"``: a temperature map ``[thermal.map]`` (an expression in x, y, z, t;
a CSV point cloud; or the results.xdmf of another flipstack run), see :class:`TemperatureMapSettings`.

With power cycling the load steps are the union of the chamber steps and the power steps
(each on and off phase divided into ``steps_per_phase`` steps): every switch time is a step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Self

import numpy as np
from pydantic import BeforeValidator, Field, field_validator, model_validator

from fem_package.case.base import CaseModel
from fem_package.case.load import ThermalLoad
from fem_package.thermal_profile import LoadStep
from fem_package.units import Temperature, Time, UnitString, to_si

Power = Annotated[float, BeforeValidator(lambda v: to_si(v, "[mass] * [length] ** 2 / [time] ** 3")), UnitString("2 W")]
"""Power in W; accepts "2 W"."""
HeatTransferCoefficient = Annotated[
    float, BeforeValidator(lambda v: to_si(v, "[mass] / [time] ** 3 / [temperature]")), UnitString("10 W/(m^2 K)")
]
"""Convection coefficient in W/(m^2 K); accepts "10 W/(m^2 K)"."""

EXTERIOR = "exterior"
"""Boundary name meaning every exterior face not on a symmetry plane and not named elsewhere in [thermal]."""


class PowerCycling(CaseModel):
    """Die power switched on and off: ``cycles`` times on for ``on_time``, off for ``off_time``, from ``start``.

    Powers are those of the full package; a symmetric model gets its share (quarter: 1/4).
    """

    power: Power | None = Field(None, ge=0, le=1e4, description="power into the 'die' role when on [W]")
    roles: dict[str, Power] | None = Field(None, description="power per role when on, e.g. { die = '2 W' } [W]")
    on_time: Time = Field(gt=0, description="duration of each power-on phase [s]")
    off_time: Time = Field(gt=0, description="duration of each power-off phase [s]")
    cycles: int = Field(1, ge=1, le=1000, description="number of on/off cycles")
    start: Time = Field(0.0, ge=0, description="time of the first switch-on [s]")
    steps_per_phase: int = Field(4, ge=1, le=1000, description="load steps in each on and each off phase")

    @model_validator(mode="after")
    def _one_power(self) -> Self:
        if (self.power is None) == (self.roles is None):
            raise ValueError("give either power (into the die) or roles = { role = power, ... }, not both or none")
        for role, p in (self.roles or {}).items():
            if not 0 <= p <= 1e4:
                raise ValueError(f"roles.{role} = {p} W: must be between 0 and 1e4 W")
        return self

    def role_powers(self) -> dict[str, float]:
        """Role -> power (W, full package) when on."""
        return dict(self.roles) if self.roles is not None else {"die": float(self.power or 0.0)}

    @property
    def period(self) -> float:
        """Duration of one on/off cycle (s)."""
        return self.on_time + self.off_time

    @property
    def end(self) -> float:
        """Time the last off phase ends (s)."""
        return self.start + self.cycles * self.period

    def times(self) -> list[float]:
        """Step times of the power schedule: every phase divided into ``steps_per_phase`` steps."""
        out = [self.start] if self.start > 0 else []
        n = self.steps_per_phase
        for k in range(self.cycles):
            t0 = self.start + k * self.period
            out += [t0 + self.on_time * i / n for i in range(1, n + 1)]
            out += [t0 + self.on_time + self.off_time * i / n for i in range(1, n + 1)]
        return out

    def is_on(self, t_from: float, t_to: float) -> bool:
        """True when the power is on over the interval (t_from, t_to) (judged at its midpoint)."""
        t = 0.5 * (t_from + t_to)
        if t <= self.start or t >= self.end:
            return False
        return (t - self.start) % self.period < self.on_time

    def cycle_at(self, t: float) -> int:
        """Power cycle (1, 2, ...) a step ending at ``t`` belongs to; 0 before the first switch-on."""
        if t <= self.start:
            return 0
        return min(int(np.ceil((t - self.start) / self.period - 1e-9)), self.cycles)


class TemperatureMapSettings(CaseModel):
    """A prescribed temperature map ``[thermal.map]``.

    ``source``: ``"expression"`` (``expression`` in x, y, z in m and t in s, numpy functions),
    ``"csv"`` (``file`` with a header naming x, y, z, T in m and K; an optional column t in s
    makes it a time series), or ``"xdmf"`` (``file`` = results.xdmf of another flipstack run,
    ``field`` in it, at ``time`` or ``step``, else followed in time).

    ``combine``: ``"absolute"`` uses the map as it is. ``"rise"`` adds the map's rise over
    ``reference_temperature`` (the ambient of the run that made it, e.g. the Icepak/Flotherm
    ambient), times ``scale`` (e.g. the ratio of powers), to the chamber temperature of [load]:
    T = T_chamber(t) + scale (T_map - reference_temperature), the usual superposition of a
    CFD temperature rise on a test profile (linear conduction).
    """

    source: Literal["expression", "csv", "xdmf"] = Field(description="kind of map")
    expression: str | None = Field(None, description="T(x, y, z, t) in K (SI units), e.g. '298.15 + 2e4*z'")
    file: str | None = Field(None, description="CSV point cloud or results.xdmf, relative to the case file")
    method: Literal["linear", "nearest"] = Field("linear", description="interpolation from the cloud to the nodes")
    field: str = Field("temperature_K", description="field of the XDMF file to read")
    time: Time | None = Field(None, description="use the map at this time of the file (s)")
    step: int | None = Field(None, ge=0, description="use the map of this step index of the XDMF file")
    combine: Literal["absolute", "rise"] = Field("absolute", description="map as it is, or its rise over the chamber")
    reference_temperature: Temperature | None = Field(None, description="ambient of the map's own run [K]")
    scale: float = Field(1.0, ge=0, le=1e3, description="factor on the rise (combine = 'rise')")

    @field_validator("expression")
    @classmethod
    def _safe_expression(cls, v: str | None) -> str | None:
        if v is not None:
            from fem_package.temperature_map import TemperatureExpression

            TemperatureExpression.parse(v, key=None)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.source == "expression":
            if self.expression is None:
                raise ValueError("source = 'expression' needs expression = '...' (K, in x, y, z, t)")
            if self.file is not None:
                raise ValueError(f"file = {self.file!r} is not used with source = 'expression'")
        else:
            if self.file is None:
                raise ValueError(f"source = {self.source!r} needs file = '...'")
            if self.expression is not None:
                raise ValueError(f"expression is only used with source = 'expression' (source is {self.source!r})")
            if not Path(self.file).is_file():
                raise ValueError(f"file = {self.file!r}: file does not exist")
            if self.source == "csv":
                from fem_package.temperature_map import read_point_cloud_csv

                read_point_cloud_csv(self.file, "file")
            elif not self.file.endswith(".xdmf"):
                raise ValueError(f"file = {self.file!r}: source = 'xdmf' needs the results .xdmf of a flipstack run")
        if self.step is not None and self.source != "xdmf":
            raise ValueError(f"step = {self.step} is only used with source = 'xdmf'")
        if self.time is not None and self.step is not None:
            raise ValueError("give time or step, not both")
        if self.combine == "rise" and self.reference_temperature is None:
            raise ValueError("combine = 'rise' needs reference_temperature (the ambient of the map's run)")
        if self.combine == "absolute" and (self.reference_temperature is not None or self.scale != 1.0):
            raise ValueError("reference_temperature and scale are only used with combine = 'rise'")
        return self


class ThermalSettings(CaseModel):
    """Temperature source of the mechanics: chamber (uniform), conduction, or a prescribed map."""

    mode: Literal["chamber", "conduction", "prescribed"] = Field("chamber", description="temperature source")
    initial_temperature: Temperature | None = Field(
        None, description="conduction: temperature at t = 0 [K]; default: the chamber temperature at t = 0"
    )
    max_time_step: Time | None = Field(
        None, gt=0, description="conduction: longest backward-Euler step between load steps [s]; default: none"
    )
    rtol: float = Field(1e-10, gt=0, lt=1e-2, description="conduction: relative tolerance of CG")
    power: PowerCycling | None = Field(None, description="conduction: power cycling")
    convection: dict[str, HeatTransferCoefficient] = Field(
        default_factory=dict, description="conduction: boundary -> h [W/(m^2 K)] (ambient = chamber temperature)"
    )
    fixed: dict[str, Temperature] = Field(default_factory=dict, description="conduction: boundary -> temperature [K]")
    map: TemperatureMapSettings | None = Field(None, description="prescribed: the temperature map")

    @field_validator("convection")
    @classmethod
    def _positive_h(cls, v: dict[str, float]) -> dict[str, float]:
        for name, h in v.items():
            if not 0 < h <= 1e8:
                raise ValueError(f"convection.{name} = {h} W/(m^2 K): must be > 0 and <= 1e8")
        return v

    @model_validator(mode="after")
    def _mode_keys(self) -> Self:
        conduction_keys = {
            "initial_temperature": self.initial_temperature,
            "max_time_step": self.max_time_step,
            "power": self.power,
            "convection": self.convection or None,
            "fixed": self.fixed or None,
        }
        if self.mode != "conduction":
            used = [k for k, v in conduction_keys.items() if v is not None]
            if used:
                raise ValueError(f"{', '.join(used)}: only used with mode = 'conduction' (mode is {self.mode!r})")
        elif not self.convection and not self.fixed:
            raise ValueError(
                "mode = 'conduction' needs [thermal.convection] or [thermal.fixed] on some boundary "
                "(else the heat has nowhere to go)"
            )
        if self.mode == "prescribed" and self.map is None:
            raise ValueError("mode = 'prescribed' needs a [thermal.map] section")
        if self.mode != "prescribed" and self.map is not None:
            raise ValueError(f"map: only used with mode = 'prescribed' (mode is {self.mode!r})")
        both = sorted(set(self.convection) & set(self.fixed))
        if both:
            raise ValueError(f"boundary {', '.join(both)} has both a convection coefficient and a fixed temperature")
        if EXTERIOR in self.fixed:
            raise ValueError(f"fixed.{EXTERIOR}: name the boundaries of a fixed temperature")
        return self

    def boundary_names(self) -> list[str]:
        """Boundaries named in [thermal] (checked against the geometry by the pipeline)."""
        return [*self.convection, *self.fixed]

    def steps(self, load: ThermalLoad) -> list[LoadStep]:
        """Load steps: the chamber steps of ``load``, with power cycling the union with the power steps.

        A step's temperature is the chamber temperature at its time (held after the profile
        ends). With power cycling, ``cycle`` counts power cycles and ``segment`` is
        'power_on' / 'power_off' (the phase of the interval ending at the step).
        """
        chamber = load.steps()
        if self.power is None:
            return chamber
        times = np.array([s.time for s in chamber] + self.power.times())
        times = np.unique(times)
        scale = max(float(times[-1]), 1.0)
        times = times[np.concatenate(([True], np.diff(times) > 1e-9 * scale))]
        steps = []
        for i, t in enumerate(times):
            segment = "start" if i == 0 else ("power_on" if self.power.is_on(times[i - 1], t) else "power_off")
            steps.append(LoadStep(i, float(t), chamber_temperature(load, t), self.power.cycle_at(t), segment))
        return steps


def chamber_temperature(load: ThermalLoad, t: float) -> float:
    """Chamber temperature of ``load`` at time ``t`` (K): the piecewise-linear profile, held beyond its ends."""
    points = np.array(load.corner_points())
    return float(np.interp(t, points[:, 0], points[:, 1]))
