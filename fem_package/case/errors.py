"""The one error type for bad input, and how pydantic's errors become one clear message."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class CaseError(ValueError):
    """Bad input: the message names the key, the value and what is allowed. CLI exit code 2."""


def _key(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif str(p).startswith("function-") or p in ("tagged-union",):
            continue
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts)


def describe_validation_error(exc: ValidationError, allowed_keys: dict[str, list[str]] | None = None) -> str:
    """Turn a pydantic ``ValidationError`` into lines ``key = value: what is allowed``.

    Args:
        exc: the error raised by ``Case.model_validate``.
        allowed_keys: for "unknown key" errors, the keys allowed in each section,
            by section path (``"geometry"`` -> its field names).
    """
    lines = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        # A discriminated union inserts the tag (e.g. 'solder_bump') into loc: drop it.
        key = _key(loc)
        value = err.get("input")
        msg = str(err.get("msg", "invalid"))
        kind = err.get("type", "")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if kind == "extra_forbidden":
            section = _key(loc[:-1])
            allowed = (allowed_keys or {}).get(section)
            hint = f"; allowed keys in [{section or 'top level'}]: {', '.join(allowed)}" if allowed else ""
            lines.append(f"{key}: unknown key{hint}")
        elif kind == "missing":
            lines.append(f"{key}: required key is missing")
        elif kind == "union_tag_invalid":
            lines.append(f"{key}.type = {value!r}: {msg}")
        else:
            shown = "" if isinstance(value, dict) else f" = {value!r}"
            lines.append(f"{key}{shown}: {msg}")
    return "\n".join(lines)
