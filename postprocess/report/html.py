"""Small HTML builders for the report pages: escaping, numbers, tables, inline images.

Every builder returns :class:`Html` (markup that is already safe); plain ``str`` cells are escaped.
Images are embedded as ``data:`` URIs so a page is one self-contained file.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


class Html(str):
    """A string of markup that is inserted as it is (not escaped again)."""

    __slots__ = ()

    def __add__(self, other: str) -> Html:
        return Html(str.__add__(self, esc(other)))

    def __radd__(self, other: str) -> Html:
        return Html(str.__add__(esc(other), self))


def esc(value: Any) -> Html:
    """``value`` as HTML text: markup passes, anything else is converted to text and escaped."""
    return value if isinstance(value, Html) else Html(html.escape(str(value), quote=True))


def join(parts: Iterable[Any], sep: str = "") -> Html:
    """Concatenate escaped parts."""
    return Html(sep.join(esc(p) for p in parts))


def tag(name: str, body: Any = "", **attrs: Any) -> Html:
    """``<name attrs>body</name>``; attribute ``class_`` becomes ``class``; None/False attributes are left out."""
    text = "".join(
        f" {_attribute(k)}" if v is True else f' {_attribute(k)}="{html.escape(str(v), quote=True)}"'
        for k, v in attrs.items()
        if v is not None and v is not False
    )
    return Html(f"<{name}{text}>{esc(body)}</{name}>")


def _attribute(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def number(value: Any, digits: int = 4, scale: float = 1.0) -> str:
    """A number in ``digits`` significant digits after dividing by ``scale``; '-' for None/NaN, '∞' for inf."""
    if value is None or isinstance(value, bool):
        return "-" if value is None else str(value)
    try:
        x = float(value) / scale
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:.{digits}g}"


def table(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    highlight: Iterable[int] = (),
    caption: str | None = None,
    numeric: bool = True,
) -> Html:
    """A table; rows whose index is in ``highlight`` get class 'critical'; numbers are right-aligned."""
    marked = set(highlight)
    head = tag("tr", join(tag("th", h) for h in headers))
    body = []
    for i, row in enumerate(rows):
        cells = join(tag("td", c, class_="num" if numeric and _is_number(c) else None) for c in row)
        body.append(tag("tr", cells, class_="critical" if i in marked else None))
    cap = tag("caption", caption) if caption else Html("")
    return tag("table", cap + tag("thead", head) + tag("tbody", join(body)))


def _is_number(cell: Any) -> bool:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    if isinstance(cell, str) and not isinstance(cell, Html):
        try:
            float(cell.replace("∞", "inf"))
        except ValueError:
            return cell == "-"
        return True
    return False


def key_values(pairs: Iterable[tuple[Any, Any]], caption: str | None = None) -> Html:
    """A two-column table of names and values."""
    rows = [(tag("th", k), tag("td", v)) for k, v in pairs]
    cap = tag("caption", caption) if caption else Html("")
    return tag("table", cap + tag("tbody", join(tag("tr", k + v) for k, v in rows)), class_="kv")


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """``data:`` URI of ``data`` (base64)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def image(data: bytes, alt: str, mime: str = "image/png") -> Html:
    """An ``<img>`` with the picture inline."""
    return Html(f'<img src="{data_uri(data, mime)}" alt="{html.escape(alt, quote=True)}">')


def figure(img: Html, caption: str) -> Html:
    """A picture with its caption."""
    return tag("figure", img + tag("figcaption", caption))


def paragraph(text: Any, class_: str | None = None) -> Html:
    """One paragraph."""
    return tag("p", text, class_=class_)


def preformatted(text: str) -> Html:
    """Text shown as it is (monospace)."""
    return tag("pre", text)


def nested(value: Any, name: str = "") -> Html:
    """Any JSON value as HTML: objects as name/value tables, lists of flat objects as tables.

    Used for summary sections that have no dedicated builder, so new results are never hidden.
    """
    if isinstance(value, Mapping):
        return key_values(((k, nested(v, k)) for k, v in value.items()))
    if isinstance(value, list):
        if value and all(isinstance(v, Mapping) and all(_is_flat(x) for x in v.values()) for v in value):
            headers = list(dict.fromkeys(k for v in value for k in v))
            return table(headers, ([number(v.get(h), 6) if _is_flat(v.get(h)) else "" for h in headers] for v in value))
        if all(_is_flat(v) for v in value):
            shown = ", ".join(number(v, 6) if not isinstance(v, str) else v for v in value[:50])
            return esc(shown + (f", ... ({len(value)} values)" if len(value) > 50 else ""))
        return join(tag("div", nested(v)) for v in value)
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return esc("-" if value is None else ("yes" if value is True else "no" if value is False else value))
    return esc(number(value, 6))


def _is_flat(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
