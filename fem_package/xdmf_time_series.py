"""One temporal collection per results.xdmf, with every field and the load step's labels per time.

dolfinx's ``XDMFFile.write_function`` puts each function in its own temporal collection. ParaView's
XDMF3 reader (5.11) turns that into a multiblock with one copy of the mesh per field, so the
displacement cannot warp the mesh that carries the stress. :func:`merge_time_collections` rewrites
the XML (the HDF5 data stays as written) into a single temporal collection whose grid at each time
holds all attributes, and adds grid-centred attributes that ParaView shows as field data of the
time step: ``step``, ``cycle``, ``chamber_temperature_K`` and ``chamber_temperature_C`` of the load step (e.g. for
"Annotate Global Data" or a Python annotation).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fem_package.thermal_profile import LoadStep
from fem_package.units import celsius

XINCLUDE = "https://www.w3.org/2001/XInclude"
MESH_POINTER = "xpointer(/Xdmf/Domain/Grid[@GridType='Uniform'][1]/*[self::Topology or self::Geometry])"


@dataclass(frozen=True)
class StepLabel:
    """What a time step is: load step number, thermal cycle and chamber temperature (K)."""

    step: int
    cycle: int
    temperature_K: float


def step_labels(steps: Sequence[LoadStep]) -> list[StepLabel]:
    """The labels of the load steps."""
    return [StepLabel(s.index, s.cycle, s.temperature) for s in steps]


def _grid_scalar(name: str, value: float | int) -> ET.Element:
    attr = ET.Element("Attribute", Name=name, AttributeType="Scalar", Center="Grid")
    kind = {"NumberType": "Int"} if isinstance(value, int) else {"NumberType": "Float", "Precision": "8"}
    item = ET.SubElement(attr, "DataItem", {"Dimensions": "1", "Format": "XML", **kind})
    item.text = repr(value)
    return attr


def merge_time_collections(path: Path, labels: Mapping[float, StepLabel] | Sequence[StepLabel] | None = None) -> int:
    """Rewrite the XDMF file ``path`` in place with one temporal collection; returns the number of times.

    ``labels``: the step label of each time (a mapping time -> label, or a sequence in time order).
    Already merged files are left as they are (the function is idempotent).
    """
    ET.register_namespace("xi", XINCLUDE)
    tree = ET.parse(path)
    domain = tree.getroot().find("Domain")
    if domain is None:
        raise ValueError(f"{path}: no Domain element")
    collections = [g for g in domain.findall("Grid") if g.get("GridType") == "Collection"]
    if len(collections) == 1 and collections[0].get("Name") == "results":
        return len(collections[0].findall("Grid"))
    by_time: dict[float, list[ET.Element]] = {}
    text_of_time: dict[float, str] = {}
    for collection in collections:
        for grid in collection.findall("Grid"):
            time = grid.find("Time")
            if time is None:
                raise ValueError(f"{path}: grid '{grid.get('Name')}' of a temporal collection has no Time")
            t = float(time.get("Value", "0"))
            text_of_time.setdefault(t, time.get("Value", "0"))
            by_time.setdefault(t, []).extend(grid.findall("Attribute"))
        domain.remove(collection)
    times = sorted(by_time)
    if isinstance(labels, Sequence):
        if len(labels) != len(times):
            raise ValueError(f"{path}: {len(times)} times but {len(labels)} step labels")
        labels = dict(zip(times, labels, strict=True))
    merged = ET.SubElement(domain, "Grid", Name="results", GridType="Collection", CollectionType="Temporal")
    for t in times:
        label = labels.get(t) if labels else None
        name = f"step {label.step}" if label else f"t = {text_of_time[t]} s"
        grid = ET.SubElement(merged, "Grid", Name=name, GridType="Uniform")
        ET.SubElement(grid, f"{{{XINCLUDE}}}include", xpointer=MESH_POINTER)
        ET.SubElement(grid, "Time", Value=text_of_time[t])
        grid.extend(by_time[t])
        if label is not None:
            grid.append(_grid_scalar("step", label.step))
            grid.append(_grid_scalar("cycle", label.cycle))
            grid.append(_grid_scalar("chamber_temperature_K", float(label.temperature_K)))
            grid.append(_grid_scalar("chamber_temperature_C", celsius(float(label.temperature_K))))
    ET.indent(tree, space="  ")
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(b'<?xml version="1.0"?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n')
        tree.write(f, encoding="utf-8", xml_declaration=False)
        f.write(b"\n")
    tmp.replace(path)
    return len(times)
