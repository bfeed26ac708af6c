"""Transient moisture diffusion in the permeable materials, coupled to well-mixed cavity gas volumes.

Field: the wetness w = C / C_sat(T) (Wong and Park, "Moisture diffusion modeling - a critical review",
Microelectron. Reliab. 2016), continuous across interfaces of materials of different solubility
because equal chemical potential of the water means equal vapour activity p_v / p_sat = w on both sides.
With C = C_sat w and Fick's flux j = -D grad C = -D C_sat grad w (C_sat uniform per material at the
step's uniform temperature):

    d(C_sat w)/dt = div(D C_sat grad w)                 in the permeable cells,
    w = RH_ambient(t)                                    on prescribed (ambient) faces,
    w = RH_k(t)                                          on the walls of gas volume k,
    j . n = 0                                            on barrier interfaces and symmetry planes,

discretized with P1 elements and backward Euler (for constant T it is C_sat dw/dt = div(D C_sat grad w)):

    (C_sat^{n+1} w^{n+1} - C_sat^n w^n, v)_h/dt + (D C_sat^{n+1} grad w^{n+1}, grad v) = 0,

with the storage term ( , )_h lumped (vertex quadrature, the row-sum diagonal mass matrix): a consistent
mass matrix undershoots ahead of a steep front in the first steps (negative wetness, and a cavity whose
RH first falls below its initial value when a thin, low-capacity layer feeds it); lumping keeps
the discrete maximum principle of backward Euler on non-obtuse meshes (Thomee, "Galerkin finite element
methods for parabolic problems", 2nd ed. 2006, ch. 15).

Gas volumes (sealed cavities, well mixed): V d(rho_k)/dt = flux through the walls into the gas, with
the vapour in equilibrium with the wall surface, rho_k = RH_k g(T), g = p_sat(T)/(R_v T). The step is
linear in the unknown RH_k, so it is solved exactly (no lagging): w = w_0 + sum_k RH_k w_k, where w_0
solves the step with RH_k = 0 and w_k the homogeneous problem with RH_k = 1 (zero history). The flux
into the polymer through a set of faces is the consistent reaction R = sum_i (A w - b)_i over its
dofs (A without boundary conditions), linear too: R_j = R0_j + sum_k F_jk RH_k. The gas balance

    V_j (RH_j g^{n+1} - rho_j^n)/dt = -(R0_j + sum_k F_jk RH_k)

is a small dense linear system for the RH_k, exactly mass-conserving with the polymer's discrete balance.

Domain: a submesh of the permeable cells (``dolfinx.mesh.create_submesh``); the parent's facet tags
and exterior facets are transferred to it, so barrier interfaces (interior facets of the parent)
carry no condition (zero flux) while exterior faces of permeable cells are ambient or cavity walls.

Fast interfacial paths: each region's D may be multiplied by a factor (a thin bondline modelled as a
layer of higher diffusivity, the usual model of a weak polymer/glass or polymer/metal interface).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fem_package.fenics import MPI, PETSc, dolfinx, ufl
from fem_package.moisture_data import MoistureProperties
from fem_package.tagged_mesh import TaggedMesh
from fem_package.water_vapour import saturated_vapour_density

UNTAGGED_EXTERIOR = -1
"""Value given to exterior facets of the parent mesh that carry no facet tag."""


@dataclass(frozen=True)
class PermeableRegion:
    """A region (cell tag) in which water diffuses."""

    tag: int
    name: str
    properties: MoistureProperties
    diffusivity_factor: float = 1.0


@dataclass(frozen=True)
class PrescribedBoundary:
    """Faces with prescribed wetness: ``humidity`` None follows the ambient RH, else a fixed RH."""

    name: str
    tags: tuple[int, ...]
    humidity: float | None = None


@dataclass(frozen=True)
class GasVolume:
    """A sealed, well-mixed gas volume (modelled part, m^3) bounded by the faces ``tags``."""

    name: str
    volume: float
    tags: tuple[int, ...]


@dataclass
class StepResult:
    """State after one time step."""

    time: float
    temperature: float
    ambient_humidity: float
    gas_humidity: dict[str, float]
    gas_vapour_density: dict[str, float]
    boundary_inflow: dict[str, float]  # kg/s into the polymer through each prescribed boundary
    wall_inflow: dict[str, float]  # kg/s into the polymer through each gas volume's walls
    moisture_mass: float  # kg of water in the modelled polymers


@dataclass
class MoistureTimings:
    """Accumulated wall time (s)."""

    setup: float = 0.0
    assemble: float = 0.0
    solve: float = 0.0
    steps: int = 0
    solves: int = 0


@dataclass
class _Dofs:
    owned: np.ndarray  # local dof indices owned by this rank
    local: np.ndarray  # all local dofs (owned and ghost)


class MoistureDiffusion:
    """Set-up of the diffusion problem on the permeable submesh; :meth:`step` advances it."""

    def __init__(
        self,
        tagged: TaggedMesh,
        regions: list[PermeableRegion],
        prescribed: list[PrescribedBoundary],
        gas_volumes: list[GasVolume] | None = None,
        initial_humidity: float = 0.0,
        initial_temperature: float = 298.15,
    ):
        t0 = time.perf_counter()
        self.regions = regions
        self.prescribed = prescribed
        self.gas_volumes = gas_volumes or []
        mesh = tagged.mesh
        self.comm = mesh.comm
        tdim = mesh.topology.dim
        if not regions:
            raise ValueError("moisture diffusion: no permeable region")
        by_tag = {r.tag: r for r in regions}
        sel = np.isin(tagged.cell_tags.values, list(by_tag))
        cells = np.sort(tagged.cell_tags.indices[sel]).astype(np.int32)
        self.submesh, cell_map, vertex_map, _ = dolfinx.mesh.create_submesh(mesh, tdim, cells)
        sub = self.submesh
        n_sub = sub.topology.index_map(tdim).size_local + sub.topology.index_map(tdim).num_ghosts
        parent_cells = cell_map.sub_topology_to_topology(np.arange(n_sub, dtype=np.int32), False)
        n_parent = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
        parent_tag = np.full(n_parent, -1, dtype=np.int64)
        parent_tag[tagged.cell_tags.indices] = tagged.cell_tags.values
        self.cell_region = np.array([regions.index(by_tag[int(t)]) for t in parent_tag[parent_cells]], dtype=np.int64)

        # exterior faces of the parent (tagged or not), moved to the submesh
        mesh.topology.create_connectivity(tdim - 1, tdim)
        exterior = dolfinx.mesh.exterior_facet_indices(mesh.topology)
        values = np.full(exterior.size, UNTAGGED_EXTERIOR, dtype=np.int32)
        ft = tagged.facet_tags
        order = np.argsort(ft.indices)
        tagged_idx, tagged_val = ft.indices[order], ft.values[order]
        pos = np.searchsorted(tagged_idx, exterior)
        hit = (pos < tagged_idx.size) & (tagged_idx[np.minimum(pos, max(tagged_idx.size - 1, 0))] == exterior)
        values[hit] = tagged_val[pos[hit]]
        parent_ext = dolfinx.mesh.meshtags(mesh, tdim - 1, exterior.astype(np.int32), values)
        sub.topology.create_connectivity(tdim - 1, tdim)
        self.facet_tags = dolfinx.mesh.transfer_meshtags_to_submesh(parent_ext, sub, vertex_map, cell_map)

        self.V = dolfinx.fem.functionspace(sub, ("Lagrange", 1))
        Q = dolfinx.fem.functionspace(sub, ("DG", 0))
        self._q_dofs = Q.dofmap.list[:, 0]
        self.c_sat = dolfinx.fem.Function(Q, name="saturated_concentration_kg_m3")
        self.c_sat_old = dolfinx.fem.Function(Q)
        self.permeance = dolfinx.fem.Function(Q)  # D C_sat
        self.inv_dt = dolfinx.fem.Constant(sub, dolfinx.default_scalar_type(0.0))
        self.w = dolfinx.fem.Function(self.V, name="wetness")
        self.w_old = dolfinx.fem.Function(self.V)
        self._c_cells: Any = None
        self._c_expr: Any = None
        self.w.x.array[:] = initial_humidity

        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        dx = ufl.dx(domain=sub)
        dx_lumped = ufl.dx(domain=sub, metadata={"quadrature_rule": "vertex", "quadrature_degree": 1})
        self.a = dolfinx.fem.form(
            self.c_sat * self.inv_dt * u * v * dx_lumped + self.permeance * ufl.inner(ufl.grad(u), ufl.grad(v)) * dx
        )
        self.L = dolfinx.fem.form(self.c_sat_old * self.inv_dt * self.w_old * v * dx_lumped)
        self._mass = dolfinx.fem.form(self.c_sat * self.w * dx)

        # boundary dofs: prescribed faces first (they win over walls where both meet)
        self._g = dolfinx.fem.Function(self.V)
        taken = np.zeros(0, dtype=np.int32)
        self._prescribed_dofs: list[_Dofs] = []
        for b in prescribed:
            dofs = np.setdiff1d(self._dofs_on(b.tags), taken)
            taken = np.union1d(taken, dofs)
            self._prescribed_dofs.append(self._split(dofs))
        self._wall_dofs: list[_Dofs] = []
        for g in self.gas_volumes:
            if g.volume <= 0:
                raise ValueError(f"gas volume {g.name!r}: volume must be positive, got {g.volume!r}")
            dofs = np.setdiff1d(self._dofs_on(g.tags), taken)
            taken = np.union1d(taken, dofs)
            self._wall_dofs.append(self._split(dofs))
        self.bc = dolfinx.fem.dirichletbc(self._g, taken.astype(np.int32))

        self.A = dolfinx.fem.petsc.create_matrix(self.a)
        self.A_free = dolfinx.fem.petsc.create_matrix(self.a)
        self.b = dolfinx.fem.petsc.create_vector(self.V)
        self.b_hist = dolfinx.fem.petsc.create_vector(self.V)
        self.r = dolfinx.fem.petsc.create_vector(self.V)
        self.ksp = PETSc.KSP().create(self.comm)
        self.ksp.setOptionsPrefix(f"moisture_{id(self)}_")
        self.ksp.setOperators(self.A)
        self.ksp.setType("preonly")
        pc = self.ksp.getPC()
        pc.setType("lu")
        pc.setFactorSolverType("mumps")
        self.ksp.setFromOptions()

        self.time = 0.0
        self.temperature = initial_temperature
        self._set_properties(initial_temperature)
        g0 = saturated_vapour_density(initial_temperature)
        self.gas_density = {g.name: initial_humidity * g0 for g in self.gas_volumes}
        self.gas_humidity = {g.name: initial_humidity for g in self.gas_volumes}
        self.timings = MoistureTimings(setup=time.perf_counter() - t0)

    # ---- set-up helpers ------------------------------------------------------------------------
    def _dofs_on(self, tags: tuple[int, ...]) -> np.ndarray:
        facets = self.facet_tags.indices[np.isin(self.facet_tags.values, list(tags))].astype(np.int32)
        fdim = self.submesh.topology.dim - 1
        return np.asarray(dolfinx.fem.locate_dofs_topological(self.V, fdim, facets), dtype=np.int32)

    def _split(self, dofs: np.ndarray) -> _Dofs:
        n_owned = self.V.dofmap.index_map.size_local
        return _Dofs(dofs[dofs < n_owned], dofs)

    @property
    def num_dofs(self) -> int:
        """Global number of wetness unknowns (P1 nodes of the permeable submesh)."""
        return int(self.V.dofmap.index_map.size_global)

    def _global_count(self, d: _Dofs) -> int:
        return int(self.comm.allreduce(d.owned.size, op=MPI.SUM))

    @property
    def boundary_node_counts(self) -> dict[str, int]:
        """Nodes with prescribed wetness per prescribed boundary and per gas volume's wall."""
        out = {b.name: self._global_count(d) for b, d in zip(self.prescribed, self._prescribed_dofs, strict=True)}
        out.update({g.name: self._global_count(d) for g, d in zip(self.gas_volumes, self._wall_dofs, strict=True)})
        return out

    def _set_properties(self, temperature: float) -> None:
        c = np.array([r.properties.saturated_concentration(temperature) for r in self.regions])
        d = np.array([r.properties.diffusivity(temperature) * r.diffusivity_factor for r in self.regions])
        self.c_sat.x.array[self._q_dofs] = c[self.cell_region]
        self.permeance.x.array[self._q_dofs] = (c * d)[self.cell_region]

    # ---- linear algebra ------------------------------------------------------------------------
    def _assemble(self) -> None:
        for A, bcs in ((self.A, [self.bc]), (self.A_free, [])):
            A.zeroEntries()
            dolfinx.fem.petsc.assemble_matrix(A, self.a, bcs=bcs)
            A.assemble()
        with self.b_hist.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b_hist, self.L)
        self.b_hist.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self.ksp.setOperators(self.A)

    def _set_g(self, prescribed: list[float], walls: list[float]) -> None:
        self._g.x.array[:] = 0.0
        for d, value in zip(self._prescribed_dofs, prescribed, strict=True):
            self._g.x.array[d.local] = value
        for d, value in zip(self._wall_dofs, walls, strict=True):
            self._g.x.array[d.local] = value

    def _solve(self, with_history: bool, out: Any) -> None:
        """Solve A x = b for the current g; ``with_history`` adds the previous state's mass term."""
        with self.b.localForm() as local:
            local.set(0.0)
        if with_history:
            self.b.axpy(1.0, self.b_hist)
        # lifting: b -= A_full g on free rows (assembled as a local contribution, then summed)
        bl = dolfinx.fem.petsc.create_vector(self.V)
        with bl.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.apply_lifting(bl, [self.a], bcs=[[self.bc]])
        bl.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self.b.axpy(1.0, bl)
        bl.destroy()
        dolfinx.fem.petsc.set_bc(self.b, [self.bc])
        self.ksp.solve(self.b, out.x.petsc_vec)
        if self.ksp.getConvergedReason() < 0:  # type: ignore[operator]
            raise RuntimeError(f"moisture solve failed: reason {self.ksp.getConvergedReason()}")
        out.x.scatter_forward()
        self.timings.solves += 1

    def _reactions(self, f: Any, with_history: bool) -> tuple[list[float], list[float]]:
        """Flux into the polymer (kg/s) through each prescribed boundary and each wall set, for field f."""
        self.A_free.mult(f.x.petsc_vec, self.r)
        if with_history:
            self.r.axpy(-1.0, self.b_hist)
        arr = self.r.array_r
        local = [float(arr[d.owned].sum()) for d in self._prescribed_dofs + self._wall_dofs]
        total = self.comm.allreduce(np.array([*local, 0.0]), op=MPI.SUM)
        n = len(self._prescribed_dofs)
        return list(total[:n]), list(total[n : n + len(self._wall_dofs)])

    # ---- time stepping -------------------------------------------------------------------------
    def step(self, t_new: float, temperature: float, ambient_humidity: float) -> StepResult:
        """Advance from the current time to ``t_new`` (s) at uniform ``temperature`` (K) and ambient RH."""
        dt = t_new - self.time
        if dt <= 0:
            raise ValueError(f"moisture step: time {t_new!r} is not after {self.time!r}")
        return self._advance(t_new, 1.0 / dt, temperature, ambient_humidity)

    def steady_state(self, temperature: float, ambient_humidity: float) -> StepResult:
        """The steady state at ``temperature`` and ambient RH (no storage term; gas volumes must be absent)."""
        if self.gas_volumes:
            raise ValueError("steady state with sealed gas volumes is the ambient RH everywhere; solve transient")
        return self._advance(self.time, 0.0, temperature, ambient_humidity)

    def _advance(self, t_new: float, inv_dt: float, temperature: float, ambient_humidity: float) -> StepResult:
        t0 = time.perf_counter()
        self.w_old.x.array[:] = self.w.x.array
        self.c_sat_old.x.array[:] = self.c_sat.x.array
        self._set_properties(temperature)
        self.inv_dt.value = inv_dt
        self._assemble()
        t1 = time.perf_counter()
        values = [ambient_humidity if b.humidity is None else b.humidity for b in self.prescribed]
        n_gas = len(self.gas_volumes)
        self._set_g(values, [0.0] * n_gas)
        self._solve(True, self.w)
        r0_pres, r0_wall = self._reactions(self.w, True)
        g_new = saturated_vapour_density(temperature)
        rh = np.zeros(n_gas)
        if n_gas:
            responses, f_pres, f_wall = [], np.zeros((len(values), n_gas)), np.zeros((n_gas, n_gas))
            for k in range(n_gas):
                wk = dolfinx.fem.Function(self.V)
                unit = [0.0] * n_gas
                unit[k] = 1.0
                self._set_g([0.0] * len(values), unit)
                self._solve(False, wk)
                fp, fw = self._reactions(wk, False)
                f_pres[:, k], f_wall[:, k] = fp, fw
                responses.append(wk)
            vol = np.array([g.volume for g in self.gas_volumes])
            rho_old = np.array([self.gas_density[g.name] for g in self.gas_volumes])
            lhs = np.diag(vol * g_new * inv_dt) + f_wall
            rhs = vol * rho_old * inv_dt - np.array(r0_wall)
            rh = np.linalg.solve(lhs, rhs)
            for k, wk in enumerate(responses):
                self.w.x.array[:] += rh[k] * wk.x.array
            r0_pres = list(np.array(r0_pres) + f_pres @ rh)
            r0_wall = list(np.array(r0_wall) + f_wall @ rh)
        for k, g in enumerate(self.gas_volumes):
            self.gas_humidity[g.name] = float(rh[k])
            self.gas_density[g.name] = float(rh[k] * g_new)
        self.time, self.temperature = t_new, temperature
        self.timings.assemble += t1 - t0
        self.timings.solve += time.perf_counter() - t1
        self.timings.steps += 1
        mass = self.comm.allreduce(dolfinx.fem.assemble_scalar(self._mass), op=MPI.SUM)
        return StepResult(
            time=t_new,
            temperature=temperature,
            ambient_humidity=ambient_humidity,
            gas_humidity=dict(self.gas_humidity),
            gas_vapour_density=dict(self.gas_density),
            boundary_inflow={b.name: r for b, r in zip(self.prescribed, r0_pres, strict=True)},
            wall_inflow={g.name: r for g, r in zip(self.gas_volumes, r0_wall, strict=True)},
            moisture_mass=float(mass),
        )

    def concentration(self) -> Any:
        """C = C_sat w (kg/m^3) as a discontinuous P1 field (jumps at interfaces of different solubility)."""
        space = dolfinx.fem.functionspace(self.submesh, ("DG", 1))
        f = dolfinx.fem.Function(space, name="concentration_kg_m3")
        f.interpolate(dolfinx.fem.Expression(self.c_sat * self.w, space.element.interpolation_points))
        return f

    def concentration_cells(self) -> Any:
        """C = C_sat w at each cell's centroid (kg/m^3, DG0: the cell mean for P1 w), for XDMF output."""
        if self._c_cells is None:
            space = dolfinx.fem.functionspace(self.submesh, ("DG", 0))
            self._c_cells = dolfinx.fem.Function(space, name="concentration_kg_m3")
            self._c_expr = dolfinx.fem.Expression(self.c_sat * self.w, space.element.interpolation_points)
        self._c_cells.interpolate(self._c_expr)
        return self._c_cells


