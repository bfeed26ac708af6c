"""Time series of fields for ParaView: XDMF/HDF5 always, ADIOS2/VTX optionally.

XDMF is read by every ParaView build (Debian's ParaView 5.11 has no VTX reader).
XDMF needs point data on the mesh's own degree or cell data, so higher-degree
fields are interpolated to P1 before writing; DG0 fields are written as cell data.
Field names carry their SI unit as a suffix (``displacement_m``, ``von_mises_Pa``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fem_package.fenics import dolfinx


class FieldWriter:
    """Writes the mesh once and named functions at each time of a run."""

    def __init__(self, mesh: Any, folder: Path, name: str = "results", vtx_functions: list[Any] | None = None):
        self.mesh = mesh
        self.path = folder / f"{name}.xdmf"
        self.xdmf = dolfinx.io.XDMFFile(mesh.comm, str(self.path), "w")
        self.xdmf.write_mesh(mesh)
        self._p1_cache: dict[str, Any] = {}
        self._vtx = None
        if vtx_functions:
            # VTX holds functions of one element in their native degree (P2 stays P2).
            path = str(folder / f"{name}.bp")
            self._vtx = dolfinx.io.VTXWriter(mesh.comm, path, vtx_functions, engine="BP4")

    def as_written(self, f: Any) -> Any:
        """``f`` itself when XDMF can hold it, else its interpolant in vector/scalar P1 (same name)."""
        element = f.function_space.ufl_element()
        if element.embedded_superdegree <= 1 or (element.discontinuous and element.embedded_superdegree == 0):
            return f
        name = f.name
        if name not in self._p1_cache:
            shape = f.function_space.value_shape
            V1 = dolfinx.fem.functionspace(self.mesh, ("Lagrange", 1, shape) if shape else ("Lagrange", 1))
            self._p1_cache[name] = dolfinx.fem.Function(V1, name=name)
        g = self._p1_cache[name]
        g.interpolate(f)
        return g

    def write(self, functions: list[Any], time: float) -> None:
        """Append ``functions`` to the XDMF file (and the VTX functions) at ``time`` (s)."""
        written = [self.as_written(f) for f in functions]
        for f in written:
            self.xdmf.write_function(f, time)
        if self._vtx is not None:
            self._vtx.write(time)

    def close(self) -> None:
        """Flush and close the files."""
        self.xdmf.close()
        if self._vtx is not None:
            self._vtx.close()
