"""``paraview_inspect.py``: a pvpython script that shows a results folder the way the cutaway does, in ParaView.

It loads results.xdmf (ParaView's XDMF3 reader, no plugin), goes to the step with the largest
displacement, warps the mesh by the displacement magnified so that the largest displacement is
3 % of the model's diagonal (the rule of cutaway.png), clips it by the plane y = y_c through the
critical joint (keeping y > y_c, so the cut face shows that joint row), colours it by von Mises
stress in MPa, writes the time, chamber temperature, cycle and step of the time step as a text
annotation (from the field data of each step, so it follows the time in the GUI), saves
``inspect.png`` beside itself and prints one JSON line with what it read.

Debian's ParaView 5.11 renders through X only (``--force-offscreen-rendering`` crashes without a
display): run it headless with ``xvfb-run -a -s "-screen 0 1600x1000x24" pvpython paraview_inspect.py``.
ParaView builds with EGL or OSMesa run ``pvpython --force-offscreen-rendering paraview_inspect.py``.
In the GUI: View > Python Shell > Run Script.
"""

from __future__ import annotations

import json
import string
from dataclasses import asdict, dataclass
from pathlib import Path

from postprocess.report.run_data import RunData

INSPECT_NAME = "paraview_inspect.py"
"""Not inspect.py: a file of that name in the folder or on sys.path shadows the standard library module
``inspect`` (numpy imports it), and pvpython puts the script's folder first on sys.path."""
CUT_NORMAL = (0.0, -1.0, 0.0)
"""Clip-plane normal: ParaView's Clip keeps the side opposite the normal, here y > y_c."""


@dataclass(frozen=True)
class InspectView:
    """What the script shows (SI units), taken from summary.json."""

    label: str
    """first line of the annotation: case title and critical joint"""
    time: float
    step: int
    cut_origin: tuple[float, float, float] | None
    critical_joint: str | None
    magnification: float = 0.03
    """largest displacement shown as this fraction of the model diagonal"""
    color_percentile: float = 99.5
    """upper end of the colour range: this percentile of the shown cells' von Mises (corners are singular)"""


def inspect_view(run: RunData) -> InspectView:
    """The view of a run: its largest-displacement step and a cut through its critical joint."""
    steps = run.summary.get("steps") or []
    if not steps:
        raise ValueError(f"{run.folder}: summary.json has no steps")
    shown = max(steps, key=lambda s: s["max_displacement_m"])
    crit = run.summary.get("critical_joint")
    origin = None
    if crit:
        joint = run.joints_by_id[int(crit["joint_id"])]
        origin = (float(joint["x"]), float(joint["y"]), 0.0)
    label = f"{run.title} - critical joint {crit['name']}" if crit else run.title
    return InspectView(label, float(shown["time_s"]), int(shown["index"]), origin, crit["name"] if crit else None)


