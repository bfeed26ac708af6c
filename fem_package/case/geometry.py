"""The ``[geometry]`` section: one parameter model per geometry type, chosen by ``type``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fem_package.case.geometry_compliant_lead import CompliantLeadGeometry
from fem_package.case.geometry_laminate import LaminateGeometry
from fem_package.case.geometry_solder_bump import SolderBumpGeometry

GeometryParams = Annotated[LaminateGeometry | SolderBumpGeometry | CompliantLeadGeometry, Field(discriminator="type")]
"""Parameters of any geometry type; ``type`` selects the model."""

GEOMETRY_MODELS: dict[str, type[LaminateGeometry] | type[SolderBumpGeometry] | type[CompliantLeadGeometry]] = {
    "laminate": LaminateGeometry,
    "solder_bump": SolderBumpGeometry,
    "compliant_lead": CompliantLeadGeometry,
}
