"""Join XDMF time series written in parts (one file per thermal cycle) into one file.

A run that can be resumed writes each cycle's fields to its own ``<stem>-cycleNNN.xdmf/.h5``
(a resumed run rewrites only the unfinished cycle's file). At the end the parts are joined:
the first part's XML is kept (its mesh grid is the one every time step points at through
``xi:include``), and the time steps of every later part are appended to the temporal
collection of the same name. The HDF5 data stay in the parts' ``.h5`` files, which the
joined XML names relative to its own folder, so all files must sit in one folder.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

XINCLUDE = "https://www.w3.org/2001/XInclude"  # the namespace URI dolfinx writes
HEADER = '<?xml version="1.0"?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n'


def _collections(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("Name", ""): g for g in root.iterfind("./Domain/Grid[@GridType='Collection']")}


def merge_time_series(parts: list[Path], out: Path) -> None:
    """Write ``out`` with the time steps of ``parts`` (in order); all files in ``out``'s folder."""
    if not parts:
        raise ValueError("no XDMF parts to merge")
    ET.register_namespace("xi", XINCLUDE)
    base = ET.parse(parts[0]).getroot()
    collections = _collections(base)
    for part in parts[1:]:
        for name, grid in _collections(ET.parse(part).getroot()).items():
            target = collections.get(name)
            if target is None:
                raise ValueError(f"{part}: field {name!r} is not in {parts[0]}")
            target.extend(list(grid))
    ET.indent(base, space="  ")
    out.write_text(HEADER + ET.tostring(base, encoding="unicode") + "\n", encoding="utf-8")
