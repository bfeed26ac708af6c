"""Linear solvers of the symmetric saddle-point systems [[A, B^T], [B, -C]] of the mixed u-p formulations.

Shared by the elastic (:mod:`solvers.mixed_thermoelastic`) and the inelastic
(:mod:`solvers.inelastic.mixed_problem`) mixed problems; ``[solver] mixed_linear_solver`` picks:

- ``fieldsplit``: right-preconditioned GMRES with a Schur-complement field split (PETSc
  PCFIELDSPLIT, lower factorization: one GAMG V-cycle with the rigid-body near-nullspace on A;
  the Schur complement S = -C - B A^-1 B^T replaced by -integral (chi / mu + 1 / K) p q dx, the
  pressure mass matrix weighted cell by cell, spectrally equivalent to S (Elman, Silvester &
  Wathen, "Finite Elements and Fast Iterative Solvers", 2nd ed., 2014, ch. 4), with Jacobi on it;
  the caller assembles that preconditioning matrix P = [[A, B^T], [B, S_approx]]);
- ``direct``: a MUMPS LU factorization of the whole matrix;
- ``auto``: direct up to :data:`DIRECT_MAX_DOFS` unknowns, where it measured faster, iterative
  above, where the factorization's memory grows too fast (bench/mixed_formulation.py).
"""

from __future__ import annotations

import itertools
from typing import Any

from fem_package.case.solver import SolverSettings
from fem_package.fenics import PETSc
from solvers.linear_solver import rigid_body_modes

FIELDSPLIT_OPTIONS: dict[str, Any] = {
    "ksp_type": "gmres",
    "ksp_gmres_restart": 200,
    # The true residual: with left preconditioning the preconditioned residual reached 1e-10 with the mean
    # stress still 3 % off in a confined block (u and p rows differ in scale: A ~ mu h, B ~ h^2, C ~ h^3 / K).
    "ksp_pc_side": "right",
    "ksp_norm_type": "unpreconditioned",
    "pc_type": "fieldsplit",
    "pc_fieldsplit_type": "schur",
    "pc_fieldsplit_schur_fact_type": "lower",
    "pc_fieldsplit_schur_precondition": "a11",
    "fieldsplit_u_ksp_type": "preonly",
    "fieldsplit_u_pc_type": "gamg",
    "fieldsplit_u_pc_gamg_coarse_eq_limit": 1000,
    "fieldsplit_u_mg_levels_ksp_type": "chebyshev",
    "fieldsplit_u_mg_levels_pc_type": "jacobi",
    "fieldsplit_u_mg_levels_esteig_ksp_type": "cg",
    "fieldsplit_u_mg_levels_ksp_chebyshev_esteig_steps": 20,
    "fieldsplit_p_ksp_type": "preonly",
    "fieldsplit_p_pc_type": "jacobi",
}
"""PETSc options of the block-preconditioned Krylov solver; ``[solver] petsc_options`` override them."""

DIRECT_MAX_DOFS = 250_000
"""``mixed_linear_solver = "auto"``: factorize up to this many unknowns, iterate above (bench/mixed_formulation.py)."""

DIRECT_OPTIONS: dict[str, Any] = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
"""PETSc options of the direct solver (MUMPS LU of the whole saddle-point matrix)."""

_COUNT = itertools.count(1)  # numbers the PETSc options prefixes


def mixed_num_dofs(V: Any, Q: Any) -> int:
    """Global number of unknowns of a mixed problem: displacement (blocked) and pressure."""
    vmap, qmap = V.dofmap.index_map, Q.dofmap.index_map
    return int(vmap.size_global * V.dofmap.index_map_bs + qmap.size_global)


def pressure_cell_count(chi: Any, num_owned_cells: int, comm: Any) -> int:
    """Global number of cells whose mean stress is the pressure field (chi = 1 on the owned cells)."""
    return int(comm.allreduce(int(chi.x.array[:num_owned_cells].sum())))


def solver_kind(setting: str, num_dofs: int) -> str:
    """'fieldsplit' or 'direct' for ``[solver] mixed_linear_solver`` (auto: by the number of unknowns)."""
    if setting == "auto":
        return "direct" if num_dofs <= DIRECT_MAX_DOFS else "fieldsplit"
    return setting


def field_index_sets(V: Any, Q: Any) -> tuple[Any, Any]:
    """Global rows of u (on ``V``) and of p (on ``Q``) owned by this rank in the block matrix (u block first)."""
    vmap, bs = V.dofmap.index_map, V.dofmap.index_map_bs
    qmap = Q.dofmap.index_map
    offset_u = vmap.local_range[0] * bs + qmap.local_range[0]
    offset_p = offset_u + vmap.size_local * bs
    comm = V.mesh.comm  # parallel index sets: PCFIELDSPLIT extracts distributed sub-matrices
    is_u = PETSc.IS().createStride(vmap.size_local * bs, offset_u, 1, comm=comm)
    is_p = PETSc.IS().createStride(qmap.size_local, offset_p, 1, comm=comm)
    return is_u, is_p


def mixed_ksp(kind: str, A: Any, P: Any, V: Any, Q: Any, settings: SolverSettings, name: str = "mixed") -> Any:
    """KSP for the block system with matrix ``A`` (and preconditioning matrix ``P`` for ``fieldsplit``).

    The options stay in PETSc's database under a prefix of this solver's own: the split's inner
    solvers and the multigrid levels read them only when they are set up.
    """
    prefix = f"{name}{next(_COUNT)}_{kind}_"
    defaults = FIELDSPLIT_OPTIONS if kind == "fieldsplit" else DIRECT_OPTIONS
    options = {
        **defaults,
        "ksp_rtol": settings.rtol,
        "ksp_max_it": settings.max_iterations,
        **dict(settings.petsc_options),
    }
    ksp = PETSc.KSP().create(V.mesh.comm)
    ksp.setOptionsPrefix(prefix)
    if kind == "fieldsplit":
        ksp.setOperators(A, P)
        is_u, is_p = field_index_sets(V, Q)
        is_u.compose("nearnullspace", rigid_body_modes(V))  # picked up by PCFIELDSPLIT for GAMG
        ksp.getPC().setType("fieldsplit")
        ksp.getPC().setFieldSplitIS(("u", is_u), ("p", is_p))
    else:
        ksp.setOperators(A)
    opts = PETSc.Options()
    for key, value in options.items():
        opts.setValue(f"{prefix}{key}", value)
    ksp.setFromOptions()
    return ksp
