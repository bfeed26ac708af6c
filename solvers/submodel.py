"""Global-local submodelling: the displacement of a global model prescribed on a submodel's cut faces.

A submodel is a finer model of a small part of a larger (global) structure, drawn in the
global model's coordinates. Where the submodel was cut out of the structure (its
``submodel_cut`` faces) the global displacement is imposed as a Dirichlet condition,

    u_local = I_h u_global   on the cut faces,

where I_h interpolates the global solution into the local finite-element space: every
local degree of freedom on the cut faces takes the value of the global field at its
point (non-matching meshes; dolfinx ``Function.interpolate_nonmatching``). Free surfaces
of the submodel keep their natural (traction-free) condition, so the submodel needs no
symmetry planes or point supports. This is the "cut-boundary displacement" method of
commercial codes (Abaqus submodelling, ANSYS cut-boundary interpolation); it is exact
when the global solution is exact and carries the global discretization error on the
cut faces into the submodel otherwise, so the cut faces belong where the global model
is converged (away from the details the submodel resolves).

Both meshes may be distributed differently over the same communicator: the points are
located on whichever rank owns the global cell containing them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fem_package.case.errors import CaseError
from fem_package.fenics import MPI, dolfinx

CUT_BOUNDARY = "submodel_cut"
"""Name of the facet physical group on which a submodel takes the global displacement."""

RELATIVE_TOLERANCE = 1e-6
"""Default distance, relative to the global mesh's bounding-box diagonal, at which a point still counts as inside."""


class SubmodelError(CaseError):
    """The submodel does not fit the global model (a geometry input problem)."""


def _corners(comm: Any, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper corners of the bounding box of ``points`` (n, 3) over all ranks."""
    lo = points.min(axis=0) if len(points) else np.full(3, np.inf)
    hi = points.max(axis=0) if len(points) else np.full(3, -np.inf)
    lo_all, hi_all = np.empty(3), np.empty(3)
    comm.Allreduce(np.ascontiguousarray(lo, dtype=float), lo_all, op=MPI.MIN)
    comm.Allreduce(np.ascontiguousarray(hi, dtype=float), hi_all, op=MPI.MAX)
    return lo_all, hi_all


def _bounding_box(mesh: Any) -> tuple[np.ndarray, np.ndarray]:
    """Global (all ranks) lower and upper corners of a mesh's geometry."""
    return _corners(mesh.comm, mesh.geometry.x)


class SubmodelBoundary:
    """Dirichlet condition on a submodel's cut facets whose values follow a global displacement field.

    Args:
        V: vector function space of the submodel displacement.
        facets: local indices of the cut facets on this rank (``facet_tags.find(tag)``).
        u_global: displacement ``Function`` of the global model (another mesh, same communicator).
        tolerance: distance in m up to which a point outside the global mesh is still taken
            (its value is extrapolated from the nearest global cell). Default
            ``RELATIVE_TOLERANCE`` times the global mesh's bounding-box diagonal, enough for
            round-off on shared surfaces; raise it when the two meshes discretize a curved
            cut surface differently.

    Raises:
        SubmodelError: no cut facets at all, or points of the cut cells lie outside the
            global mesh by more than ``tolerance`` (the message gives how many and where).

    Call :meth:`update` after each global solve; ``bc`` is the ``DirichletBC`` to hand to
    the submodel problem. Its degrees of freedom never change, only their values.
    """

    def __init__(self, V: Any, facets: np.ndarray, u_global: Any, tolerance: float | None = None):
        mesh = V.mesh
        comm = mesh.comm
        tdim = mesh.topology.dim
        facets = np.asarray(facets, dtype=np.int32)
        if comm.allreduce(len(facets)) == 0:
            raise SubmodelError(f"the submodel has no '{CUT_BOUNDARY}' facets: nothing to take the global field on")
        mesh.topology.create_connectivity(tdim - 1, tdim)
        # Interpolate on every (owned or ghost) cell touching a cut facet: their points cover
        # all cut-face dofs this rank holds, so no dof is left to a neighbour.
        self.cells = dolfinx.mesh.compute_incident_entities(mesh.topology, facets, tdim - 1, tdim)
        if tolerance is None:
            lo, hi = _bounding_box(u_global.function_space.mesh)
            tolerance = RELATIVE_TOLERANCE * float(np.linalg.norm(hi - lo))
        self.tolerance = tolerance
        self.u_global = u_global
        self.values = dolfinx.fem.Function(V, name="submodel_boundary_displacement")
        self.data = dolfinx.fem.create_interpolation_data(V, u_global.function_space, self.cells, padding=tolerance)
        self._check_inside(V)
        dofs = dolfinx.fem.locate_dofs_topological(V, tdim - 1, facets)
        self.bc = dolfinx.fem.dirichletbc(self.values, dofs)
        self.num_dofs = comm.allreduce(int(np.sum(dofs < V.dofmap.index_map.size_local)))
        """Global number of constrained nodes (each with all displacement components)."""

    def _check_inside(self, V: Any) -> None:
        """Raise on every rank when interpolation points of the cut cells found no global cell."""
        comm = V.mesh.comm
        missing = np.flatnonzero(np.asarray(self.data.src_owner) < 0)
        n_missing = comm.allreduce(len(missing))
        if n_missing == 0:
            return
        points = np.unique(np.round(self._point_coordinates(V, missing), 12), axis=0)
        lo, hi = _corners(comm, points)
        examples = [p for ps in comm.allgather(points[:3]) for p in ps][:3]
        n_total = comm.allreduce(len(self.data.src_owner))
        glo, ghi = _bounding_box(self.u_global.function_space.mesh)

        def um(p: np.ndarray) -> str:
            return "(" + ", ".join(f"{round(v * 1e6, 3) + 0.0:.6g}" for v in p) + ") um"

        raise SubmodelError(
            f"submodel: {n_missing} of the {n_total} nodes of the cells on the '{CUT_BOUNDARY}' faces (counted once "
            f"per cell) lie outside the global mesh by more than {self.tolerance:.3g} m; they span {um(lo)} to "
            f"{um(hi)}, e.g. "
            f"{', '.join(um(p) for p in examples)}; the global mesh spans {um(glo)} to {um(ghi)}. "
            "The submodel must lie inside the global model in the same coordinates"
        )

    def _point_coordinates(self, V: Any, indices: np.ndarray) -> np.ndarray:
        """Physical coordinates of interpolation points (indices into the cells x reference points order)."""
        mesh = V.mesh
        X = V.element.interpolation_points
        cmap = mesh.geometry.cmaps[0]
        dofmap = mesh.geometry.dofmaps[0]
        out = np.zeros((len(indices), 3))
        for k, i in enumerate(indices):
            cell, point = divmod(int(i), X.shape[0])
            out[k] = cmap.push_forward(X[point : point + 1], mesh.geometry.x[dofmap[self.cells[cell]]])[0]
        return out

    def update(self) -> None:
        """Interpolate the current global displacement into the condition's values (collective)."""
        self.values.interpolate_nonmatching(self.u_global, self.cells, self.data)
        self.values.x.scatter_forward()
