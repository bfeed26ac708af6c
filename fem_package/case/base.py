"""Common base for the case-file models: strict (unknown keys refused), SI after validation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CaseModel(BaseModel):
    """Base of every case-file section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
