"""Benchmark: one constitutive update of N quadrature points per model, relative to LinearElastic.

Every model updates the same N points (random strains of inelastic size, room temperature, dt = 10 s)
from its virgin state; the time of one update is the best of ``--repeat`` runs, and the ratio to
:class:`solvers.constitutive.base.LinearElastic` of the same points and material is printed (measured in
one process: only the ratios are meaningful on these shared machines). Run it with
``.venv/bin/python bench/constitutive_update.py [--points N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fem_package.materials import get
from solvers.constitutive.base import ConstitutiveModel, LinearElastic
from solvers.constitutive.select import model_for

CASES = [("anand", "sac305"), ("j2", "copper"), ("prony", "underfill_capillary"), ("phase_change", "gallium")]


def best_time(model: ConstitutiveModel, strain: np.ndarray, temps: np.ndarray, repeat: int) -> float:
    """Best wall-clock seconds of one update over ``repeat`` runs."""
    state = model.initial_state(strain.shape[0], temps)
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        model.update(strain, state, temps, temps, 10.0)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    strain = 2e-3 * rng.normal(size=(args.points, 6))
    temps = np.full(args.points, 298.15)
    print(f"{args.points} points, best of {args.repeat}")
    print(f"{'model':<14}{'material':<22}{'seconds':>10}{'elastic s':>11}{'ratio':>8}")
    for name, key in CASES:
        material = get(key)
        model = model_for(material)
        assert model.name == name
        elastic = best_time(LinearElastic(material), strain, temps, args.repeat)
        seconds = best_time(model, strain, temps, args.repeat)
        print(f"{name:<14}{key:<22}{seconds:>10.4f}{elastic:>11.4f}{seconds / elastic:>8.2f}")


if __name__ == "__main__":
    main()
