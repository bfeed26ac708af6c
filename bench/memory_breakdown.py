"""Benchmark: where the memory of one thermo-elastic P2 step goes (the gap to CalculiX's iterative solver).

Prints the resident memory (VmRSS / VmHWM of this process) after each stage of a flipstack solve of
the mesh ``bench/calculix_peer.py`` compares (the default model at its hot load step): importing
dolfinx/PETSc, importing flipstack, meshing, setting up the problem, and assembly + GAMG + CG. Then
the elasticity matrix (nonzeros per row, AIJ bytes) and every GAMG level and prolongator, and the
per-million-dof figures to set against ccx's total (``calculix_peer.py`` prints ccx's peak).

    .venv/bin/python bench/memory_breakdown.py [--scale 1.0]     (or under mpiexec; rank 0 prints)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

AIJ_BYTES_PER_NONZERO = 12  # 8-byte value + 4-byte column index (PETSc AIJ, 32-bit indices)


def resident_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = float(rest.split()[0]) / 1024.0
    return values["VmRSS"], values["VmHWM"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="mesh size factor of the default case")
    args = parser.parse_args()
    marks = [("start", *resident_mb())]
    from fem_package.fenics import MPI

    marks.append(("import dolfinx/PETSc", *resident_mb()))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.calculix_peer import hot_case
    from fem_package.pipeline import region_materials
    from geometries import mesh_geometry
    from solvers.thermoelastic import ThermoelasticProblem

    marks.append(("import flipstack", *resident_mb()))
    case = hot_case(args.scale)
    comm = MPI.COMM_WORLD
    tagged = mesh_geometry(case.geometry, case.mesh, comm)
    marks.append(("mesh", *resident_mb()))
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    marks.append(("problem set-up", *resident_mb()))
    problem.solve(case.load.steps()[-1].temperature)
    marks.append(("assemble + GAMG + CG", *resident_mb()))

    a = problem.A
    nnz = comm.allreduce(a.getInfo()["nz_used"], op=MPI.SUM)
    pc = problem.ksp.getPC()
    levels = []
    for level in range(pc.getMGLevels()):
        op, _ = pc.getMGSmoother(level).getOperators()
        levels.append((f"level {level} operator", op.getSize()[0], op.getInfo(3)["nz_used"]))
        if level > 0:
            p = pc.getMGInterpolation(level)
            levels.append((f"level {level} prolongator", p.getSize()[0], p.getInfo(3)["nz_used"]))
    peak = comm.allreduce(marks[-1][2], op=MPI.SUM)
    dofs = problem.num_dofs
    if comm.rank == 0:
        print(f"{dofs} dofs, {comm.size} rank(s), {problem.ksp.getIterationNumber()} CG iterations")
        for name, rss, hwm in marks:
            print(f"  {name:22s} rss {rss:8.1f} MB   peak {hwm:8.1f} MB (rank 0)")
        matrix_mb = nnz * AIJ_BYTES_PER_NONZERO / 2**20
        per_mdof = matrix_mb / dofs * 1e6 / 1024
        print(f"  matrix: {nnz / dofs:.1f} nonzeros per row, {matrix_mb:.0f} MB AIJ = {per_mdof:.2f} GB/Mdof")
        for name, rows, nz in levels:
            print(f"  {name:26s} {rows:9d} rows {nz:12.0f} nonzeros ({nz * AIJ_BYTES_PER_NONZERO / 2**20:.0f} MB)")
        grown = marks[-1][2] - marks[-2][1]
        print(
            f"  solve stage grew {grown:.0f} MB on rank 0 = {grown / dofs * comm.size * 1e6 / 1024:.2f} GB/Mdof; "
            f"peak of all ranks {peak:.0f} MB = {peak / dofs * 1e6 / 1024:.2f} GB/Mdof"
        )


if __name__ == "__main__":
    main()
