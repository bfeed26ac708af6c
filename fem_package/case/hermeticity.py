"""The ``[hermeticity]`` section: moisture ingress into the package's polymers and sealed cavities.

The hermeticity stage (:mod:`fem_package.pipeline.hermeticity`) runs after the mechanics when
``enabled = true``: transient Fickian diffusion in the permeable materials under an ambient
climate (a JESD22 preset, custom steady conditions or a field-climate CSV), coupled to the
cavity's well-mixed vapour (cavity volumes from the geometry, ``sealed_cavity``), and the leak
routes from the outside into the cavity (``[hermeticity.leak_paths]``). With crack criteria
(``[[hermeticity.crack]]``) both are repeated with the cells the thermal cycle cracks made of the
cracked material (``[hermeticity.cracked]``): intact and cracked results side by side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

import numpy as np
from pydantic import Field, model_validator

from fem_package.ambient_humidity import PRESETS, AmbientClimate, read_climate_csv
from fem_package.case.base import CaseModel
from fem_package.case.cracking import CrackCriterion, CrackedMaterial, unknown_crack_roles
from fem_package.case.leak_paths import LeakPathSettings
from fem_package.units import Temperature, Time, celsius


class HermeticitySettings(CaseModel):
    """Hermeticity: leak paths and moisture ingress into the cavities, intact and with the cycle's cracks."""

    enabled: bool = Field(False, description="run the hermeticity stage (leak paths, moisture) after the mechanics")
    ambient: Literal["85C/85RH", "HAST-130C/85RH", "HAST-110C/85RH", "custom", "climate"] = Field(
        "85C/85RH", description="ambient preset, 'custom' (temperature + humidity) or 'climate' (climate_file)"
    )
    temperature: Temperature | None = Field(None, description="custom ambient temperature [K]")
    humidity: float | None = Field(None, description="custom ambient relative humidity, fraction 0 - 1")
    climate_file: str | None = Field(
        None, description="CSV time series time_h,temperature_C,rh_percent (path relative to the case file)"
    )
    repeat_climate: bool = Field(False, description="repeat the climate series when the duration is longer")
    duration: Time = Field(1000 * 3600.0, description="exposure time [s]")
    steps: int = Field(60, ge=2, le=5000, description="number of time steps")
    spacing: Literal["geometric", "uniform"] = Field(
        "geometric", description="geometric: step ends log-spaced from first_step to duration"
    )
    first_step: Time | None = Field(None, description="end of the first step with geometric spacing [s]")
    initial_humidity: float = Field(0.0, description="RH of the polymers and cavities at t = 0, fraction 0 - 1")
    operating_temperature: Temperature = Field(
        298.15, description="component temperature for the dew-point check of the cavity gas [K]"
    )
    diffusivity_factor: dict[str, float] = Field(
        default_factory=dict,
        description="role -> multiplier of D (a thin bondline modelled as a fast interfacial path, e.g. 10)",
    )
    leak_paths: LeakPathSettings = Field(
        default_factory=LeakPathSettings, description="leak routes from the outside into the cavity"
    )
    crack: list[CrackCriterion] = Field(
        default_factory=list,
        description="crack criteria on the thermal cycle's stresses (none: intact results only)",
    )
    cracked: CrackedMaterial = Field(
        default_factory=CrackedMaterial, description="moisture properties of cracked cells"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ambient == "custom":
            if self.temperature is None or self.humidity is None:
                raise ValueError("ambient = 'custom' needs temperature and humidity")
        else:
            for key in ("temperature", "humidity"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key}: only used with ambient = 'custom' (ambient is {self.ambient!r})")
        if self.humidity is not None and not 0.0 <= self.humidity <= 1.0:
            raise ValueError(f"humidity = {self.humidity!r} is outside 0 - 1 (relative humidity as a fraction)")
        if self.temperature is not None and not 233.15 <= self.temperature <= 473.15:
            raise ValueError(f"temperature = {celsius(self.temperature):.1f} C is outside -40 C - 200 C")
        if self.ambient == "climate" and not self.climate_file:
            raise ValueError("ambient = 'climate' needs climate_file = 'path.csv'")
        if self.ambient != "climate" and self.climate_file is not None:
            raise ValueError(f"climate_file: only used with ambient = 'climate' (ambient is {self.ambient!r})")
        if not 0.0 <= self.initial_humidity <= 1.0:
            raise ValueError(f"initial_humidity = {self.initial_humidity!r} is outside 0 - 1")
        if not 0.0 < self.duration <= 100 * 365.25 * 86400:
            raise ValueError(f"duration = {self.duration:g} s is outside 0 - 100 years")
        if not 233.15 <= self.operating_temperature <= 473.15:
            raise ValueError(
                f"operating_temperature = {celsius(self.operating_temperature):.1f} C is outside -40 C - 200 C"
            )
        if self.first_step is not None:
            if self.spacing != "geometric":
                raise ValueError("first_step: only used with spacing = 'geometric'")
            if not 0.0 < self.first_step < self.duration:
                raise ValueError(f"first_step = {self.first_step:g} s is outside 0 - duration = {self.duration:g} s")
        for role, factor in self.diffusivity_factor.items():
            if not 1e-6 <= factor <= 1e6:
                raise ValueError(f"diffusivity_factor.{role} = {factor!r} is outside 1e-6 - 1e6")
        if self.ambient == "climate":
            assert self.climate_file is not None
            climate = read_climate_csv(Path(self.climate_file), self.repeat_climate)
            if not self.repeat_climate and climate.times[-1] < self.duration:
                raise ValueError(
                    f"duration = {self.duration / 3600:.4g} h exceeds the climate series "
                    f"({climate.times[-1] / 3600:.4g} h); shorten it or set repeat_climate = true"
                )
        return self

    def climate(self) -> AmbientClimate:
        """The ambient history."""
        if self.ambient == "custom":
            assert self.temperature is not None and self.humidity is not None
            return AmbientClimate.constant("custom", self.temperature, self.humidity)
        if self.ambient == "climate":
            assert self.climate_file is not None
            return read_climate_csv(Path(self.climate_file), self.repeat_climate)
        t, rh, _ = PRESETS[self.ambient]
        return AmbientClimate.constant(self.ambient, t, rh)

    def times(self) -> np.ndarray:
        """Output times (s), starting at 0 and ending at ``duration``; ``steps`` steps."""
        if self.spacing == "uniform":
            return np.linspace(0.0, self.duration, self.steps + 1)
        first = self.first_step if self.first_step is not None else self.duration * 1e-4
        return np.concatenate(([0.0], np.geomspace(first, self.duration, self.steps)))

    def check_roles(self, roles: dict[str, str]) -> None:
        """``diffusivity_factor`` keys and crack-criterion roles must be roles of the geometry."""
        for role in self.diffusivity_factor:
            if role not in roles:
                raise ValueError(
                    f"hermeticity.diffusivity_factor.{role}: unknown role; allowed roles: {', '.join(roles)}"
                )
        for role in unknown_crack_roles(self.crack, roles):
            raise ValueError(f"hermeticity.crack: role {role!r} is unknown; allowed roles: {', '.join(roles)}")

    def leak_path_temperature(self) -> float:
        """Temperature (K) of the permeabilities of the leak-path ranking: the set one, else the ambient's mean.

        The mean is over the exposure (0 - ``duration``), sampled at 2001 equally spaced times.
        """
        if self.leak_paths.temperature is not None:
            return self.leak_paths.temperature
        climate = self.climate()
        return float(np.mean([climate.at(float(t))[0] for t in np.linspace(0.0, self.duration, 2001)]))
