"""The one place that imports the FEniCSx stack.

``dolfinx_solver`` must be imported before ``dolfinx`` and ``petsc4py`` so that every
binding shares one MPI library (see the wheel's documentation). Every other module
takes ``dolfinx``, ``PETSc``, ``MPI`` and ``ufl`` from here.
"""

import dolfinx_solver  # noqa: F401  (loads mpi4py's MPI ahead of the compiled bindings)

import dolfinx  # noqa: E402
import dolfinx.fem  # noqa: E402
import dolfinx.fem.petsc  # noqa: E402
import dolfinx.io  # noqa: E402
import dolfinx.io.gmsh  # noqa: E402
import dolfinx.la  # noqa: E402
import dolfinx.la.petsc  # noqa: E402
import dolfinx.mesh  # noqa: E402
import ufl  # noqa: E402
from mpi4py import MPI  # noqa: E402
from petsc4py import PETSc  # noqa: E402

__all__ = ["MPI", "PETSc", "dolfinx", "ufl"]
