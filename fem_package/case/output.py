"""The ``[output]`` section: which result files a run writes."""

from __future__ import annotations

from pydantic import Field

from fem_package.case.base import CaseModel


class OutputSettings(CaseModel):
    """Result files. XDMF is always written (every ParaView reads it); VTX is optional."""

    vtx: bool = Field(False, description="also write ADIOS2/VTX (.bp) files (ParaView >= 5.12)")
    picture: bool = Field(True, description="write a PNG cutaway of the deformed stack")
    picture_scale: float | None = Field(
        None, gt=0, description="displacement magnification of the picture; default: automatic"
    )
