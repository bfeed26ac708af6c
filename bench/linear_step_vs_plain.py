"""Benchmark: one linear thermo-elastic step of the baseline model, flipstack against a plain dolfinx script.

For each mesh size (about 100k, 300k and 900k P2 degrees of freedom of the default baseline case: the
default mesh, a finer gmsh mesh, and the default mesh refined once uniformly by dolfinx, tags carried
over; the thin-layer size caps of the builder keep gmsh's mesh from growing like 1/h^3) and for 1 and 2
MPI ranks, this script starts one worker process per variant on the same gmsh mesh:

* ``flipstack``: :class:`solvers.thermoelastic.ThermoelasticProblem` set up and solved at the hot
  extreme of the cycle, as ``flipstack run`` does;
* ``plain``: what a user writes from the dolfinx demos: DG0 Lame fields and thermal strain filled with
  numpy, ``a = inner(sigma(u), eps(v)) dx``, ``L = inner(sigma(eps_th), eps(v)) dx``, the same
  constraints, assembled directly, CG + GAMG with the rigid-body near-nullspace and the smoother options
  of the dolfinx elasticity demo (rtol 1e-8).

Each worker prints JSON: set-up, assemble and solve seconds (best of ``--repeat``), CG iterations,
peak resident memory of the solve phase summed over ranks (``VmHWM`` after resetting it with
``/proc/self/clear_refs`` once the mesh is built, so gmsh's memory is not counted) and the displacement
norm. The parent prints per size: flipstack / plain time and memory ratios (targets 1.15 and 1.2),
MB per million dofs, the 2-rank speed-up (target 1.5 from 400k dofs up) and the growth of solve time
from the smallest to the largest size (target <= 12x for ~10x dofs). These machines are noisy: only
ratios measured by one run of this script mean something.

    .venv/bin/python bench/linear_step_vs_plain.py [--sizes 1:0,0.22:0,1:1] [--ranks 1,2] [--repeat 2]

A size is ``scale:refinements``: gmsh sizes of the default case times ``scale``, then uniform refinements.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _peak_reset() -> None:
    """Reset the kernel's peak-RSS counter of this process (Linux: write 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """Peak resident memory (VmHWM) of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1]) / 1024.0
    return float("nan")


def _refined(tagged: Any, times: int) -> Any:
    """``tagged`` refined uniformly ``times`` times, cell and facet tags carried to the children."""
    from fem_package.fenics import dolfinx
    from fem_package.tagged_mesh import TaggedMesh

    for _ in range(times):
        mesh = tagged.mesh
        mesh.topology.create_entities(1)
        mesh.topology.create_connectivity(2, 3)
        fine, parent_cell, parent_facet = dolfinx.mesh.refine(
            mesh, option=dolfinx.mesh.RefinementOption.parent_cell_and_facet
        )
        fine.topology.create_connectivity(2, 3)
        cells = dolfinx.mesh.transfer_meshtag(tagged.cell_tags, fine, parent_cell, parent_facet)
        facets = dolfinx.mesh.transfer_meshtag(tagged.facet_tags, fine, parent_cell, parent_facet)
        tagged = TaggedMesh(fine, cells, facets, tagged.description, tagged.stats)
    return tagged


def _case(scale: float) -> Any:
    from fem_package.case import DEFAULT_CASE, validate_case

    raw = copy.deepcopy(DEFAULT_CASE)
    raw["mesh"] = {"max_size": f"{1000 * scale:.1f} um", "joint_size": f"{80 * scale:.2f} um"}
    raw["output"] = {"picture": False}
    return validate_case(raw)


def _hot_temperature(case: Any) -> float:
    return max(p[1] for p in case.load.corner_points())


def flipstack_step(case: Any, tagged: Any, repeat: int) -> dict[str, Any]:
    """flipstack's problem: set-up once, then assemble + solve ``repeat`` times from scratch."""
    from fem_package.pipeline import region_materials
    from solvers.thermoelastic import ThermoelasticProblem

    t0 = time.perf_counter()
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    setup = time.perf_counter() - t0
    best: tuple[float, float] | None = None
    its = 0
    for _ in range(repeat):
        problem._moduli_key = None  # a fresh step: full assembly and a new preconditioner
        problem._last_temperature = None
        problem._first_iterations = None
        problem.u.x.array[:] = 0.0
        stats = problem.solve(_hot_temperature(case))
        pair = (stats.assemble_seconds, stats.solve_seconds)
        best = pair if best is None or sum(pair) < sum(best) else best
        its = stats.iterations
    assert best is not None
    return {"setup": setup, "assemble": best[0], "solve": best[1], "iterations": its, "u": problem.u, "V": problem.V}


