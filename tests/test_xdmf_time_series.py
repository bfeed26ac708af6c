"""results.xdmf rewritten into one labelled temporal collection (the layout ParaView reads as one mesh)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from fem_package.fenics import MPI, dolfinx
from fem_package.field_output import FieldWriter
from fem_package.thermal_profile import LoadStep
from fem_package.xdmf_time_series import merge_time_collections, step_labels
from postprocess.xdmf_results import XdmfResults

STEPS = [
    LoadStep(0, 0.0, 298.15, 0, "start"),
    LoadStep(1, 545.5, 398.15, 0, "ramp_up"),
    LoadStep(2, 1445.5, 398.15, 1, "x"),
]


def written(tmp_path: Path) -> Path:
    """A dolfinx XDMF file with a vector P1 field and a DG0 field at the three step times."""
    mesh = dolfinx.mesh.create_unit_cube(MPI.COMM_SELF, 2, 2, 2)
    u = dolfinx.fem.Function(dolfinx.fem.functionspace(mesh, ("Lagrange", 1, (3,))), name="displacement_m")
    q = dolfinx.fem.Function(dolfinx.fem.functionspace(mesh, ("DG", 0)), name="von_mises_Pa")
    writer = FieldWriter(mesh, tmp_path, "results")
    for s in STEPS:
        u.x.array[:] = s.index
        q.x.array[:] = 10.0 * s.index
        writer.write([u, q], s.time)
    writer.close()
    return tmp_path / "results.xdmf"


def test_one_collection_with_all_fields_and_step_labels(tmp_path: Path) -> None:
    path = written(tmp_path)
    before = ET.parse(path).getroot().findall("./Domain/Grid[@GridType='Collection']")
    assert len(before) == 2  # dolfinx: one collection per function
    assert merge_time_collections(path, step_labels(STEPS)) == 3
    root = ET.parse(path).getroot()
    (collection,) = root.findall("./Domain/Grid[@GridType='Collection']")
    grids = collection.findall("Grid")
    assert [g.get("Name") for g in grids] == ["step 0", "step 1", "step 2"]
    for grid, step in zip(grids, STEPS, strict=True):
        assert float(grid.find("Time").get("Value")) == step.time  # type: ignore[union-attr, arg-type]
        values = {a.get("Name"): a.find("DataItem").text for a in grid.findall("Attribute[@Center='Grid']")}  # type: ignore[union-attr]
        assert int(values["step"]) == step.index and int(values["cycle"]) == step.cycle  # type: ignore[arg-type]
        assert float(values["chamber_temperature_C"]) == pytest.approx(step.temperature - 273.15)  # type: ignore[arg-type]
    # the fields still read back per time (the HDF5 data is untouched)
    results = XdmfResults.open(path)
    assert set(results.fields) == {"displacement_m", "von_mises_Pa"}
    assert results.times == [s.time for s in STEPS]
    assert np.all(results.read("von_mises_Pa", 545.5) == 10.0)
    assert np.all(results.read("displacement_m", 1445.5) == 2.0)


def test_merge_is_idempotent_and_checks_the_labels(tmp_path: Path) -> None:
    path = written(tmp_path)
    with pytest.raises(ValueError, match="3 times but 2 step labels"):
        merge_time_collections(path, step_labels(STEPS[:2]))
    merge_time_collections(path, step_labels(STEPS))
    text = path.read_text()
    assert merge_time_collections(path, step_labels(STEPS)) == 3 and path.read_text() == text
