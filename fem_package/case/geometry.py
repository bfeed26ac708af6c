"""The ``[geometry]`` section: one parameter model per geometry type, chosen by ``type``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from fem_package.case.geometry_acf_microcapsule import AcfMicrocapsuleGeometry
from fem_package.case.geometry_compliant_lead import CompliantLeadGeometry
from fem_package.case.geometry_contact_element import ContactElementGeometry
from fem_package.case.geometry_file import FileGeometry
from fem_package.case.geometry_laminate import LaminateGeometry
from fem_package.case.geometry_liquid_metal_gel import LiquidMetalGelGeometry
from fem_package.case.geometry_sealed_cavity import SealedCavityGeometry
from fem_package.case.geometry_solder_bump import SolderBumpGeometry
from fem_package.case.geometry_step import StepGeometry

GeometryParams = Annotated[
    LaminateGeometry
    | SolderBumpGeometry
    | AcfMicrocapsuleGeometry
    | LiquidMetalGelGeometry
    | ContactElementGeometry
    | CompliantLeadGeometry
    | SealedCavityGeometry
    | FileGeometry
    | StepGeometry,
    Field(discriminator="type"),
]
"""Parameters of any geometry type; ``type`` selects the model."""

GEOMETRY_MODELS: dict[str, Any] = {
    "laminate": LaminateGeometry,
    "solder_bump": SolderBumpGeometry,
    "acf_microcapsule": AcfMicrocapsuleGeometry,
    "liquid_metal_gel": LiquidMetalGelGeometry,
    "contact_element": ContactElementGeometry,
    "compliant_lead": CompliantLeadGeometry,
    "sealed_cavity": SealedCavityGeometry,
    "file": FileGeometry,
    "step": StepGeometry,
}
