"""When to stop cycling: the inelastic strain energy density per cycle of the critical joint settles.

Per cycle k and joint j (or region, when the model has no joints) the driver records the
volume-averaged dissipated energy density over the cycle,

    W_j(k) = (1 / V_j) integral_{V_j} sum_{increments of cycle k} dW dV     [J/m^3],

the damage driver of energy-based solder fatigue models (Darveaux 2000, "Effect of simulation
methodology on solder joint crack growth correlation", ECTC; Schubert et al. 2003). Cycling
stops at cycle k >= ``min_cycles`` when the critical joint (largest W_j(k)) changes by

    |W_c(k) - W_c(k-1)| <= tolerance * |W_c(k)|,

when no energy is dissipated at all (an elastic model repeats itself), or at ``max_cycles``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CycleRecord:
    """Energy density and accumulated equivalent inelastic strain of every joint over one cycle."""

    cycle: int
    energy_density: dict[str, float]  # J/m^3 dissipated in this cycle, by joint (region) name
    inelastic_strain: dict[str, float]  # accumulated equivalent inelastic strain increment in this cycle
    critical: str | None
    change: float | None  # relative change of the critical joint's W from the previous cycle


@dataclass
class CycleConvergence:
    """The per-cycle records and the stopping rule."""

    tolerance: float
    min_cycles: int
    max_cycles: int
    records: list[CycleRecord] = field(default_factory=list)
    reason: str = ""

    def add(self, cycle: int, energy: dict[str, float], strain: dict[str, float]) -> CycleRecord:
        """Record cycle ``cycle``; the critical joint dissipates the most (None when nothing dissipates)."""
        critical = max(energy, key=lambda k: (energy[k], k)) if energy and max(energy.values()) > 0 else None
        change = None
        if critical is not None and self.records and critical in self.records[-1].energy_density:
            now, before = energy[critical], self.records[-1].energy_density[critical]
            change = abs(now - before) / abs(now) if now != 0 else (0.0 if before == 0 else float("inf"))
        record = CycleRecord(cycle, energy, strain, critical, change)
        self.records.append(record)
        return record

    def done(self) -> bool:
        """True when cycling may stop after the last recorded cycle (sets :attr:`reason`)."""
        if not self.records:
            return False
        last = self.records[-1]
        n = len(self.records)
        if n < self.min_cycles:
            return False
        if last.critical is None or last.energy_density[last.critical] == 0.0:
            self.reason = "no inelastic dissipation: every further cycle repeats this one"
            return True
        if last.change is not None and last.change <= self.tolerance:
            self.reason = (
                f"energy density per cycle of {last.critical} changed by {last.change:.2%} "
                f"<= {self.tolerance:.2%} from cycle {last.cycle - 1} to {last.cycle}"
            )
            return True
        if n >= self.max_cycles:
            self.reason = f"max_cycles = {self.max_cycles} reached (last change {_pct(last.change)})"
            return True
        return False

    def as_dict(self) -> dict[str, Any]:
        """The cycle-convergence record of summary.json."""
        return {
            "tolerance": self.tolerance,
            "max_cycles": self.max_cycles,
            "cycles": len(self.records),
            "converged": self.reason.startswith(("energy", "no inelastic")),
            "reason": self.reason,
            "records": [asdict(r) for r in self.records],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], min_cycles: int) -> CycleConvergence:
        """Inverse of :meth:`as_dict` (checkpoint)."""
        out = cls(data["tolerance"], min_cycles, data["max_cycles"], reason=data["reason"])
        out.records = [CycleRecord(**r) for r in data["records"]]
        return out


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2%}"
