"""Material-point state at the quadrature points of the owned cells, grouped by region and model.

Every owned cell c has the points q = 0..nq-1 of one quadrature rule (degree 2 for P2
displacement: the strain is linear in a cell, so the elastic stiffness is integrated
exactly); point row p = c nq + q. Each region (cell tag) is a :class:`ModelGroup`: its cells,
its constitutive model and the model's internal variables (n_points, state_size) as numpy.

For one increment t_n -> t_n+1 the driver passes the total strain eps(u) at every point; a
group subtracts its free thermal strain, eps_mech = eps - eps_th(T) with
eps_th = diag(integral_{T_ref}^{T} alpha dT) of the region's material (per cell), and calls

    model.update(eps_mech, state_n, T_n, T_n+1, dt) -> sigma, C_alg, state_n+1, eps_in, dW.

The result is a *trial*: :meth:`MaterialPoints.commit` makes it the converged state, and
until then state_n is untouched, so a failed Newton iteration or a cut step restarts from it.
Besides the models' own variables every point carries the inelastic strain eps_in, the
accumulated equivalent inelastic strain p = sum sqrt(2/3 d eps_in : d eps_in) and the
dissipated energy density W = sum dW (J/m^3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fem_package.materials import Material
from solvers.constitutive.base import ConstitutiveModel, PointUpdate
from solvers.material_fields import RegionMaterial


class UpdateFailed(ArithmeticError):
    """A constitutive update could not be completed (non-finite result, or the model refused the increment).

    A model asks for a smaller increment by raising any ``ArithmeticError`` (e.g. ``FloatingPointError``).
    """


@dataclass
class ModelGroup:
    """The owned cells of one region, their model and its committed internal variables."""

    region: RegionMaterial
    model: ConstitutiveModel
    cells: np.ndarray  # owned local cell indices
    points: np.ndarray  # rows into the point arrays, cell-major
    state: np.ndarray  # (n_points, state_size) at the last converged time
    trial: PointUpdate | None = None

    def thermal_strain(self, temperature_cells: np.ndarray, nq: int) -> np.ndarray:
        """Free thermal strain (n_points, 6) in Mandel notation at the cells' temperatures."""
        diag = self.region.material.thermal_strains(temperature_cells[self.cells], self.region.stress_free_temperature)
        eps = np.zeros((self.cells.size, 6))
        eps[:, :3] = diag
        return np.repeat(eps, nq, axis=0)


@dataclass
class PointTotals:
    """Per-point history kept by the driver for every model: inelastic strain, its accumulation, dissipation."""

    inelastic_strain: np.ndarray  # (n, 6) Mandel
    equivalent_inelastic_strain: np.ndarray  # (n,) accumulated sum sqrt(2/3 d eps_in : d eps_in)
    dissipation: np.ndarray  # (n,) J/m^3 accumulated since the start

    @classmethod
    def zeros(cls, n: int) -> PointTotals:
        return cls(np.zeros((n, 6)), np.zeros(n), np.zeros(n))

    def copy(self) -> PointTotals:
        return PointTotals(
            self.inelastic_strain.copy(), self.equivalent_inelastic_strain.copy(), self.dissipation.copy()
        )


