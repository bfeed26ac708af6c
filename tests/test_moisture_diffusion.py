"""Moisture diffusion against analytic solutions (Crank, "The Mathematics of Diffusion", 2nd ed. 1975).

One-dimensional problems on thin laminate columns (quarter models: the side faces are symmetry
planes or free faces, both zero-flux), P1 + backward Euler on the permeable submesh.
"""

from __future__ import annotations

import numpy as np
import pytest

from fem_package.fenics import MPI
from fem_package.moisture_data import moisture_library
from fem_package.water_vapour import saturated_vapour_density
from geometries import mesh_geometry
from solvers.moisture_diffusion import GasVolume, MoistureDiffusion, PermeableRegion, PrescribedBoundary
from tests.conftest import laminate_case

T = 358.15  # 85 C
SIDE = 30e-6  # modelled (quarter) column is SIDE x SIDE


def column(layers: list[tuple[str, str, float]], size: str = "10 um"):
    """A laminate column of the given (name, material, thickness) layers, meshed coarsely."""
    case = laminate_case(
        [{"name": n, "material": m, "thickness": t} for n, m, t in layers],
        length=f"{2 * SIDE * 1e6:g} um",
        width=f"{2 * SIDE * 1e6:g} um",
        mesh={"max_size": size},
    )
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF)
    lib = moisture_library().properties
    regions = [PermeableRegion(i + 1, n, lib[m]) for i, (n, m, _) in enumerate(layers)]
    return tagged, regions


def test_plane_sheet_uptake_matches_crank_series():
    """Sheet exposed on both faces: M_t/M_inf = 1 - sum 8/((2n+1)^2 pi^2) exp(-D (2n+1)^2 pi^2 t / L^2) (Crank 4.18)."""
    L = 200e-6
    # lumped storage: 8 um gives 2.5 elements per sqrt(D t) at t = 0.01 L^2/D (10 um: +1.1 % there)
    tagged, regions = column([("film", "polyimide", L)], size="8 um")
    d = tagged.description
    faces = (d.boundary_tag("top"), d.boundary_tag("bottom"))
    problem = MoistureDiffusion(tagged, regions, [PrescribedBoundary("ambient", faces)], initial_temperature=T)
    props = regions[0].properties
    D, m_inf = props.diffusivity(T), props.saturated_concentration(T) * 0.85 * L * SIDE**2
    tau = L * L / D
    n = np.arange(200)

    def crank(t: float) -> float:
        return 1 - float(
            np.sum(8 / ((2 * n + 1) ** 2 * np.pi**2) * np.exp(-D * (2 * n + 1) ** 2 * np.pi**2 * t / L**2))
        )

    checks: dict[float, float] = {0.01: np.nan, 0.03: np.nan, 0.1: np.nan, 0.3: np.nan}
    times = np.unique(np.concatenate([np.geomspace(1e-3, 0.3, 150), list(checks)])) * tau
    for t in times:
        r = problem.step(t, T, 0.85)
        key = min(checks, key=lambda c: abs(c * tau - t))
        if abs(key * tau - t) < 1e-9 * tau:
            checks[key] = r.moisture_mass / m_inf
    errors = {c: checks[c] / crank(c * tau) - 1 for c in checks}
    print("plane sheet relative errors", errors)
    assert all(abs(e) < 0.01 for e in errors.values()), errors
    assert 0.15 < checks[0.01] < 0.3 and checks[0.3] > 0.9  # the series itself: not a trivial pass


def test_membrane_time_lag_is_l_squared_over_6d():
    """Permeation through a membrane (w = 1 | w = 0): Q(t) -> (D C1 / L)(t - L^2/(6D)) (Crank eq. 4.24a)."""
    L = 100e-6
    tagged, regions = column([("membrane", "bcb", L)])
    d = tagged.description
    problem = MoistureDiffusion(
        tagged,
        regions,
        [
            PrescribedBoundary("ambient", (d.boundary_tag("top"),)),
            PrescribedBoundary("dry", (d.boundary_tag("bottom"),), humidity=0.0),
        ],
        initial_temperature=T,
    )
    props = regions[0].properties
    D, c1 = props.diffusivity(T), props.saturated_concentration(T)
    lag = L * L / (6 * D)
    times = np.linspace(0, 2.0, 401)[1:] * L * L / D
    q, t_prev, out = 0.0, 0.0, []
    for t in times:
        r = problem.step(t, T, 1.0)
        q += -r.boundary_inflow["dry"] * (t - t_prev)  # backward Euler rectangle, exact for the scheme
        t_prev = t
        out.append(q)
    q_arr = np.array(out) / SIDE**2
    late = times > 1.2 * L * L / D
    slope, intercept = np.polyfit(times[late], q_arr[late], 1)
    t_lag = -intercept / slope
    print(f"time lag {t_lag:.4g} s vs {lag:.4g} s ({t_lag / lag - 1:+.4f}); flux {slope:.4g} vs {D * c1 / L:.4g}")
    assert t_lag == pytest.approx(lag, rel=0.02)
    assert slope == pytest.approx(D * c1 / L, rel=0.01)


