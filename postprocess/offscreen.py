"""Off-screen pyvista plotting on machines without a display."""

from __future__ import annotations

from typing import Any


def offscreen_plotter(window_size: tuple[int, int] = (1400, 900)) -> Any:
    """A pyvista plotter that renders off-screen, with VTK's display warnings silenced.

    Without an X display VTK logs "bad X server connection" and still renders off-screen
    (EGL/OSMesa); only errors are kept on stderr.
    """
    import pyvista as pv
    from vtkmodules.vtkCommonCore import vtkLogger

    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
    pv.OFF_SCREEN = True
    return pv.Plotter(off_screen=True, window_size=list(window_size))
