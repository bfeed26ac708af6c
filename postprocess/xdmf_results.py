"""Read a flipstack results.xdmf (dolfinx layout) back into numpy: mesh, times, fields.

dolfinx writes the mesh once and one temporal collection per function, each time step
pointing at an HDF5 dataset ``results.h5:/Function/<name>/<time>``. VTK's XDMF2 reader
crashes on this layout and meshio reads only one collection, so the XML is read here
and the datasets with h5py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np


def _dataset(folder: Path, item: ET.Element) -> np.ndarray:
    file, path = (item.text or "").strip().split(":", 1)
    with h5py.File(folder / file, "r") as h5:
        return np.asarray(h5[path])


@dataclass
class XdmfResults:
    """Mesh (points, tetrahedra) and, per field, its centre ('Node'/'Cell') and HDF5 items by time."""

    path: Path
    points: np.ndarray
    cells: np.ndarray
    times: list[float]
    fields: dict[str, tuple[str, dict[float, ET.Element]]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> XdmfResults:
        """Parse the XDMF file and read the mesh."""
        path = Path(path)
        root = ET.parse(path).getroot()
        mesh = root.find("./Domain/Grid[@GridType='Uniform']")
        if mesh is None:
            raise ValueError(f"{path}: no mesh grid")
        points = _dataset(path.parent, mesh.find("./Geometry/DataItem"))  # type: ignore[arg-type]
        cells = _dataset(path.parent, mesh.find("./Topology/DataItem"))  # type: ignore[arg-type]
        fields: dict[str, tuple[str, dict[float, ET.Element]]] = {}
        for grid in root.iterfind("./Domain/Grid[@GridType='Collection']/Grid"):
            time = float(grid.find("Time").get("Value"))  # type: ignore[union-attr, arg-type]
            for attr in grid.iterfind("Attribute"):
                name, center = attr.get("Name", ""), attr.get("Center", "Node")
                if center == "Grid":  # one value per time step (step labels), not a mesh field
                    continue
                fields.setdefault(name, (center, {}))[1][time] = attr.find("DataItem")  # type: ignore[assignment]
        times = sorted({t for _, by_time in fields.values() for t in by_time})
        return cls(path, points, cells.astype(np.int64), times, fields)

    def read(self, name: str, time: float) -> np.ndarray:
        """Values of field ``name`` at ``time`` (one row per point or cell)."""
        _center, by_time = self.fields[name]
        return _dataset(self.path.parent, by_time[time])

    def center(self, name: str) -> str:
        """'Node' or 'Cell'."""
        return self.fields[name][0]
