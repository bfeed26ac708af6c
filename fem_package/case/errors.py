"""The one error type for bad input, and how pydantic's errors become one clear message."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class CaseError(ValueError):
    """Bad input: the message names the key, the value and what is allowed. CLI exit code 2."""


_ABSENT = object()


def _has(node: Any, key: Any) -> bool:
    """True when ``node[key]`` exists in the raw input."""
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list | tuple) and isinstance(key, int) and 0 <= key < len(node)


def _locate(raw: Any, loc: tuple[Any, ...]) -> tuple[str, Any]:
    """Key path as the user wrote it and the raw value there.

    Walks the raw input along pydantic's ``loc``; entries that are not keys of the input
    (a discriminated union's tag, validator names) are left out of the path.
    """
    parts: list[str] = []
    node: Any = raw
    for i, p in enumerate(loc):
        last = i == len(loc) - 1
        if _has(node, p):
            node = node[p]
        elif last:
            node = _ABSENT
        else:
            continue
        parts.append(f"[{p}]" if isinstance(p, int) else ("." if parts else "") + str(p))
    return "".join(parts), node


def describe_validation_error(
    exc: ValidationError, raw: dict[str, Any], allowed_keys: dict[str, list[str]] | None = None
) -> str:
    """Turn a pydantic ``ValidationError`` into lines ``key = value: what is allowed``.

    Args:
        exc: the error raised by ``Case.model_validate(raw)``.
        raw: the input as read from the case file (values are shown as the user wrote them).
        allowed_keys: for "unknown key" errors, the keys allowed in each section,
            by section path (``"geometry"`` -> its field names).
    """
    lines = []
    for err in exc.errors(include_url=False):
        key, value = _locate(raw, tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid"))
        kind = err.get("type", "")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if kind == "extra_forbidden":
            section = key.rsplit(".", 1)[0] if "." in key else ""
            allowed = (allowed_keys or {}).get(section)
            hint = f"; allowed keys in [{section or 'top level'}]: {', '.join(allowed)}" if allowed else ""
            lines.append(f"{key}: unknown key{hint}")
        elif kind == "missing":
            lines.append(f"{key}: required key is missing")
        else:
            shown = "" if value is _ABSENT or isinstance(value, dict) else f" = {value!r}"
            lines.append(f"{key}{shown}: {msg}")
    return "\n".join(lines)
