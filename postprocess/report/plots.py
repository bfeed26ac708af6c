"""Matplotlib figures rendered to PNG bytes without pyplot (no display, no global state)."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from postprocess.report.html import Html, image

DPI = 110


def new_figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A figure of ``width`` x ``height`` inches with an Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def figure_image(fig: Figure, alt: str) -> Html:
    """The figure as an inline ``<img>``."""
    return image(png_bytes(fig), alt)
