"""Thermo-elastic solver against closed-form solutions.

1. Free expansion of a homogeneous block: u = eps_th(T) x exactly (linear field, represented by
   P1 and P2), stress zero; with temperature-dependent and orthotropic CTE.
2. Bi-material strip heated uniformly: curvature of Timoshenko (1925), "Analysis of bi-metal
   thermostats", J. Opt. Soc. Am. 11, 233:
       kappa = 6 (a2 - a1) dT (1 + m)^2 / (h [3 (1 + m)^2 + (1 + m n)(m^2 + 1/(m n))]),
   m = t1/t2, n = E1/E2, h = t1 + t2 (nu = 0 so the beam theory holds without plate corrections).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fem_package.case import Case
from fem_package.fenics import MPI
from fem_package.pipeline import region_materials
from geometries import mesh_geometry
from solvers.thermoelastic import ThermoelasticProblem
from tests.conftest import laminate_case


def solve(case: Case, temperature: float) -> tuple[ThermoelasticProblem, Any]:
    tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_WORLD)
    problem = ThermoelasticProblem(tagged, region_materials(case, tagged), case.solver)
    problem.solve(temperature)
    return problem, tagged


def nodal_displacement(problem: ThermoelasticProblem) -> tuple[np.ndarray, np.ndarray]:
    x = problem.V.tabulate_dof_coordinates()
    u = problem.u.x.array.reshape(-1, 3)
    return x, u[: len(x)]


@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("symmetry", ["quarter", "full"])
def test_free_expansion_of_a_block_is_exact(degree: int, symmetry: str) -> None:
    # Copper with its temperature-dependent CTE table, -40 C from a 25 C stress-free state.
    case = laminate_case(
        [{"name": "block", "material": "copper", "thickness": "1 mm"}],
        mesh={"max_size": "0.5 mm"},
        solver={"degree": degree, "rtol": 1e-12},
    )
    case = case.model_copy(update={"geometry": case.geometry.model_copy(update={"symmetry": symmetry})})
    problem, _ = solve(case, 233.15)
    eps = case.material_of("block").thermal_strain(233.15, 298.15)
    x, u = nodal_displacement(problem)
    origin = np.array([0.0, 0.0, 0.0]) if symmetry == "quarter" else np.array([-1e-3, -1e-3, 0.0])
    expected = (x - origin) * np.array(eps)
    assert eps[0] < -5e-4  # a real contraction is being checked
    assert np.abs(u - expected).max() < 1e-9 * np.abs(expected).max() + 1e-18
    vm = problem.stress()
    from solvers.stress_recovery import StressRecovery

    fields = StressRecovery(problem).evaluate()
    e = case.material_of("block")["youngs_modulus"](233.15)
    assert vm is not None and fields.von_mises.max() < 1e-7 * e * abs(eps[0])


def test_free_expansion_orthotropic_laminate() -> None:
    # FR-4: in-plane and out-of-plane CTE differ; free expansion must follow each.
    case = laminate_case(
        [{"name": "board", "material": "fr4", "thickness": "0.8 mm"}],
        mesh={"max_size": "0.5 mm"},
        solver={"degree": 2, "rtol": 1e-12},
    )
    problem, _ = solve(case, 398.15)
    ex, ey, ez = case.material_of("board").thermal_strain(398.15, 298.15)
    x, u = nodal_displacement(problem)
    assert ez > 2 * ex
    np.testing.assert_allclose(u, x * np.array([ex, ey, ez]), atol=1e-9 * abs(ez) * 1e-3)


def timoshenko_curvature(t1: float, t2: float, e1: float, e2: float, d_alpha: float, d_t: float) -> float:
    m, n, h = t1 / t2, e1 / e2, t1 + t2
    return 6 * d_alpha * d_t * (1 + m) ** 2 / (h * (3 * (1 + m) ** 2 + (1 + m * n) * (m**2 + 1 / (m * n))))


@pytest.mark.parametrize(("t_bottom", "t_top"), [("0.5 mm", "0.5 mm"), ("0.6 mm", "0.3 mm")])
def test_bimetal_strip_curvature_matches_timoshenko(t_bottom: str, t_top: str) -> None:
    overrides = {
        "silicon": {"youngs_modulus": "130 GPa", "poisson_ratio": 0.0, "cte": "2.6 ppm/K"},
        "copper": {"youngs_modulus": "120 GPa", "poisson_ratio": 0.0, "cte": "17 ppm/K"},
    }
    case = laminate_case(
        [
            {"name": "bottom", "material": "silicon", "thickness": t_bottom},
            {"name": "top", "material": "copper", "thickness": t_top},
        ],
        length="20 mm",
        width="1 mm",
        materials={"overrides": overrides},
        mesh={"max_size": "0.25 mm"},
        solver={"rtol": 1e-11},
    )
    problem, _ = solve(case, 398.15)
    x, u = nodal_displacement(problem)
    # Bottom-face centre line, away from the free end (edge effects decay within ~ the thickness).
    line = (np.abs(x[:, 2]) < 1e-12) & (np.abs(x[:, 1]) < 1e-12) & (x[:, 0] < 5e-3)
    assert line.sum() >= 10
    c2 = np.polyfit(x[line, 0], u[line, 2], 2)[0]
    t1, t2 = (case.geometry.layers[i].thickness for i in range(2))
    kappa = timoshenko_curvature(t1, t2, 130e9, 120e9, 17e-6 - 2.6e-6, 100.0)
    # Copper on top expands more: the strip bends down at the ends (w'' < 0), curvature 2 c2.
    print(f"bimetal curvature: FE {-2 * c2:.6g} 1/m, Timoshenko {kappa:.6g} 1/m, error {-2 * c2 / kappa - 1:+.3%}")
    assert -2 * c2 == pytest.approx(kappa, rel=0.02)
