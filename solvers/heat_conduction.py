"""Transient heat conduction in the package: P1 Lagrange in space, backward Euler in time.

Find T in V (scalar P1) with T = T_D on the fixed-temperature boundaries such that

    rho c dT/dt = div(k grad T) + q                  in Omega,
    -k dT/dn   = h_b (T - T_amb(t))                  on each convection boundary b,
    -k dT/dn   = 0                                   on symmetry planes and all other faces.

Backward (implicit) Euler from t_n to t_{n+1} = t_n + dt (first order, unconditionally stable,
no overshoot after a step change of the power), weak form for all v in V_0:

    (rho c (T - T_n) / dt, v) + (k grad T, grad v) + sum_b (h_b (T - T_amb), v)_b = (q, v),

with T_amb and q at t_{n+1}. k, rho and c are DG0 fields: each cell's material value at its
average temperature of the previous step (a linearisation that keeps every step linear; with
1/dt = 0 :meth:`HeatConduction.steady` iterates it to convergence). The power q is
P_role / V_role in the cells of each role. The symmetric positive definite system is solved
by CG with smoothed-aggregation AMG (PETSc GAMG).

Heat balance of a step (W, of the modelled part): power in (q, 1) = stored (rho c (T - T_n)/dt, 1)
+ convected sum_b (h_b (T - T_amb), 1)_b + through the fixed-temperature faces (the rest).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fem_package.case.thermal import EXTERIOR
from fem_package.fenics import MPI, PETSc, dolfinx, ufl
from fem_package.tagged_mesh import TaggedMesh
from solvers.linear_solver import configured_ksp, converged_reason
from solvers.material_fields import CellProperties, RegionMaterial

DEFAULT_OPTIONS: dict[str, Any] = {
    "ksp_type": "cg",
    "pc_type": "gamg",
    "pc_gamg_coarse_eq_limit": 1000,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
    "ksp_norm_type": "unpreconditioned",
}


@dataclass(frozen=True)
class ThermalConditions:
    """Boundary conditions by boundary name: convection coefficient h (W/(m^2 K)) or fixed temperature (K)."""

    convection: dict[str, float] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """All boundary names used."""
        return [*self.convection, *self.fixed]


@dataclass
class HeatStepStats:
    """One backward-Euler step (or a steady solve, dt = inf): heat balance in W of the modelled part."""

    time: float
    dt: float
    iterations: int
    power_in: float
    stored: float
    convected: float

    @property
    def through_fixed(self) -> float:
        """Heat leaving through the fixed-temperature faces (W): the rest of the balance."""
        return self.power_in - self.stored - self.convected


def boundary_facets(tagged: TaggedMesh, names: list[str]) -> dict[str, np.ndarray]:
    """Local facet indices of each named boundary; ``exterior`` = the outer faces nobody else claims.

    ``exterior`` is every exterior facet minus the symmetry-plane facets and minus the facets of
    the other names in ``names``. An unknown name raises ``KeyError`` listing the known ones.
    """
    mesh, desc = tagged.mesh, tagged.description
    tdim = mesh.topology.dim
    known = [b.name for b in desc.boundaries]
    out: dict[str, np.ndarray] = {}
    for name in names:
        if name == EXTERIOR:
            continue
        if name not in known:
            raise KeyError(f"unknown boundary {name!r}; boundaries: {', '.join([*known, EXTERIOR])}")
        out[name] = np.unique(tagged.facet_tags.find(desc.boundary_tag(name))).astype(np.int32)
    if EXTERIOR in names:
        mesh.topology.create_connectivity(tdim - 1, tdim)
        exterior = dolfinx.mesh.exterior_facet_indices(mesh.topology)
        claimed = [tagged.facet_tags.find(desc.boundary_tag(p.boundary)) for p in desc.symmetry_planes]
        claimed += list(out.values())
        taken = np.concatenate(claimed) if claimed else np.zeros(0, dtype=np.int32)
        out[EXTERIOR] = np.setdiff1d(exterior, taken).astype(np.int32)
    return out


class HeatConduction:
    """Set-up once; then :meth:`advance` (transient) or :meth:`steady` with the power and ambient of the time.

    ``regions`` give each cell tag its material; power is given per role (W, modelled part).
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        regions: list[RegionMaterial],
        conditions: ThermalConditions,
        initial_temperature: float,
        rtol: float = 1e-10,
        petsc_options: dict[str, Any] | None = None,
    ):
        mesh = tagged.mesh
        self.mesh = mesh
        self.comm = mesh.comm
        tdim = mesh.topology.dim
        cell_map = mesh.topology.index_map(tdim)
        self.num_owned_cells = cell_map.size_local
        self.cells = CellProperties(tagged.cell_tags, cell_map.size_local + cell_map.num_ghosts, regions)
        role_of_tag = {r.tag: r.role for r in tagged.description.regions}
        self.cell_role = np.array([role_of_tag[r.tag] for r in regions], dtype=object)[self.cells.cell_region]

        self.V = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
        self.Q = dolfinx.fem.functionspace(mesh, ("DG", 0))
        self.T = dolfinx.fem.Function(self.V, name="temperature_nodal_K")
        self.T_n = dolfinx.fem.Function(self.V, name="previous_temperature")
        self.T.x.array[:] = initial_temperature
        self.T_n.x.array[:] = initial_temperature
        self.T_cell = dolfinx.fem.Function(self.Q, name="temperature_K")
        self.k = dolfinx.fem.Function(self.Q, name="thermal_conductivity")
        self.rho_c = dolfinx.fem.Function(self.Q, name="heat_capacity_per_volume")
        self.q = dolfinx.fem.Function(self.Q, name="power_density")
        scalar = dolfinx.default_scalar_type
        self.inv_dt = dolfinx.fem.Constant(mesh, scalar(0.0))
        self.T_amb = dolfinx.fem.Constant(mesh, scalar(initial_temperature))
        self.time = 0.0

        facets = boundary_facets(tagged, conditions.names)
        fdim = tdim - 1
        conv_names = list(conditions.convection)
        ids = [np.full(len(facets[n]), i + 1, dtype=np.int32) for i, n in enumerate(conv_names)]
        all_facets = np.concatenate([facets[n] for n in conv_names]) if conv_names else np.zeros(0, np.int32)
        all_ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
        order = np.argsort(all_facets, kind="stable")
        tags = dolfinx.mesh.meshtags(mesh, fdim, all_facets[order], all_ids[order])
        ds = ufl.Measure("ds", domain=mesh, subdomain_data=tags)
        self.h = {n: dolfinx.fem.Constant(mesh, scalar(conditions.convection[n])) for n in conv_names}
        self.bcs = []
        self.zero_bcs = []  # the same faces at 0 K: the homogeneous problem of a temperature rise
        for name, value in conditions.fixed.items():
            dofs = dolfinx.fem.locate_dofs_topological(self.V, fdim, facets[name])
            self.bcs.append(dolfinx.fem.dirichletbc(scalar(value), dofs, self.V))
            self.zero_bcs.append(dolfinx.fem.dirichletbc(scalar(0.0), dofs, self.V))

        T, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        dx = ufl.dx
        a = self.rho_c * self.inv_dt * T * v * dx + ufl.inner(self.k * ufl.grad(T), ufl.grad(v)) * dx
        L = self.rho_c * self.inv_dt * self.T_n * v * dx + self.q * v * dx
        convected = dolfinx.fem.Constant(mesh, scalar(0.0)) * dx
        for i, name in enumerate(conv_names):
            a += self.h[name] * T * v * ds(i + 1)
            L += self.h[name] * self.T_amb * v * ds(i + 1)
            convected += self.h[name] * (self.T - self.T_amb) * ds(i + 1)
        self.a, self.L = dolfinx.fem.form(a), dolfinx.fem.form(L)
        self._power_in = dolfinx.fem.form(self.q * dx)
        self._stored = dolfinx.fem.form(self.rho_c * self.inv_dt * (self.T - self.T_n) * dx)
        self._convected = dolfinx.fem.form(convected)

        self.A = dolfinx.fem.petsc.create_matrix(self.a)
        self.b = dolfinx.fem.petsc.create_vector(self.V)
        self.ksp = self._make_ksp(rtol, petsc_options or {})
        self._matrix_key: tuple[Any, ...] | None = None
        self._first_iterations: int | None = None
        volumes = dolfinx.fem.assemble_vector(dolfinx.fem.form(ufl.TestFunction(self.Q) * dx)).array
        self.cell_volume = np.array(volumes)
        self.role_volume = {
            role: self.comm.allreduce(
                float(volumes[: self.num_owned_cells][self.cell_role[: self.num_owned_cells] == role].sum())
            )
            for role in dict.fromkeys(role_of_tag.values())
        }
        self.seconds = 0.0
        self.history: list[HeatStepStats] = []

    def _make_ksp(self, rtol: float, overrides: dict[str, Any]) -> Any:
        options = {**DEFAULT_OPTIONS, "ksp_rtol": rtol, "ksp_atol": 0.0, "ksp_max_it": 2000, **overrides}
        return configured_ksp(self.A, self.comm, "heat_", options)

    @property
    def num_dofs(self) -> int:
        """Global number of temperature unknowns."""
        return int(self.V.dofmap.index_map.size_global)

    def set_power(self, role_power: dict[str, float]) -> None:
        """Power (W, of the modelled part) per role, spread uniformly over the role's volume."""
        q = np.zeros(self.cell_role.shape)
        for role, power in role_power.items():
            if role not in self.role_volume:
                raise KeyError(f"unknown role {role!r}; roles: {', '.join(self.role_volume)}")
            if power:
                q[self.cell_role == role] = power / self.role_volume[role]
        self.q.x.array[:] = q

    def cell_temperatures(self) -> np.ndarray:
        """Cell averages of the current P1 temperature (one per local cell, owned then ghost; DG0 layout).

        For P1 on an affine tetrahedron the average is the mean of the vertex values, i.e. the
        value at the centroid, which is what the DG0 interpolation evaluates.
        """
        self.T_cell.interpolate(self.T)
        self.T_cell.x.scatter_forward()
        return np.array(self.T_cell.x.array)

    def heat_capacity(self, role: str) -> float:
        """C = integral of rho c over the role's cells (J/K, modelled part), properties at the current temperature."""
        self._update_properties()
        owned = slice(0, self.num_owned_cells)
        mine = self.cell_role[owned] == role
        local = float((self.rho_c.x.array[owned] * self.cell_volume[owned])[mine].sum())
        return float(self.comm.allreduce(local, op=MPI.SUM))

    def rise_per_watt(self, role: str) -> float:
        """R = mean steady temperature rise of the role per watt put into it (K/W, modelled part).

        The homogeneous steady problem div(k grad theta) + q = 0 with q = 1 W / V_role in the
        role, -k d theta/dn = h theta on the convection faces and theta = 0 on the fixed ones,
        k at the current temperature (superposition: the rise over what ambient and fixed faces
        impose). R = (theta, 1)_role / V_role. The state of the transient (T, T_n, time) is kept.
        """
        saved_T, saved_q = self.T.x.array.copy(), self.q.x.array.copy()
        saved_dt, saved_amb, saved_bcs = float(self.inv_dt.value), float(self.T_amb.value), self.bcs
        self._update_properties()
        self.set_power({role: 1.0})
        self.inv_dt.value, self.T_amb.value, self.bcs = 0.0, 0.0, self.zero_bcs
        self._first_iterations = None  # a different operator: fresh preconditioner before and after
        try:
            self._solve()
            self.T_cell.interpolate(self.T)
            owned = slice(0, self.num_owned_cells)
            mine = self.cell_role[owned] == role
            local = float((self.T_cell.x.array[owned] * self.cell_volume[owned])[mine].sum())
            rise = float(self.comm.allreduce(local, op=MPI.SUM)) / self.role_volume[role]
        finally:
            self.bcs = saved_bcs
            self.T.x.array[:] = saved_T
            self.q.x.array[:] = saved_q
            self.inv_dt.value, self.T_amb.value = saved_dt, saved_amb
            self._matrix_key, self._first_iterations = None, None
        return rise

    def _update_properties(self) -> None:
        """k and rho c of every cell at its average temperature of the previous step."""
        self.T_cell.interpolate(self.T_n)
        self.T_cell.x.scatter_forward()
        t = self.T_cell.x.array
        k, rho_c = np.empty(t.size), np.empty(t.size)
        for i, r in enumerate(self.cells.regions):
            c = self.cells.cell_region == i
            m = r.material
            k[c] = m["thermal_conductivity"].at(t[c])
            rho_c[c] = m["density"].at(t[c]) * m["specific_heat"].at(t[c])
        self.k.x.array[:] = k
        self.rho_c.x.array[:] = rho_c

    def _solve(self) -> int:
        key = (float(self.inv_dt.value), hash(self.k.x.array.tobytes()), hash(self.rho_c.x.array.tobytes()))
        # the arrays are rank-local: decide together, the assembly is collective (a lone rank would deadlock)
        if self.comm.allreduce(key != self._matrix_key, op=MPI.LOR):
            self.A.zeroEntries()
            dolfinx.fem.petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
            self.A.assemble()
            self._matrix_key = key
        with self.b.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.L)
        dolfinx.fem.petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(self.b, self.bcs)
        # Properties drift slowly from step to step: keep the AMG hierarchy until CG needs more
        # than twice the iterations it needed right after the last rebuild (then rebuild and re-solve).
        pc = self.ksp.getPC()
        pc.setReusePreconditioner(self._first_iterations is not None)
        self.ksp.solve(self.b, self.T.x.petsc_vec)
        its = int(self.ksp.getIterationNumber())
        if self._first_iterations is not None and (
            self.ksp.getConvergedReason() < 0 or its > 2 * max(self._first_iterations, 5)
        ):
            pc.setReusePreconditioner(False)
            self.ksp.solve(self.b, self.T.x.petsc_vec)
            its = int(self.ksp.getIterationNumber())
            self._first_iterations = None
        if self._first_iterations is None and its > 0:
            self._first_iterations = its
        self.T.x.scatter_forward()
        if self.ksp.getConvergedReason() < 0:
            raise RuntimeError(
                f"heat conduction: linear solver failed at t = {self.time:.6g} s: {converged_reason(self.ksp)}"
            )
        return its

    def _balance(self, dt: float, iterations: int) -> HeatStepStats:
        total = lambda form: self.comm.allreduce(dolfinx.fem.assemble_scalar(form), op=MPI.SUM)  # noqa: E731
        return HeatStepStats(
            self.time, dt, iterations, total(self._power_in), total(self._stored), total(self._convected)
        )

    def step(self, dt: float, ambient: float) -> HeatStepStats:
        """One backward-Euler step of length ``dt`` (s) to ``self.time + dt`` with the ambient (K) at its end."""
        t0 = time.perf_counter()
        self.inv_dt.value = 1.0 / dt
        self.T_amb.value = ambient
        self._update_properties()
        its = self._solve()
        self.time += dt
        stats = self._balance(dt, its)
        self.T_n.x.array[:] = self.T.x.array
        self.history.append(stats)
        self.seconds += time.perf_counter() - t0
        return stats

    def advance(self, t_end: float, ambient: Callable[[float], float], max_dt: float | None = None) -> int:
        """Backward-Euler steps from ``self.time`` to ``t_end``, none longer than ``max_dt``; returns CG iterations.

        The current power (:meth:`set_power`) holds over the interval; the ambient is taken at
        the end of every sub-step.
        """
        span = t_end - self.time
        if span <= 1e-12 * max(abs(t_end), 1.0):
            return 0
        n = 1 if max_dt is None else max(1, math.ceil(span / max_dt - 1e-9))
        start, its = self.time, 0
        for i in range(1, n + 1):
            t = start + span * i / n
            its += self.step(t - self.time, ambient(t)).iterations
        self.time = t_end
        return its

    def steady(self, ambient: float, tol: float = 1e-9, max_iterations: int = 30) -> HeatStepStats:
        """Steady state (1/dt = 0) at the current power; Picard iterations on k(T) until max |dT| < tol * max |T|."""
        t0 = time.perf_counter()
        self.inv_dt.value = 0.0
        self.T_amb.value = ambient
        its = 0
        for _ in range(max_iterations):
            self._update_properties()
            its += self._solve()
            change = self.comm.allreduce(float(np.abs(self.T.x.array - self.T_n.x.array).max()), op=MPI.MAX)
            scale = self.comm.allreduce(float(np.abs(self.T.x.array).max()), op=MPI.MAX)
            self.T_n.x.array[:] = self.T.x.array
            if change < tol * scale:
                break
        else:
            raise RuntimeError(f"heat conduction: steady state not reached in {max_iterations} Picard iterations")
        stats = self._balance(math.inf, its)
        self.history.append(stats)
        self.seconds += time.perf_counter() - t0
        return stats
