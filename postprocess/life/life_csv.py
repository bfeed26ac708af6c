"""``life.csv``: one row per joint with its life-model result (a pure function of plain rows)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

COLUMNS = (
    "joint_id",
    "name",
    "dnp_m",
    "metric",
    "metric_value",
    "model",
    "cycles_to_failure",
    "damage_per_cycle",
    "liquid_fraction_of_cycle",
    "note",
)


@dataclass(frozen=True)
class JointLife:
    """Life of one joint, SI.

    Attributes:
        joint_id: joint (bump) id as in the results.
        name: joint name.
        dnp: distance from the neutral point in m.
        metric: the driver's name, e.g. ``"shear_strain_range"`` or ``"energy_density_range"``.
        metric_value: its value (SI: strain dimensionless, energy density J/m^3).
        model: life model and data key, e.g. ``"engelmaier:engelmaier_snpb"``.
        cycles_to_failure: N (inf when the driver is zero, or a fusible joint is liquid over the cycle).
        liquid_fraction: share of the cycle a fusible joint spends above its solidus (None: not fusible).
        note: why a life is what it is, e.g. "no fatigue while liquid" ('' for ordinary joints).
    """

    joint_id: int
    name: str
    dnp: float
    metric: str
    metric_value: float
    model: str
    cycles_to_failure: float
    liquid_fraction: float | None = None
    note: str = ""

    @property
    def damage_per_cycle(self) -> float:
        """1 / N (0 for infinite life)."""
        if not self.cycles_to_failure > 0:
            raise ValueError(f"joint {self.joint_id}: cycles to failure must be > 0, got {self.cycles_to_failure}")
        return 0.0 if math.isinf(self.cycles_to_failure) else 1.0 / self.cycles_to_failure


def _number(x: float) -> str:
    """Full-precision, locale-free text of a float (17 significant digits round-trip)."""
    return repr(float(x))


def life_csv_text(rows: Iterable[JointLife]) -> str:
    """The CSV text: a header of :data:`COLUMNS` and one row per joint, sorted by joint id."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in sorted(rows, key=lambda r: r.joint_id):
        w.writerow(
            [
                r.joint_id,
                r.name,
                _number(r.dnp),
                r.metric,
                _number(r.metric_value),
                r.model,
                _number(r.cycles_to_failure),
                _number(r.damage_per_cycle),
                "" if r.liquid_fraction is None else _number(r.liquid_fraction),
                r.note,
            ]
        )
    return buf.getvalue()


def write_life_csv(rows: Iterable[JointLife], path: str | Path) -> Path:
    """Write :func:`life_csv_text` to ``path`` (via a temporary file and rename); returns the path."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(life_csv_text(rows), encoding="utf-8")
    tmp.replace(p)
    return p