def test_wetness_continuous_concentration_jumps_by_solubility_ratio():
    """Two layers in series at steady state: w continuous, C jumps by C_sat1/C_sat2, one flux through both."""
    l1, l2 = 60e-6, 40e-6
    tagged, regions = column([("lower", "polyimide", l1), ("upper", "bcb", l2)])
    d = tagged.description
    problem = MoistureDiffusion(
        tagged,
        regions,
        [
            PrescribedBoundary("ambient", (d.boundary_tag("top"),)),
            PrescribedBoundary("dry", (d.boundary_tag("bottom"),), humidity=0.0),
        ],
        initial_temperature=T,
    )
    r = problem.steady_state(T, 0.85)
    p1, p2 = (reg.properties for reg in regions)
    k1 = p1.diffusivity(T) * p1.saturated_concentration(T) / l1  # conductances D C_sat / l
    k2 = p2.diffusivity(T) * p2.saturated_concentration(T) / l2
    w_i = k2 * 0.85 / (k1 + k2)  # interface wetness
    flux = k1 * w_i
    # wetness at the interface nodes (z = l1): one value on both sides
    x = problem.V.tabulate_dof_coordinates()
    at = np.isclose(x[:, 2], l1, atol=1e-9)
    w_nodes = problem.w.x.array[at]
    c = problem.concentration()
    # concentration just below / above the interface, from the DG1 field at the interface nodes
    xc = c.function_space.tabulate_dof_coordinates()
    at_c = np.isclose(xc[:, 2], l1, atol=1e-9)
    cells = c.function_space.dofmap.list
    below = {r_.name: i for i, r_ in enumerate(regions)}
    cell_of_dof = np.empty(xc.shape[0], dtype=int)
    for cell, dofs in enumerate(cells):
        cell_of_dof[dofs] = cell
    in_lower = problem.cell_region[cell_of_dof] == below["lower"]
    c_lower = c.x.array[at_c & in_lower]
    c_upper = c.x.array[at_c & ~in_lower]
    print(f"w_i {w_nodes.mean():.6f} vs {w_i:.6f}; C jump {c_lower.mean() / c_upper.mean():.5f}")
    assert np.allclose(w_nodes, w_i, rtol=1e-6)
    assert c_lower.mean() / c_upper.mean() == pytest.approx(
        p1.saturated_concentration(T) / p2.saturated_concentration(T), rel=1e-6
    )
    assert r.boundary_inflow["ambient"] / SIDE**2 == pytest.approx(flux, rel=1e-6)
    assert -r.boundary_inflow["dry"] / SIDE**2 == pytest.approx(flux, rel=1e-6)


def test_cavity_behind_polymer_wall_follows_quasi_steady_time_constant():
    """Cavity of volume V behind a wall (thickness L, area A): tau = V L/(A P) + L^2/(2D) (Tencer 1994).

    P = D K with the partition coefficient K = C_sat / rho_v,sat (flux = P A (rho_amb - rho_cav)/L).
    The exact slowest mode of the coupled problem is beta L tan(beta L) = eps = A L K / V,
    tau_1 = L^2 / (D (beta L)^2) = V L/(A P) + L^2/(3D) + O(eps); Tencer's quasi-steady-state
    model uses L^2/(2D). Here eps = 0.05, where both agree within 1 %.
    """
    L = 100e-6
    tagged, regions = column([("wall", "bcb", L)], size="12 um")
    d = tagged.description
    props = regions[0].properties
    D = props.diffusivity(T)
    K = props.saturated_concentration(T) / saturated_vapour_density(T)
    eps = 0.05
    area = SIDE**2
    volume = area * L * K / eps
    gas = GasVolume("cavity", volume, (d.boundary_tag("bottom"),))
    problem = MoistureDiffusion(
        tagged, regions, [PrescribedBoundary("ambient", (d.boundary_tag("top"),))], [gas], initial_temperature=T
    )
    tau_qss = volume * L / (area * D * K) + L * L / (2 * D)
    dt_late = 0.02 * tau_qss  # uniform steps after tau: backward Euler damps the mode by 1/(1 + dt/tau) per step
    times = np.concatenate([np.geomspace(1e-3, 1.0, 60)[:-1], np.arange(1.0, 4.0 + 1e-9, 0.02)]) * tau_qss
    rh = np.array([problem.step(t, T, 0.85).gas_humidity["cavity"] for t in times]) / 0.85
    from postprocess.cavity_humidity import fit_time_constant

    tau_fit = fit_time_constant(times, rh)
    x = np.sqrt(eps)
    for _ in range(50):  # Newton on x tan x = eps
        x -= (x * np.tan(x) - eps) / (np.tan(x) + x / np.cos(x) ** 2)
    tau_exact = L * L / (D * x * x)
    tau_exact_be = dt_late / np.log(1 + dt_late / tau_exact)  # the same mode after backward Euler steps
    late = (times > 1.5 * tau_qss) & (rh < 0.999)
    tau_late = -1.0 / np.polyfit(times[late], np.log(1 - rh[late]), 1)[0]
    print(
        f"tau fit {tau_fit:.5g}, late {tau_late:.5g}, QSS {tau_qss:.5g}, "
        f"exact mode {tau_exact:.5g} (after backward Euler {tau_exact_be:.5g})"
    )
    assert tau_fit == pytest.approx(tau_qss, rel=0.05)
    assert tau_late == pytest.approx(tau_exact_be, rel=0.02)
    assert rh[-1] > 0.97  # the cavity approaches the ambient humidity
