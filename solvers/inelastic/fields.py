"""Cell-wise results of a converged inelastic step, as DG0 fields (the layout of :mod:`solvers.stress_recovery`).

Each cell value is the volume average of the quadrature-point values,
f_c = sum_q w_q |J_q| f_q / sum_q w_q |J_q| (exact cell average of a field linear in the cell,
as the elastic P2 stress is). von Mises stress sqrt(3/2 s : s) of the cell-average stress;
transverse engineering shear strain (2 eps_xz, 2 eps_yz) of the mechanical strain eps(u) - eps_th
(which includes the inelastic strain); accumulated equivalent inelastic strain
p = sum sqrt(2/3 d eps_in : d eps_in) and dissipated energy density W = sum sigma : d eps_in.
"""

from __future__ import annotations

import numpy as np

from fem_package.fenics import MPI, dolfinx
from solvers.constitutive.base import SQRT2, from_mandel, von_mises
from solvers.inelastic.problem import InelasticProblem
from solvers.stress_recovery import StepFields


class InelasticFields:
    """DG0 functions of the output fields, filled from the material points of an :class:`InelasticProblem`."""

    def __init__(self, problem: InelasticProblem):
        self.problem = problem
        mesh = problem.mesh
        self.Q = dolfinx.fem.functionspace(mesh, ("DG", 0))
        T = dolfinx.fem.functionspace(mesh, ("DG", 0, (3, 3)))
        Q2 = dolfinx.fem.functionspace(mesh, ("DG", 0, (2,)))
        self.stress = dolfinx.fem.Function(T, name="stress_Pa")
        self.von_mises = dolfinx.fem.Function(self.Q, name="von_mises_Pa")
        self.shear = dolfinx.fem.Function(Q2, name="shear_strain")
        self.inelastic_strain = dolfinx.fem.Function(self.Q, name="equivalent_inelastic_strain")
        self.energy = dolfinx.fem.Function(self.Q, name="inelastic_energy_density_J_m3")

    @property
    def functions(self) -> list[dolfinx.fem.Function]:
        """The cell fields written per step."""
        return [self.stress, self.von_mises, self.shear, self.inelastic_strain, self.energy]

    def _set(self, f: dolfinx.fem.Function, values: np.ndarray) -> None:
        n = self.problem.num_owned_cells
        bs = f.function_space.dofmap.index_map_bs
        f.x.array[: n * bs] = values.ravel()
        f.x.scatter_forward()

    def evaluate(self) -> StepFields:
        """Fill the fields from the last converged state; return the owned-cell values for the metrics."""
        p = self.problem
        pts = p.points
        stress = pts.cell_average(pts.stress)
        mech = pts.cell_average(pts.mechanical_strain)
        vm = von_mises(stress)
        shear = np.stack([SQRT2 * mech[:, 4], SQRT2 * mech[:, 3]], axis=1)
        self._set(self.stress, from_mandel(stress).reshape(-1, 9))
        self._set(self.von_mises, vm)
        self._set(self.shear, shear)
        self._set(self.inelastic_strain, pts.cell_average(pts.committed.equivalent_inelastic_strain))
        self._set(self.energy, pts.cell_average(pts.committed.dissipation))
        u = p.u.x.array.reshape(-1, 3)
        nodes = p.V.dofmap.index_map.size_local
        local_max = float(np.sqrt((u[:nodes] ** 2).sum(axis=1)).max()) if nodes else 0.0
        return StepFields(
            stress=from_mandel(stress),
            von_mises=vm,
            shear_strain=shear,
            displacement_max=p.mesh.comm.allreduce(local_max, op=MPI.MAX),
            mechanical_strain=from_mandel(mech),
        )
