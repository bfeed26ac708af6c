"""The one place that imports the FEniCSx stack.

``dolfinx_solver`` must be imported before ``dolfinx`` and ``petsc4py`` so that every
binding shares one MPI library (see the wheel's documentation). Every other module
takes ``dolfinx``, ``PETSc``, ``MPI`` and ``ufl`` from here.
"""

import dolfinx_solver  # noqa: F401  (loads mpi4py's MPI ahead of the compiled bindings)

# isort: split
import dolfinx
import dolfinx.fem
import dolfinx.fem.petsc
import dolfinx.io
import dolfinx.io.gmsh
import dolfinx.la
import dolfinx.la.petsc
import dolfinx.mesh
import ufl
from mpi4py import MPI
from petsc4py import PETSc

__all__ = ["MPI", "PETSc", "dolfinx", "ufl"]

# Solvers keep their options in PETSc's database for their lifetime (see solvers.linear_solver);
# a solver set up but never used would otherwise be reported as "Option left" at exit.
PETSc.Options().setValue("options_left", "0")
