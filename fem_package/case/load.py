"""The ``[load]`` section: the chamber temperature history and the stress-free temperature."""

from __future__ import annotations

from itertools import pairwise
from typing import Self

from pydantic import Field, field_validator, model_validator

from fem_package.case.base import CaseModel
from fem_package.thermal_profile import PRESETS, LoadStep, celsius_pair, cycle_points, divide
from fem_package.units import Temperature, Time, celsius, temperature_to_kelvin, to_si


class ThermalLoad(CaseModel):
    """Uniform chamber temperature stepped through a thermal cycle.

    ``profile`` is a JESD22-A104 preset ("JESD22-A104-G" = -40/+125 C) run for
    ``cycles`` cycles with the given ramp and dwell times, or "custom" with
    ``points`` = [[time, temperature], ...] (e.g. [["0 s", "25 C"], ["15 min", "125 C"]]).
    """

    profile: str = Field("JESD22-A104-G", description="JESD22-A104-<letter> preset, or 'custom'")
    cycles: int = Field(1, ge=1, le=1000, description="number of cycles of a preset profile")
    ramp_time: Time = Field(900.0, gt=0, description="duration of one ramp between the extremes [s]")
    dwell_time: Time = Field(900.0, ge=0, description="dwell at each extreme [s]")
    start_temperature: Temperature = Field(298.15, description="chamber temperature at t = 0 [K]")
    stress_free_temperature: Temperature = Field(
        298.15, description="temperature at which materials without their own value are free of stress [K]"
    )
    steps_per_ramp: int = Field(4, ge=1, le=1000, description="load steps per ramp")
    steps_per_dwell: int = Field(1, ge=0, le=1000, description="load steps per dwell")
    points: list[tuple[Time, Temperature]] | None = Field(
        None, description="custom profile: [[time, temperature], ...], times strictly increasing"
    )

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, v: str) -> str:
        if v != "custom" and v not in PRESETS:
            raise ValueError(f"unknown profile; allowed: {', '.join(sorted(PRESETS))}, custom")
        return v

    @field_validator("points", mode="before")
    @classmethod
    def _parse_points(cls, v: object) -> object:
        # Converted here for one clear message per pair; the item types (Time, Temperature) give
        # the JSON schema its "number or unit string" and accept the converted floats unchanged.
        if v is None:
            return None
        if not isinstance(v, list) or not all(isinstance(p, list | tuple) and len(p) == 2 for p in v):
            raise ValueError("must be a list of [time, temperature] pairs")
        return [(to_si(t, "[time]"), temperature_to_kelvin(temp)) for t, temp in v]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.profile == "custom":
            if not self.points or len(self.points) < 2:
                raise ValueError("profile = 'custom' needs points = [[time, temperature], ...] with 2 or more points")
            times = [p[0] for p in self.points]
            if any(b <= a for a, b in pairwise(times)):
                raise ValueError(f"points: times must be strictly increasing, got {times}")
        elif self.points is not None:
            raise ValueError(f"points are only allowed with profile = 'custom' (profile is {self.profile!r})")
        if self.steps_per_dwell == 0 and self.dwell_time > 0 and self.profile != "custom":
            raise ValueError("steps_per_dwell = 0 needs dwell_time = 0")
        return self

    @property
    def period(self) -> float | None:
        """Duration of one cycle in s (presets), else None."""
        return None if self.profile == "custom" else 2 * (self.ramp_time + self.dwell_time)

    def corner_points(self) -> list[tuple[float, float]]:
        """(time s, temperature K) corners of the whole profile."""
        if self.profile == "custom":
            assert self.points is not None
            return list(self.points)
        t_min, t_max = celsius_pair(self.profile)
        return cycle_points(t_min, t_max, self.start_temperature, self.ramp_time, self.dwell_time, self.cycles)

    def steps(self) -> list[LoadStep]:
        """The load steps to solve."""
        points = self.corner_points()
        offset = points[1][0] if self.profile != "custom" and len(points) > 1 else 0.0
        return divide(points, self.steps_per_ramp, self.steps_per_dwell, self.period, offset)

    def describe(self) -> str:
        """One line for the console, e.g. 'JESD22-A104-G: -40/125 C, 1 cycle(s), 17 steps'."""
        temps = [p[1] for p in self.corner_points()]
        return (
            f"{self.profile}: {celsius(min(temps)):.0f}/{celsius(max(temps)):.0f} C, "
            f"{self.cycles if self.period else 1} cycle(s), {len(self.steps())} steps"
        )
