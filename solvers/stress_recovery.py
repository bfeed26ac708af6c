"""Cell-wise stress and strain of a solved step, as DG0 fields.

For affine tetrahedra and displacement of degree <= 2 the strain is at most linear in a
cell and the cell properties are constant, so the value at the cell midpoint equals the
cell average of stress and strain exactly. von Mises stress:

    sigma_vm = sqrt(3/2 s : s),   s = sigma - tr(sigma)/3 I.

Transverse engineering shear strain of an interconnect (axis z), the Engelmaier-type
fatigue driver: gamma = (2 eps_xz, 2 eps_yz) of the mechanical strain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fem_package.fenics import MPI, dolfinx, ufl
from solvers.mechanics_problem import MechanicsProblem


@dataclass
class StepFields:
    """DG0 results of one step on the owned cells (numpy, SI)."""

    stress: np.ndarray  # (n, 3, 3) Pa
    von_mises: np.ndarray  # (n,) Pa
    shear_strain: np.ndarray  # (n, 2) engineering gamma_xz, gamma_yz
    displacement_max: float  # m, largest displacement magnitude over the nodes (global)
    mechanical_strain: np.ndarray | None = None  # (n, 3, 3) eps(u) - eps_th (elastic + inelastic)


class StressRecovery:
    """Compiled expressions that evaluate stress, von Mises and strain per cell."""

    def __init__(self, problem: MechanicsProblem):
        self.problem = problem
        mesh = problem.mesh
        self.T = dolfinx.fem.functionspace(mesh, ("DG", 0, (3, 3)))
        self.Q = dolfinx.fem.functionspace(mesh, ("DG", 0))
        self.Q2 = dolfinx.fem.functionspace(mesh, ("DG", 0, (2,)))
        self.stress = dolfinx.fem.Function(self.T, name="stress_Pa")
        self.von_mises = dolfinx.fem.Function(self.Q, name="von_mises_Pa")
        self.shear = dolfinx.fem.Function(self.Q2, name="shear_strain")
        self.strain = dolfinx.fem.Function(self.T, name="mechanical_strain")
        sigma = problem.stress()
        s = ufl.dev(sigma)
        eps = problem.mechanical_strain()
        points = self.T.element.interpolation_points
        self._stress_expr = dolfinx.fem.Expression(sigma, points)
        self._vm_expr = dolfinx.fem.Expression(ufl.sqrt(1.5 * ufl.inner(s, s)), points)
        self._strain_expr = dolfinx.fem.Expression(eps, points)

    def evaluate(self) -> StepFields:
        """Interpolate the current solution's fields; return the owned-cell values."""
        self.stress.interpolate(self._stress_expr)
        self.von_mises.interpolate(self._vm_expr)
        self.strain.interpolate(self._strain_expr)
        # engineering shear gamma_xz, gamma_yz = 2 eps_xz, 2 eps_yz of the strain just evaluated (ghosts included)
        self.shear.x.array.reshape(-1, 2)[:] = 2.0 * self.strain.x.array.reshape(-1, 3, 3)[:, :2, 2]
        n = self.problem.num_owned_cells
        u = self.problem.u.x.array.reshape(-1, 3)
        nodes = self.problem.V.dofmap.index_map.size_local
        local_max = float(np.sqrt((u[:nodes] ** 2).sum(axis=1)).max()) if nodes else 0.0
        umax = self.problem.mesh.comm.allreduce(local_max, op=MPI.MAX)
        return StepFields(
            stress=self.stress.x.array.reshape(-1, 3, 3)[:n].copy(),
            von_mises=self.von_mises.x.array[:n].copy(),
            shear_strain=self.shear.x.array.reshape(-1, 2)[:n].copy(),
            displacement_max=umax,
            mechanical_strain=self.strain.x.array.reshape(-1, 3, 3)[:n].copy(),
        )
