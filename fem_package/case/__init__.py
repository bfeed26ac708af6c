"""Case-file models (pydantic): what a user may write, validated before anything runs."""

from fem_package.case.case import DEFAULT_CASE, Case, default_case, load_case, validate_case
from fem_package.case.errors import CaseError

__all__ = ["DEFAULT_CASE", "Case", "CaseError", "default_case", "load_case", "validate_case"]
