"""The ``[geometry]`` section: one parameter model per geometry type, chosen by ``type``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fem_package.case.geometry_laminate import LaminateGeometry
from fem_package.case.geometry_sealed_cavity import SealedCavityGeometry
from fem_package.case.geometry_solder_bump import SolderBumpGeometry

GeometryParams = Annotated[LaminateGeometry | SolderBumpGeometry | SealedCavityGeometry, Field(discriminator="type")]
"""Parameters of any geometry type; ``type`` selects the model."""

GEOMETRY_MODELS: dict[str, type[LaminateGeometry] | type[SolderBumpGeometry] | type[SealedCavityGeometry]] = {
    "laminate": LaminateGeometry,
    "solder_bump": SolderBumpGeometry,
    "sealed_cavity": SealedCavityGeometry,
}
