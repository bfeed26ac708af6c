"""Global-local submodelling: a sub-box of a bimetal strip driven by the strip's displacement.

The global model is a silicon-on-copper strip (the ``laminate`` geometry, full model) under a
uniform temperature change. The submodel is a box of the same strip cut out of its interior,
meshed finer and independently; its lateral faces are the ``submodel_cut`` faces. Inside, the
submodel must reproduce the global solution up to the global model's own discretization
error, which is estimated by solving the global model again with half the element size.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import gmsh
import numpy as np
import pytest
from pydantic import Field

from fem_package.case import Case
from fem_package.case.base import CaseModel
from fem_package.case.geometry_laminate import LaminateGeometry, Layer
from fem_package.case.mesh import MeshSettings
from fem_package.fenics import MPI, dolfinx, ufl
from fem_package.model_description import Boundary, ModelDescription, Region
from fem_package.pipeline import region_materials
from fem_package.units import Length
from geometries.laminate import build_laminate
from geometries.meshing import build_tagged_mesh, um
from solvers.stress_recovery import StressRecovery
from solvers.submodel import CUT_BOUNDARY, SubmodelBoundary, SubmodelError
from solvers.thermoelastic import ThermoelasticProblem
from tests.conftest import laminate_case, run_case

CUT_TAG = 10
T_HOT = 398.15  # K, 100 K above the stress-free 25 C


class SubBoxGeometry(CaseModel):
    """Test-only submodel geometry: the part x0..x1, y0..y1 of a laminate strip (full thickness).

    Faces of the box inside the strip's footprint are cut faces; faces on the strip's own
    outline, its top and its bottom stay free.
    """

    type: Literal["test_sub_box"] = "test_sub_box"
    symmetry: Literal["full"] = "full"
    length: Length = Field(gt=0, description="global strip extent along x [m]")
    width: Length = Field(gt=0, description="global strip extent along y [m]")
    layers: list[Layer]
    x0: Length
    x1: Length
    y0: Length
    y1: Length

    def roles(self) -> dict[str, str]:
        return {layer.name: layer.material for layer in self.layers}

    def global_geometry(self) -> LaminateGeometry:
        return LaminateGeometry(symmetry="full", length=self.length, width=self.width, layers=self.layers)


def build_sub_box(params: SubBoxGeometry, mesh: MeshSettings) -> ModelDescription:
    """Layer boxes over the sub-box footprint, fragmented; lateral faces inside the strip tagged as cut."""
    occ = gmsh.model.occ
    dx, dy = params.x1 - params.x0, params.y1 - params.y0
    z, boxes = 0.0, []
    for layer in params.layers:
        boxes.append(occ.addBox(um(params.x0), um(params.y0), um(z), um(dx), um(dy), um(layer.thickness)))
        z += layer.thickness
    _, mapping = occ.fragment([(3, boxes[0])], [(3, b) for b in boxes[1:]])
    occ.synchronize()
    regions = []
    for i, (layer, m) in enumerate(zip(params.layers, mapping, strict=True)):
        gmsh.model.addPhysicalGroup(3, [t for _, t in m], i + 1, name=layer.name)
        regions.append(Region(layer.name, i + 1, layer.name, layer.material, volume=dx * dy * layer.thickness))
    eps, big = 1e-3, 1e6
    planes = []
    for value, half, axis in ((params.x0, params.length / 2, 0), (params.x1, params.length / 2, 0)):
        if abs(value) < half * (1 - 1e-9):
            planes.append((axis, value))
    for value, half, axis in ((params.y0, params.width / 2, 1), (params.y1, params.width / 2, 1)):
        if abs(value) < half * (1 - 1e-9):
            planes.append((axis, value))
    cut = []
    for axis, value in planes:
        lo, hi = [-big] * 3, [big] * 3
        lo[axis], hi[axis] = um(value) - eps, um(value) + eps
        cut += [t for _, t in gmsh.model.getEntitiesInBoundingBox(*lo, *hi, dim=2)]
    gmsh.model.addPhysicalGroup(2, cut, CUT_TAG, name=CUT_BOUNDARY)
    size = mesh.joint_size or mesh.max_size or min(dx, dy, z) / 4
    gmsh.option.setNumber("Mesh.MeshSizeMax", um(size))
    gmsh.option.setNumber("Mesh.MeshSizeMin", um(size) * 0.1)
    return ModelDescription("test_sub_box", "full", regions, [Boundary(CUT_BOUNDARY, CUT_TAG)], info={"thickness": z})


LAYERS = [
    {"name": "die", "material": "silicon", "thickness": "0.3 mm"},
    {"name": "heat_spreader", "material": "copper", "thickness": "0.3 mm"},
]


def strip_case() -> Case:
    case = laminate_case(LAYERS, length="4 mm", width="2 mm", solver={"rtol": 1e-11})
    return case.model_copy(update={"geometry": case.geometry.model_copy(update={"symmetry": "full"})})


def sub_box(case: Case, x: tuple[float, float], y: tuple[float, float]) -> SubBoxGeometry:
    g = case.geometry
    return SubBoxGeometry(length=g.length, width=g.width, layers=g.layers, x0=x[0], x1=x[1], y0=y[0], y1=y[1])


def solve_global(case: Case, size: float, comm: Any) -> ThermoelasticProblem:
    tagged = build_tagged_mesh(build_laminate, case.geometry, MeshSettings(max_size=size, optimize=False), comm)
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    problem.solve(T_HOT)
    return problem


def solve_local(
    case: Case, params: SubBoxGeometry, size: float, u_global: Any, comm: Any
) -> tuple[ThermoelasticProblem, SubmodelBoundary]:
    tagged = build_tagged_mesh(build_sub_box, params, MeshSettings(joint_size=size, optimize=False), comm)
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    facets = tagged.facet_tags.find(tagged.description.boundary_tag(CUT_BOUNDARY))
    boundary = SubmodelBoundary(problem.V, facets, u_global)
    problem.add_dirichlet(boundary.bc)
    boundary.update()
    problem.solve(T_HOT)
    return problem, boundary


def on_local(space: Any, f: Any) -> Any:
    """``f`` (a function on another mesh) interpolated into ``space`` on every local cell."""
    mesh = space.mesh
    cells = np.arange(mesh.topology.index_map(3).size_local + mesh.topology.index_map(3).num_ghosts, dtype=np.int32)
    g = dolfinx.fem.Function(space)
    g.interpolate_nonmatching(f, cells, dolfinx.fem.create_interpolation_data(space, f.function_space, cells, 1e-12))
    g.x.scatter_forward()
    return g


def global_stress_dg1(problem: ThermoelasticProblem) -> Any:
    """The global stress as a DG1 tensor field (exact for P2 displacement on affine cells)."""
    space = dolfinx.fem.functionspace(problem.mesh, ("DG", 1, (3, 3)))
    s = dolfinx.fem.Function(space)
    s.interpolate(dolfinx.fem.Expression(problem.stress(), space.element.interpolation_points))
    return s


def owned_max(comm: Any, values: np.ndarray) -> float:
    return float(comm.allreduce(float(np.abs(values).max()) if values.size else 0.0, op=MPI.MAX))


def cut_dofs(problem: ThermoelasticProblem, boundary: SubmodelBoundary) -> np.ndarray:
    """Owned blocked dofs (nodes) of the submodel's cut faces."""
    unrolled, owned = boundary.bc.dof_indices()  # unrolled: node * 3 + component, owned ones first
    return np.unique(unrolled[:owned] // 3)


@pytest.mark.slow
def test_submodel_reproduces_the_global_strip_within_its_discretization_error() -> None:
    comm = MPI.COMM_SELF
    case = strip_case()
    coarse, fine = solve_global(case, 0.25e-3, comm), solve_global(case, 0.125e-3, comm)
    # Interior box: 0.5 mm (almost one strip thickness) from the free ends and sides.
    local, boundary = solve_local(case, sub_box(case, (0.5e-3, 1.5e-3), (-0.5e-3, 0.5e-3)), 0.1e-3, coarse.u, comm)
    V, n = local.V, local.V.dofmap.index_map.size_local
    u_h, u_h2 = on_local(V, coarse.u), on_local(V, fine.u)
    nodal = lambda f: f.x.array.reshape(-1, 3)[:n]  # noqa: E731
    u_max = owned_max(comm, nodal(u_h))
    assert u_max > 5e-6  # 100 K on a Si/Cu strip: microns of expansion and bending

    # 1. On the cut faces the submodel holds exactly the interpolated global displacement.
    dofs = cut_dofs(local, boundary)
    assert boundary.num_dofs == len(dofs) > 100
    assert np.abs(nodal(local.u)[dofs] - nodal(u_h)[dofs]).max() < 1e-9 * u_max  # round-off of locating the points

    # 2. Inside, local and global differ by no more than the global discretization error. That error
    # is estimated from the global solution at half the element size (Richardson: e_h ~ |u_h - u_h/2| /
    # (1 - 2^-p) <= 2 |u_h - u_h/2| for any convergence order p >= 1), hence the factor 2.
    d_u = owned_max(comm, np.linalg.norm(nodal(local.u) - nodal(u_h), axis=1)) / u_max
    e_u = owned_max(comm, np.linalg.norm(nodal(u_h2) - nodal(u_h), axis=1)) / u_max
    Q = dolfinx.fem.functionspace(local.mesh, ("DG", 0, (3, 3)))
    nc = local.num_owned_cells
    s_local = StressRecovery(local).evaluate().stress.reshape(nc, 9)
    s_h = on_local(Q, global_stress_dg1(coarse)).x.array.reshape(-1, 9)[:nc]
    s_h2 = on_local(Q, global_stress_dg1(fine)).x.array.reshape(-1, 9)[:nc]
    s_max = owned_max(comm, s_h)
    d_s = owned_max(comm, np.linalg.norm(s_local - s_h, axis=1)) / s_max
    e_s = owned_max(comm, np.linalg.norm(s_h2 - s_h, axis=1)) / s_max
    print(
        f"submodel vs global (max over the box, relative to the max): displacement {d_u:.2e} (global error "
        f"estimate {e_u:.2e}, |u|max {u_max:.3e} m), stress {d_s:.2e} (estimate {e_s:.2e}, max {s_max / 1e6:.1f} MPa)"
    )
    assert s_max > 50e6  # the Si/Cu mismatch stress is real
    assert e_u < 2e-3 and e_s < 0.05  # the global model is converged enough for the comparison to mean something
    assert d_u <= 2 * e_u
    assert d_s <= 2 * e_s


@pytest.mark.slow
def test_submodel_outside_the_global_mesh_is_refused_with_count_and_place() -> None:
    comm = MPI.COMM_SELF
    case = strip_case()
    coarse = solve_global(case, 0.5e-3, comm)
    # 2 nm past the strip end is within the default tolerance (1e-6 of the 4.5 mm diagonal): accepted.
    local, boundary = solve_local(
        case, sub_box(case, (1.0e-3, 2.0e-3 + 2e-9), (-0.5e-3, 0.5e-3)), 0.25e-3, coarse.u, comm
    )
    assert boundary.tolerance == pytest.approx(1e-6 * np.sqrt(4.0**2 + 2.0**2 + 0.6**2) * 1e-3)
    assert np.isfinite(local.u.x.array).all()
    # 0.3 mm past the strip end: refused, naming how many points and where.
    with pytest.raises(SubmodelError) as err:
        solve_local(case, sub_box(case, (1.0e-3, 2.3e-3), (-0.5e-3, 0.5e-3)), 0.25e-3, coarse.u, comm)
    message = str(err.value)
    print(message)
    count = int(message.split("submodel: ")[1].split(" of ")[0])
    assert count > 10
    assert "lie outside the global mesh" in message
    assert "to (2300, 500, 600) um" in message  # the far corner of the offending points
    assert "the global mesh spans (-2000, -1000, 0) um to (2000, 1000, 600) um" in message


def integrals(problem: ThermoelasticProblem) -> tuple[float, float]:
    """Integrals of |u|^2 and sigma : sigma over the mesh (independent of the partition)."""
    comm = problem.mesh.comm
    u, s = problem.u, problem.stress()
    forms = [dolfinx.fem.form(ufl.inner(u, u) * ufl.dx), dolfinx.fem.form(ufl.inner(s, s) * ufl.dx)]
    a, b = (comm.allreduce(dolfinx.fem.assemble_scalar(f), op=MPI.SUM) for f in forms)
    return float(a), float(b)


@pytest.mark.mpi
def test_distributed_submodel_equals_serial() -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    case = strip_case()
    params = sub_box(case, (0.5e-3, 2.0e-3), (-0.5e-3, 1.0e-3))  # touches the strip's end and one side
    results = []
    for c in (comm, MPI.COMM_SELF):
        coarse = solve_global(case, 0.4e-3, c)
        local, boundary = solve_local(case, params, 0.2e-3, coarse.u, c)
        results.append((boundary.num_dofs, local.num_dofs, *integrals(local)))
        if c is comm:  # both meshes really are split over the ranks
            assert comm.allreduce(min(coarse.num_owned_cells, local.num_owned_cells), op=MPI.MIN) > 0
            assert comm.allreduce(local.num_owned_cells) > local.num_owned_cells
    (nodes_d, dofs_d, uu_d, ss_d), (nodes_s, dofs_s, uu_s, ss_s) = results
    print(
        f"rank {comm.rank}: int |u|^2 {uu_d:.10e} (serial rel. diff {uu_d / uu_s - 1:.1e}), "
        f"int s:s {ss_d:.10e} (serial rel. diff {ss_d / ss_s - 1:.1e})"
    )
    assert (nodes_d, dofs_d) == (nodes_s, dofs_s)
    assert uu_d == pytest.approx(uu_s, rel=1e-8)
    assert ss_d == pytest.approx(ss_s, rel=1e-7)


def submodel_case(monkeypatch: pytest.MonkeyPatch) -> tuple[Case, Case, SubBoxGeometry]:
    """A case whose geometry is the test-only sub-box (its builder registered for this test only)."""
    import geometries

    monkeypatch.setitem(geometries.BUILDERS, "test_sub_box", build_sub_box)
    base = strip_case()
    params = sub_box(base, (0.5e-3, 1.5e-3), (-0.5e-3, 0.5e-3))
    load = {"profile": "JESD22-A104-G", "steps_per_ramp": 1, "steps_per_dwell": 1}
    raw = {"load": load, "mesh": {"max_size": "0.4 mm", "joint_size": "0.2 mm", "optimize": False}}
    settings = laminate_case(LAYERS, **raw, solver={"rtol": 1e-11}, output={"picture": False})
    return settings.model_copy(update={"geometry": params}), base, params


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the test-only geometry is not in the union
def test_pipeline_solves_the_global_model_and_drives_the_submodel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, base, params = submodel_case(monkeypatch)
    summary = run_case(case, tmp_path / "run")

    # The same models solved directly (same meshes: same builders, sizes and gmsh options).
    coarse = solve_global(base, 0.4e-3, MPI.COMM_SELF)
    local, boundary = solve_local(base, params, 0.2e-3, coarse.u, MPI.COMM_SELF)
    hot = StressRecovery(local).evaluate().displacement_max
    g = summary["global"]
    assert g["geometry_type"] == "laminate" and g["symmetry"] == "full"
    assert g["dofs"] == coarse.num_dofs and g["cut_face_nodes"] == boundary.num_dofs
    assert g["critical_joint"] is None  # the laminate has no joints
    assert g["max_displacement_m"] >= StressRecovery(coarse).evaluate().displacement_max * (1 - 1e-9)
    assert summary["case"]["geometry_type"] == "test_sub_box" and summary["run"]["dofs"] == local.num_dofs
    steps = summary["steps"]
    assert steps[1]["temperature_K"] == pytest.approx(T_HOT)
    assert steps[1]["max_displacement_m"] == pytest.approx(hot, rel=1e-8)
    assert steps[0]["max_displacement_m"] < 1e-15 * hot  # stress-free start: the global field is zero
    # The hot dwell repeats the ramp's temperature: neither model is solved again; the cold step is.
    reasons = [s["reason"] for s in summary["solver_steps"]]
    assert reasons[2] == "UNCHANGED_TEMPERATURE" and reasons[3] != "UNCHANGED_TEMPERATURE"
    assert steps[3]["max_displacement_m"] != pytest.approx(steps[1]["max_displacement_m"], rel=1e-3)
    assert (tmp_path / "run" / "results_global.xdmf").is_file() and (tmp_path / "run" / "results.xdmf").is_file()
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["global"]["dofs"] == g["dofs"]


@pytest.mark.mpi
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_distributed_submodel_pipeline_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs mpiexec -n 2")
    case, _, _ = submodel_case(monkeypatch)
    folder = Path(comm.bcast(str(tmp_path), root=0))
    distributed = run_case(case, folder / "dist", comm=comm)
    serial = run_case(case, folder / f"serial{comm.rank}", comm=MPI.COMM_SELF)
    assert distributed["global"]["dofs"] == serial["global"]["dofs"]
    assert distributed["global"]["max_displacement_m"] == pytest.approx(serial["global"]["max_displacement_m"], 1e-8)
    for a, b in zip(distributed["steps"], serial["steps"], strict=True):
        assert a["max_displacement_m"] == pytest.approx(b["max_displacement_m"], rel=1e-8, abs=1e-20)
    for name in ("die", "heat_spreader"):
        for key in ("peak_von_mises", "mean_von_mises"):
            assert distributed["regions"][name][key] == pytest.approx(serial["regions"][name][key], rel=1e-6)
