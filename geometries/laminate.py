"""``laminate``: a rectangular stack of uniform layers (gmsh OpenCASCADE).

Layers are boxes stacked from z = 0 upwards and fragmented so their interfaces are
conformal. Used for the analytic checks (free expansion, Timoshenko bimetal strip)
and for quick build-up studies.
"""

from __future__ import annotations

import gmsh

from fem_package.case.geometry_laminate import LaminateGeometry
from fem_package.case.mesh import MeshSettings
from fem_package.model_description import ModelDescription, Region
from geometries.meshing import um
from geometries.symmetry import add_standard_boundaries, kept_box, planes_and_supports


def build_laminate(params: LaminateGeometry, mesh: MeshSettings) -> ModelDescription:
    """Add the layer boxes, their physical groups and the standard boundaries to the gmsh model."""
    hx, hy = params.length / 2, params.width / 2
    x0, x1, y0, y1 = kept_box(params.symmetry, hx, hy)
    occ = gmsh.model.occ
    z = 0.0
    boxes = []
    for layer in params.layers:
        boxes.append(occ.addBox(um(x0), um(y0), um(z), um(x1 - x0), um(y1 - y0), um(layer.thickness)))
        z += layer.thickness
    if len(boxes) > 1:
        _, mapping = occ.fragment([(3, boxes[0])], [(3, b) for b in boxes[1:]])
        volumes = [[t for _, t in m] for m in mapping]
    else:
        volumes = [[boxes[0]]]
    occ.synchronize()
    regions = []
    for i, (layer, vols) in enumerate(zip(params.layers, volumes, strict=True)):
        tag = i + 1
        gmsh.model.addPhysicalGroup(3, vols, tag, name=layer.name)
        volume = (x1 - x0) * (y1 - y0) * layer.thickness
        regions.append(Region(layer.name, tag, layer.name, layer.material, volume=volume))
    boundaries = add_standard_boundaries(params.symmetry, hx, hy, z)
    planes, supports = planes_and_supports(params.symmetry, hx, hy)
    size = mesh.max_size or min(x1 - x0, y1 - y0, z) / 4
    gmsh.option.setNumber("Mesh.MeshSizeMax", um(size))
    gmsh.option.setNumber("Mesh.MeshSizeMin", um(mesh.joint_size or size) * 0.1)
    info: dict[str, float | int | str] = {"thickness": z, "layers": len(params.layers)}
    return ModelDescription("laminate", params.symmetry, regions, boundaries, planes, supports, info)
