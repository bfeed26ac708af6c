"""ParaView inspection scripts for results folders (``flipstack paraview RUN_DIR``)."""

from postprocess.paraview.inspect_script import INSPECT_NAME, InspectView, inspect_view, write_inspect_script

__all__ = ["INSPECT_NAME", "InspectView", "inspect_view", "write_inspect_script"]