def plain_step(case: Any, tagged: Any, repeat: int) -> dict[str, Any]:
    """The plain dolfinx script (written from the demos; flipstack only supplies mesh, materials, constraints)."""
    from fem_package.fenics import PETSc, dolfinx, ufl
    from fem_package.pipeline import region_materials
    from solvers.thermoelastic import dirichlet_conditions

    t0 = time.perf_counter()
    mesh = tagged.mesh
    temperature = _hot_temperature(case)
    V = dolfinx.fem.functionspace(mesh, ("Lagrange", 2, (3,)))
    Q = dolfinx.fem.functionspace(mesh, ("DG", 0))
    lmbda, mu = dolfinx.fem.Function(Q), dolfinx.fem.Function(Q)
    eps_th = dolfinx.fem.Function(dolfinx.fem.functionspace(mesh, ("DG", 0, (3,))))
    for region in region_materials(case, tagged):
        cells = tagged.cell_tags.find(region.tag)
        m = region.material
        e, nu = m["youngs_modulus"](temperature), m["poisson_ratio"](temperature)
        lmbda.x.array[cells] = e * nu / ((1 + nu) * (1 - 2 * nu))
        mu.x.array[cells] = e / (2 * (1 + nu))
        eps_th.x.array.reshape(-1, 3)[cells] = m.thermal_strain(temperature, region.stress_free_temperature)

    def sigma(e: Any) -> Any:
        return lmbda * ufl.tr(e) * ufl.Identity(3) + 2 * mu * e

    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    eps = ufl.sym(ufl.grad(v))
    a = dolfinx.fem.form(ufl.inner(sigma(ufl.sym(ufl.grad(u))), eps) * ufl.dx)
    L = dolfinx.fem.form(ufl.inner(sigma(ufl.diag(eps_th)), eps) * ufl.dx)
    bcs = dirichlet_conditions(V, tagged)
    uh = dolfinx.fem.Function(V)
    setup = time.perf_counter() - t0
    best: tuple[float, float] | None = None
    its = 0
    for _ in range(repeat):
        t1 = time.perf_counter()
        A = dolfinx.fem.petsc.assemble_matrix(a, bcs=bcs)
        A.assemble()
        b = dolfinx.fem.petsc.assemble_vector(L)
        dolfinx.fem.petsc.apply_lifting(b, [a], bcs=[bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(b, bcs)
        # rigid-body modes, as in the dolfinx elasticity demo
        x = V.tabulate_dof_coordinates()
        n = V.dofmap.index_map.size_local
        basis = [dolfinx.la.vector(V.dofmap.index_map, bs=3, dtype=PETSc.ScalarType) for _ in range(6)]
        arr = [bv.array.reshape(-1, 3)[:n] for bv in basis]
        for k in range(3):
            arr[k][:, k] = 1.0
        arr[3][:, 0], arr[3][:, 1] = -x[:n, 1], x[:n, 0]
        arr[4][:, 1], arr[4][:, 2] = -x[:n, 2], x[:n, 1]
        arr[5][:, 0], arr[5][:, 2] = x[:n, 2], -x[:n, 0]
        dolfinx.la.orthonormalize(basis)
        A.setNearNullSpace(PETSc.NullSpace().create([dolfinx.la.petsc.create_vector_wrap(bv) for bv in basis]))
        t2 = time.perf_counter()
        # the solver options of the dolfinx elasticity demo (demo_elasticity.py)
        opts = PETSc.Options()
        for key, value in DEMO_OPTIONS.items():
            opts.setValue(f"plain_{key}", value)
        ksp = PETSc.KSP().create(mesh.comm)
        ksp.setOptionsPrefix("plain_")
        ksp.setOperators(A)
        ksp.setFromOptions()
        uh.x.array[:] = 0.0
        ksp.solve(b, uh.x.petsc_vec)
        uh.x.scatter_forward()
        t3 = time.perf_counter()
        its = ksp.getIterationNumber()
        assert ksp.getConvergedReason() > 0, ksp.getConvergedReason()
        ksp.destroy()
        A.destroy()
        b.destroy()
        pair = (t2 - t1, t3 - t2)
        best = pair if best is None or sum(pair) < sum(best) else best
    assert best is not None
    return {"setup": setup, "assemble": best[0], "solve": best[1], "iterations": its, "u": uh, "V": V}


DEMO_OPTIONS = {
    "ksp_type": "cg",
    "ksp_rtol": 1e-8,
    "ksp_max_it": 1000,
    "pc_type": "gamg",
    "pc_gamg_coarse_eq_limit": 1000,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
}
"""The solver options of the dolfinx elasticity demo, as a user copies them."""


def worker(variant: str, scale: float, refinements: int, repeat: int) -> None:
    """One variant on one mesh size, on the ranks this process was started with; prints one JSON line."""
    from fem_package.fenics import MPI, dolfinx
    from geometries import mesh_geometry

    comm = MPI.COMM_WORLD
    case = _case(scale)
    t0 = time.perf_counter()
    tagged = _refined(mesh_geometry(case.geometry, case.mesh, comm), refinements)
    mesh_seconds = time.perf_counter() - t0
    comm.Barrier()
    _peak_reset()
    run = flipstack_step if variant == "flipstack" else plain_step
    out = run(case, tagged, repeat)
    peak = comm.allreduce(_peak_mb(), op=MPI.SUM)
    V = out.pop("V")
    u = out.pop("u")
    norm = float(np.sqrt(comm.allreduce(float(np.sum(u.x.array[: V.dofmap.index_map.size_local * 3] ** 2)))))
    dofs = V.dofmap.index_map.size_global * 3
    if comm.rank == 0:
        record = {"variant": variant, "scale": scale, "ranks": comm.size, "dofs": dofs, "mesh": mesh_seconds}
        print(json.dumps({**record, **out, "peak_mb": peak, "u_norm": norm}), flush=True)
    del dolfinx


def _launch(variant: str, size: str, ranks: int, repeat: int) -> dict[str, Any]:
    exe = Path(sys.executable)
    cmd = [str(exe), __file__, "--worker", variant, "--size", size, "--repeat", str(repeat)]
    if ranks > 1:
        cmd = [str(exe.with_name("mpiexec")), "-n", str(ranks), *cmd]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{variant} at size {size} on {ranks} rank(s) failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1:0,0.22:0,1:1", help="scale:refinements of the default mesh")
    parser.add_argument("--ranks", default="1,2", help="MPI rank counts")
    parser.add_argument("--repeat", type=int, default=2, help="timed assemble+solve repetitions (best kept)")
    parser.add_argument("--worker", choices=("flipstack", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        scale, refinements = args.size.split(":")
        worker(args.worker, float(scale), int(refinements), args.repeat)
        return
    results: list[dict[str, Any]] = []
    columns = ("dofs", "ranks", "variant", "assemble", "solve", "its", "peak MB", "MB/Mdof")
    print(" ".join(f"{c:>{w}}" for c, w in zip(columns, (9, 5, 9, 9, 8, 4, 8, 8), strict=True)))
    for size in args.sizes.split(","):
        for ranks in (int(r) for r in args.ranks.split(",")):
            for variant in ("plain", "flipstack"):
                r = _launch(variant, size, ranks, args.repeat)
                r["scale"] = size
                results.append(r)
                print(
                    f"{r['dofs']:9d} {ranks:5d} {variant:>9} {r['assemble']:9.2f} {r['solve']:8.2f} "
                    f"{r['iterations']:4d} {r['peak_mb']:8.0f} {r['peak_mb'] / (r['dofs'] / 1e6):8.0f}",
                    flush=True,
                )
    print("\nratios (flipstack / plain; targets: time <= 1.15, memory <= 1.2):")
    key = {(r["scale"], r["ranks"], r["variant"]): r for r in results}
    for (scale, ranks, variant), fs in key.items():
        if variant != "flipstack":
            continue
        pl = key[(scale, ranks, "plain")]
        t_fs, t_pl = fs["assemble"] + fs["solve"], pl["assemble"] + pl["solve"]
        agree = abs(fs["u_norm"] - pl["u_norm"]) / pl["u_norm"]
        print(
            f"  {fs['dofs']:9d} dofs, {ranks} rank(s): time {t_fs / t_pl:.3f} ({t_fs:.1f} s vs {t_pl:.1f} s), "
            f"memory {fs['peak_mb'] / pl['peak_mb']:.3f}, |u| differs by {agree:.1e}"
        )
    ranks_list = sorted({r["ranks"] for r in results})
    if len(ranks_list) > 1:
        print(f"speed-up of flipstack, {ranks_list[-1]} ranks vs 1 (target >= 1.5 from 400k dofs):")
        for scale in sorted({r["scale"] for r in results}, reverse=True):
            one, many = key[(scale, 1, "flipstack")], key[(scale, ranks_list[-1], "flipstack")]
            t1, tn = one["assemble"] + one["solve"], many["assemble"] + many["solve"]
            print(f"  {one['dofs']:9d} dofs: {t1 / tn:.2f}x ({t1:.1f} s -> {tn:.1f} s)")
    fs1 = sorted((r for r in results if r["variant"] == "flipstack" and r["ranks"] == 1), key=lambda r: r["dofs"])
    if len(fs1) > 1:
        small, large = fs1[0], fs1[-1]
        growth = (large["assemble"] + large["solve"]) / (small["assemble"] + small["solve"])
        print(
            f"growth, 1 rank: {large['dofs'] / small['dofs']:.1f}x dofs -> {growth:.1f}x assemble+solve time "
            "(target <= 12x for ~10x dofs)"
        )


if __name__ == "__main__":
    main()