@dataclass
class MaterialPoints:
    """All quadrature points of the owned cells: groups, committed and trial history, volume weights."""

    nq: int
    volume_weights: np.ndarray  # (n_cells, nq): quadrature weight times |det J| (m^3)
    groups: list[ModelGroup]
    committed: PointTotals
    trial: PointTotals | None = None
    stress: np.ndarray = field(default_factory=lambda: np.zeros((0, 6)))  # (n, 6) of the last update
    tangent: np.ndarray = field(default_factory=lambda: np.zeros((0, 6, 6)))  # (n, 6, 6) of the last update
    mechanical_strain: np.ndarray = field(default_factory=lambda: np.zeros((0, 6)))

    @classmethod
    def build(
        cls,
        cell_region: np.ndarray,
        regions: list[RegionMaterial],
        volume_weights: np.ndarray,
        models: Callable[[Material], ConstitutiveModel],
        initial_temperature: np.ndarray,
    ) -> MaterialPoints:
        """Groups for ``regions`` over the owned cells (``cell_region``: region index per owned cell).

        ``initial_temperature`` (per owned cell, K) is where each model's virgin state is created.
        """
        n_cells, nq = volume_weights.shape
        groups = []
        for i, region in enumerate(regions):
            cells = np.flatnonzero(cell_region[:n_cells] == i).astype(np.int32)
            points = (cells[:, None] * nq + np.arange(nq)).ravel()
            model = models(region.material)
            t = np.repeat(initial_temperature[cells], nq)
            groups.append(ModelGroup(region, model, cells, points, model.initial_state(points.size, t)))
        n = n_cells * nq
        return cls(
            nq,
            volume_weights,
            groups,
            PointTotals.zeros(n),
            None,
            np.zeros((n, 6)),
            np.zeros((n, 6, 6)),
            np.zeros((n, 6)),
        )

    @property
    def num_points(self) -> int:
        return self.volume_weights.size

    def update(
        self, strain: np.ndarray, temperature_old: np.ndarray, temperature: np.ndarray, dt: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Trial stress (n, 6) and tangent (n, 6, 6) at every point from the total strain (n, 6).

        Temperatures are per owned cell (K). Raises :class:`UpdateFailed` when a model refuses.
        """
        nq = self.nq
        trial = self.committed.copy()
        for g in self.groups:
            if g.points.size == 0:
                continue
            mech = strain[g.points] - g.thermal_strain(temperature, nq)
            t_old, t_new = np.repeat(temperature_old[g.cells], nq), np.repeat(temperature[g.cells], nq)
            try:
                # underflow (exp(-dt/tau) of a long step) is harmless; overflow and NaN are not
                with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                    r = g.model.update(mech, g.state, t_old, t_new, dt)
            except ArithmeticError as exc:
                raise UpdateFailed(f"{g.model.name} model of region {g.region.tag}: {exc}") from exc
            if not (np.all(np.isfinite(r.stress)) and np.all(np.isfinite(r.tangent))):
                raise UpdateFailed(f"{g.model.name} model of region {g.region.tag}: non-finite stress or tangent")
            g.trial = r
            self.stress[g.points] = r.stress
            self.tangent[g.points] = r.tangent
            self.mechanical_strain[g.points] = mech
            d_in = r.inelastic_strain - self.committed.inelastic_strain[g.points]
            trial.inelastic_strain[g.points] = r.inelastic_strain
            trial.equivalent_inelastic_strain[g.points] += np.sqrt(2.0 / 3.0 * np.einsum("ij,ij->i", d_in, d_in))
            trial.dissipation[g.points] += r.dissipation
        self.trial = trial
        return self.stress, self.tangent

    def commit(self) -> None:
        """The last update converged: its state becomes the state at t_n."""
        assert self.trial is not None, "commit without an update"
        for g in self.groups:
            if g.trial is not None:
                g.state = g.trial.state
                g.trial = None
        self.committed = self.trial
        self.trial = None

    def discard(self) -> None:
        """Forget the trial state (a failed increment); the committed state stays."""
        for g in self.groups:
            g.trial = None
        self.trial = None

    def cell_average(self, values: np.ndarray) -> np.ndarray:
        """Volume average over each owned cell of point values (n_points, ...) -> (n_cells, ...)."""
        n_cells, nq = self.volume_weights.shape
        v = values.reshape(n_cells, nq, -1)
        w = self.volume_weights
        avg = np.einsum("cq,cqk->ck", w, v) / w.sum(axis=1)[:, None]
        return avg.reshape((n_cells, *values.shape[1:]))

    def cell_integral(self, values: np.ndarray) -> np.ndarray:
        """Integral over each owned cell of scalar point values (n_points,) -> (n_cells,)."""
        n_cells, nq = self.volume_weights.shape
        return np.einsum("cq,cq->c", self.volume_weights, values.reshape(n_cells, nq))