@dataclass
class MoistureHistory:
    """All step results of a run, with the initial state first."""

    results: list[StepResult] = field(default_factory=list)

    def times(self) -> np.ndarray:
        """Times (s)."""
        return np.array([r.time for r in self.results])

    def gas_humidity(self, name: str) -> np.ndarray:
        """RH (fraction) of gas volume ``name`` at every time."""
        return np.array([r.gas_humidity[name] for r in self.results])

    def gas_vapour_density(self, name: str) -> np.ndarray:
        """Vapour density (kg/m^3) of gas volume ``name`` at every time."""
        return np.array([r.gas_vapour_density[name] for r in self.results])


def initial_result(problem: MoistureDiffusion, ambient_humidity: float) -> StepResult:
    """The state at the start (no fluxes yet), for the first row of a history."""
    mass = problem.comm.allreduce(dolfinx.fem.assemble_scalar(problem._mass), op=MPI.SUM)
    return StepResult(
        time=problem.time,
        temperature=problem.temperature,
        ambient_humidity=ambient_humidity,
        gas_humidity=dict(problem.gas_humidity),
        gas_vapour_density=dict(problem.gas_density),
        boundary_inflow={b.name: 0.0 for b in problem.prescribed},
        wall_inflow={g.name: 0.0 for g in problem.gas_volumes},
        moisture_mass=float(mass),
    )