SCRIPT = string.Template('''\
"""ParaView inspection of a flipstack results folder, written by `flipstack paraview`.

Headless, Debian ParaView 5.11 (X rendering only):
    xvfb-run -a -s "-screen 0 1600x1000x24" pvpython paraview_inspect.py
ParaView builds with EGL or OSMesa:
    pvpython --force-offscreen-rendering paraview_inspect.py
ParaView GUI: View > Python Shell > Run Script.
Shows von Mises stress [MPa] on the deformed stack clipped through the critical joint at the
step with the largest displacement, saves inspect.png beside this file, prints a JSON line.
"""

import json
import math
import os

from paraview import servermanager
from paraview.simple import (
    Calculator,
    Clip,
    ColorBy,
    GetAnimationScene,
    GetScalarBar,
    GetColorTransferFunction,
    GetActiveViewOrCreate,
    OpenDataFile,
    PythonAnnotation,
    Render,
    SaveScreenshot,
    Show,
    WarpByVector,
)
from paraview.vtk.numpy_interface import dataset_adapter

VIEW = json.loads($view)
FOLDER = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else $folder
RESULTS = os.path.join(FOLDER, "results.xdmf")
PICTURE = os.path.join(FOLDER, "inspect.png")

reader = OpenDataFile(RESULTS)
times = list(reader.TimestepValues)
shown_time = min(times, key=lambda t: abs(t - VIEW["time"]))
scene = GetAnimationScene()
scene.UpdateAnimationUsingDataTimeSteps()
scene.AnimationTime = shown_time
reader.UpdatePipeline(shown_time)

# displacement magnified so the largest one is a fixed fraction of the model diagonal
bounds = reader.GetDataInformation().GetBounds()
diagonal = math.sqrt(sum((bounds[2 * i + 1] - bounds[2 * i]) ** 2 for i in range(3)))
u_max = reader.PointData["displacement_m"].GetRange(-1)[1]
scale = VIEW["magnification"] * diagonal / u_max if u_max > 0 else 1.0
warped = WarpByVector(Input=reader, Vectors=["POINTS", "displacement_m"], ScaleFactor=scale)
stress = Calculator(Input=warped, AttributeType="Cell Data", ResultArrayName="von_mises_MPa")
stress.Function = "von_mises_Pa/1e6"
shown = stress
if VIEW["cut_origin"] is not None:
    shown = Clip(Input=stress, ClipType="Plane")
    shown.ClipType.Origin = VIEW["cut_origin"]
    shown.ClipType.Normal = $normal
    shown.Invert = 1
shown.UpdatePipeline(shown_time)
values = dataset_adapter.WrapDataObject(servermanager.Fetch(shown)).CellData["von_mises_MPa"]
vm = sorted(float(v) for v in values)
top = vm[min(len(vm) - 1, int(VIEW["color_percentile"] / 100.0 * len(vm)))] if vm else 1.0

view = GetActiveViewOrCreate("RenderView")
view.ViewSize = [1400, 900]
view.ViewTime = shown_time
view.OrientationAxesVisibility = 1
display = Show(shown, view)
ColorBy(display, ("CELLS", "von_mises_MPa"))
lut = GetColorTransferFunction("von_mises_MPa")
lut.ApplyPreset("Turbo", True)
lut.RescaleTransferFunction(0.0, top or 1.0)
lut.AutomaticRescaleRangeMode = "Never"
display.SetScalarBarVisibility(view, True)
bar = GetScalarBar(lut, view)
bar.Title = "von Mises [MPa]"
bar.ComponentTitle = ""

# time, chamber temperature, cycle and step from the field data of each time step
label = PythonAnnotation(Input=reader)
label.ArrayAssociation = "Field Data"
# (ParaView 5.11 passes the expression through its {}-formatter first: braces are doubled)
text = VIEW["label"].replace("%", "%%") + "\\nt = %%.0f s   T = %%.1f C   cycle %%d   step %%d   displacement x %.0f"
expression = repr(text % scale) + " % (t_value, chamber_temperature_C[0], cycle[0], step[0])"
label.Expression = expression.replace("{", "{{").replace("}", "}}")
label_display = Show(label, view)
label_display.FontSize = 14
label_display.WindowLocation = "Upper Left Corner"
label_display.Justification = "Left"

Render(view)  # the first render resets the camera: place it afterwards
data = shown.GetDataInformation()
(x0, x1, y0, y1, z0, z1) = data.GetBounds()
center = [(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2]
size = math.sqrt((x1 - x0) ** 2 + (y1 - y0) ** 2 + (z1 - z0) ** 2)
direction = [-1.0, -1.6, 0.9]  # from the front left, above: the cut face and the top are seen
norm = math.sqrt(sum(d * d for d in direction))
view.CameraFocalPoint = center
view.CameraPosition = [c + 1.6 * size * d / norm for c, d in zip(center, direction)]
view.CameraViewUp = [0.0, 0.0, 1.0]
view.CameraViewAngle = 30.0
view.CenterOfRotation = center
Render(view)
SaveScreenshot(PICTURE, view, ImageResolution=[1400, 900])

field = servermanager.Fetch(reader).GetFieldData()
labels = {field.GetArrayName(i): field.GetArray(i).GetValue(0) for i in range(field.GetNumberOfArrays())}
print(
    json.dumps(
        {
            "results": RESULTS,
            "point_arrays": sorted(reader.PointData.keys()),
            "cell_arrays": sorted(reader.CellData.keys()),
            "field_arrays": sorted(reader.FieldData.keys()),
            "time_steps": len(times),
            "times": times,
            "shown_time": shown_time,
            "shown_labels": labels,
            "warp_scale": scale,
            "clip_origin": VIEW["cut_origin"],
            "shown_cells": data.GetNumberOfCells(),
            "color_range_MPa": [0.0, top],
            "picture": PICTURE,
        }
    )
)
''')


def script_text(run: RunData) -> str:
    """The text of paraview_inspect.py for the results folder of ``run``."""
    view = inspect_view(run)
    return SCRIPT.substitute(
        view=repr(json.dumps(asdict(view))), folder=repr(str(run.folder.resolve())), normal=repr(list(CUT_NORMAL))
    )


def write_inspect_script(folder: Path | str) -> Path:
    """Write ``folder/paraview_inspect.py``; returns its path."""
    run = RunData.open(folder)
    path = run.folder / INSPECT_NAME
    path.write_text(script_text(run), encoding="utf-8")
    return path
