"""Krylov solver for 3-D elasticity: CG preconditioned by smoothed-aggregation AMG (GAMG).

GAMG needs the six rigid-body modes as the near-nullspace to build good coarse spaces
for vector elasticity (Adams 2004, "Algebraic multigrid methods for constrained linear
systems with applications to contact problems in solid mechanics"; PETSc PCGAMG manual).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from fem_package.fenics import PETSc, dolfinx

DEFAULT_OPTIONS: dict[str, Any] = {
    "ksp_type": "cg",
    "pc_type": "gamg",
    "pc_gamg_coarse_eq_limit": 1000,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
    "mg_levels_ksp_chebyshev_esteig_steps": 20,
    "ksp_norm_type": "unpreconditioned",
}
"""PETSc options of the elasticity solver; the case's ``[solver] petsc_options`` override them."""


def rigid_body_modes(V: Any) -> Any:
    """The six rigid-body displacement fields of a blocked vector space as a PETSc ``NullSpace``.

    Translations e_x, e_y, e_z and rotations (-y, x, 0), (0, -z, y), (z, 0, -x),
    orthonormalized; evaluated at the dof coordinates (one row per node).
    """
    index_map = V.dofmap.index_map
    bs = V.dofmap.index_map_bs
    modes = [dolfinx.la.vector(index_map, bs=bs, dtype=PETSc.ScalarType) for _ in range(6)]
    x = V.tabulate_dof_coordinates()
    n = index_map.size_local
    arrays = [m.array.reshape(-1, bs)[:n] for m in modes]
    for k in range(3):
        arrays[k][:, k] = 1.0
    x0, x1, x2 = x[:n, 0], x[:n, 1], x[:n, 2]
    arrays[3][:, 0], arrays[3][:, 1] = -x1, x0
    arrays[4][:, 1], arrays[4][:, 2] = -x2, x1
    arrays[5][:, 0], arrays[5][:, 2] = x2, -x0
    dolfinx.la.orthonormalize(modes)
    vectors = [dolfinx.la.petsc.create_vector_wrap(m) for m in modes]
    return PETSc.NullSpace().create(vectors=vectors, comm=V.mesh.comm)


_KSP_COUNT = itertools.count()


def configured_ksp(A: Any, comm: Any, prefix: str, options: dict[str, Any]) -> Any:
    """A KSP for ``A`` configured from ``options`` (PETSc option names without prefix).

    The options go under ``prefix`` plus a number of this solver's own and stay in PETSc's
    options database: the multigrid level smoothers (``mg_levels_*``) read them only when the
    preconditioner is set up at the first solve, so deleting them after ``setFromOptions``
    would silently drop them; the numbered prefix keeps solvers of different cases in one
    process apart.
    """
    opts = PETSc.Options()
    own = f"{prefix}{next(_KSP_COUNT)}_"
    for key, value in options.items():
        opts.setValue(f"{own}{key}", value)
    ksp = PETSc.KSP().create(comm)
    ksp.setOptionsPrefix(own)
    ksp.setOperators(A)
    ksp.setFromOptions()
    return ksp


def make_ksp(A: Any, V: Any, prefix: str, rtol: float, max_it: int, overrides: dict[str, Any]) -> Any:
    """A configured KSP (CG + GAMG with the rigid-body near-nullspace) for the elasticity matrix ``A`` on ``V``."""
    A.setNearNullSpace(rigid_body_modes(V))
    options = {**DEFAULT_OPTIONS, "ksp_rtol": rtol, "ksp_max_it": max_it, **overrides}
    return configured_ksp(A, V.mesh.comm, prefix, options)


def converged_reason(ksp: Any) -> str:
    """Name of the KSP converged/diverged reason (e.g. 'CONVERGED_RTOL')."""
    reason = ksp.getConvergedReason()
    names = {v: k for k, v in vars(PETSc.KSP.ConvergedReason).items() if isinstance(v, int)}
    return names.get(reason, str(reason))


def as_array(values: Any) -> np.ndarray:
    """A numpy array of a PETSc vector's local values (copy)."""
    return np.array(values.getArray(readonly=True))
