"""Interface layers found from mesh topology, on a structured tetrahedral column (numpy only, no FE solve).

The column: an a x a square joint of height H between a bottom pad and a top pad, each a slab of
cells; cubes of edge h split into six tetrahedra (Kuhn). Exact answers: interface planes at the
pad faces, interface area a^2 per side, and the layer of thickness t = k h (whole cubes) has
volume t a^2, so V/A = t; a layer thinner than one cell falls back to the first cell layer.
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from postprocess.life.interface_layer import InterfaceLayers

KUHN = [(0, 1, 3, 7), (0, 1, 5, 7), (0, 2, 3, 7), (0, 2, 6, 7), (0, 4, 5, 7), (0, 4, 6, 7)]


def column(nx: int, nz_pad: int, nz_joint: int, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells, 4, 3) vertices, (cells,) joint id (0 in the joint layers, -1 in the pads), (cells,) volumes."""
    corners = np.array([[i & 1, (i >> 1) & 1, (i >> 2) & 1] for i in range(8)], dtype=float)
    cells, joint = [], []
    nz = 2 * nz_pad + nz_joint
    for k in range(nz):
        for j in range(nx):
            for i in range(nx):
                origin = np.array([i, j, k], dtype=float)
                for tet in KUHN:
                    cells.append((origin + corners[list(tet)]) * h)
                    joint.append(0 if nz_pad <= k < nz_pad + nz_joint else -1)
    v = np.array(cells)
    vol = np.abs(np.linalg.det(v[:, 1:] - v[:, :1])) / 6.0
    return v, np.array(joint), vol


def boundary_flags(v: np.ndarray, joint: np.ndarray) -> np.ndarray:
    """Vertex flag 'touches a joint cell and a non-joint cell' (what the pipeline computes with P1 scatters)."""
    key = np.round(v / 1e-9).astype(np.int64).reshape(-1, 3)
    _, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(v.shape[:2])
    n = inverse.max() + 1
    touches_joint = np.zeros(n, bool)
    touches_other = np.zeros(n, bool)
    touches_joint[inverse[joint >= 0].ravel()] = True
    touches_other[inverse[joint < 0].ravel()] = True
    return (touches_joint & touches_other)[inverse]


H_CELL = 5e-6


def layers(thickness: float) -> tuple[InterfaceLayers, np.ndarray, np.ndarray]:
    v, joint, vol = column(nx=4, nz_pad=2, nz_joint=12, h=H_CELL)
    return InterfaceLayers(MPI.COMM_SELF, v, boundary_flags(v, joint), joint, vol, thickness, [0]), v, vol


def test_planes_area_and_layer_thickness() -> None:
    lay, _, _ = layers(10e-6)  # two cell layers
    bottom, top = lay.info()
    a = 4 * H_CELL
    assert bottom.plane_z == pytest.approx(2 * H_CELL, rel=1e-12)
    assert top.plane_z == pytest.approx(14 * H_CELL, rel=1e-12)
    for info in (bottom, top):
        assert info.interface_area == pytest.approx(a * a, rel=1e-12)
        assert info.thickness == pytest.approx(10e-6, rel=1e-12)  # whole cubes: V/A = t exactly
        assert info.cells == 2 * 16 * 6
        assert not info.first_cell_layer
        assert info.equivalent_diameter == pytest.approx(np.sqrt(4 * a * a / np.pi))


def test_mesh_coarser_than_layer_falls_back_to_first_cell_layer() -> None:
    lay, _, _ = layers(1e-6)  # a fifth of a cell: few centroids that close
    for info in lay.info():
        assert info.first_cell_layer
        assert info.thickness > 1e-6  # reported: what was actually averaged
        assert info.thickness <= H_CELL


def test_volume_average_of_a_linear_field_is_its_value_at_the_layer_mid_plane() -> None:
    lay, v, _ = layers(10e-6)
    z = v[:, :, 2].mean(axis=1)
    field = 3.0 + 2e5 * z  # linear in z: the volume average is the value at the layer's centroid height
    avg = lay.average(field)
    assert avg[0, 0] == pytest.approx(3.0 + 2e5 * (2 * H_CELL + 5e-6), rel=1e-12)
    assert avg[0, 1] == pytest.approx(3.0 + 2e5 * (14 * H_CELL - 5e-6), rel=1e-12)
    vector = lay.average(np.stack([field, -field], axis=1))
    assert vector.shape == (1, 2, 2)
    assert vector[0, 0, 1] == pytest.approx(-avg[0, 0], rel=1e-12)
    mask = lay.cell_mask()
    assert set(np.unique(mask)) == {0.0, 1.0, 2.0}


def test_joint_without_pads_is_refused() -> None:
    v, joint, vol = column(nx=2, nz_pad=1, nz_joint=2, h=H_CELL)
    flags = np.zeros(v.shape[:2], dtype=bool)  # no vertex on a joint/pad boundary
    with pytest.raises(ValueError, match="no horizontal interface"):
        InterfaceLayers(MPI.COMM_SELF, v, flags, joint, vol, 10e-6, [0])
