"""Versions of flipstack and of the libraries behind a result (printed by --version, stored in summary.json)."""

from __future__ import annotations

import platform

from fem_package import __version__


def versions() -> dict[str, str]:
    """flipstack, Python, dolfinx, PETSc, gmsh, MPI library, numpy."""
    import gmsh
    import numpy

    from fem_package.fenics import MPI, PETSc, dolfinx

    petsc = ".".join(str(p) for p in PETSc.Sys.getVersion())
    mpi = MPI.Get_library_version().strip().splitlines()[0].strip()
    return {
        "flipstack": __version__,
        "python": platform.python_version(),
        "dolfinx": dolfinx.__version__,
        "petsc": petsc,
        "gmsh": gmsh.__version__,
        "mpi": mpi,
        "numpy": numpy.__version__,
    }
