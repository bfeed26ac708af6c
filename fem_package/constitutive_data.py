"""Inelastic material laws from ``fem_package/data/constitutive.toml``: typed, validated parameter sets.

Each table ``[<material id>.<law>]`` gives the parameters of one constitutive law for one material
of the material library (``data/materials*.toml``); ``law`` is one of ``anand``, ``j2``, ``prony``,
``phase_change``. SI units (Pa, K, s, J/mol). Every table carries a ``source``. A material has at
most one law; a material without one is linear elastic with its E(T), nu(T).

Bad data (unknown material, law or key, missing key or source, value out of range) raise
:class:`ConstitutiveDataError` naming the table, the key, the value and the allowed range.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from fem_package.materials import library


class ConstitutiveDataError(ValueError):
    """Bad constitutive-law data; the message names the table, key, value and allowed range."""


def _range(lo: float, hi: float, unit: str, *, open_lo: bool = False) -> dict[str, Any]:
    return {"lo": lo, "hi": hi, "unit": unit, "open_lo": open_lo}


@dataclass(frozen=True)
class AnandParameters:
    """Anand (1985) / Brown, Kim & Anand (1989) viscoplasticity, nine constants.

    d(eps_p)/dt = A exp(-Q/RT) [sinh(xi sigma / s)]^(1/m),
    ds/dt = h0 |B|^a sign(B) d(eps_p)/dt, B = 1 - s/s*, s* = s_hat [d(eps_p)/dt exp(Q/RT) / A]^n,
    sigma the von Mises equivalent stress, eps_p the equivalent inelastic strain.
    """

    law: ClassVar[str] = "anand"
    source: str
    s0: float = field(metadata=_range(0.0, 1e9, "Pa", open_lo=True))
    q_over_r: float = field(metadata=_range(0.0, 1e5, "K", open_lo=True))
    a_factor: float = field(metadata=_range(0.0, 1e30, "1/s", open_lo=True))
    xi: float = field(metadata=_range(0.0, 1e3, "1", open_lo=True))
    m: float = field(metadata=_range(0.0, 1.0, "1", open_lo=True))
    h0: float = field(metadata=_range(0.0, 1e13, "Pa", open_lo=True))
    s_hat: float = field(metadata=_range(0.0, 1e10, "Pa", open_lo=True))
    n: float = field(metadata=_range(0.0, 1.0, "1"))
    a: float = field(metadata=_range(1.0, 10.0, "1"))


@dataclass(frozen=True)
class J2Parameters:
    """Rate-independent von Mises plasticity with linear mixed hardening.

    Uniaxial plastic modulus H = d sigma / d eps_p (tangent modulus E_t = E H / (E + H)); the part
    (1 - kinematic_fraction) H hardens isotropically, kinematic_fraction H kinematically (Prager).
    """

    law: ClassVar[str] = "j2"
    source: str
    yield_stress: float = field(metadata=_range(0.0, 1e10, "Pa", open_lo=True))
    hardening_modulus: float = field(metadata=_range(0.0, 1e12, "Pa"))
    kinematic_fraction: float = field(metadata=_range(0.0, 1.0, "1"))


SHIFTS = ("none", "wlf", "arrhenius", "wlf_arrhenius")
"""Time-temperature shift functions: WLF, Arrhenius, or WLF at/above and Arrhenius below T_ref."""


@dataclass(frozen=True)
class PronyParameters:
    """Linear viscoelasticity: G(t) = G_inf + sum G_i exp(-t/tau_i), K(t) = K_inf + sum K_j exp(-t/tau_j).

    Times are reduced times at ``reference_temperature``; the shift factor a_T (WLF and/or Arrhenius)
    maps real time to reduced time, d xi = dt / a_T(T) (thermorheologically simple material).
    """

    law: ClassVar[str] = "prony"
    source: str
    shear_modulus_long_term: float = field(metadata=_range(0.0, 1e12, "Pa"))
    shear_moduli: tuple[float, ...] = field(metadata=_range(0.0, 1e12, "Pa", open_lo=True))
    relaxation_times: tuple[float, ...] = field(metadata=_range(0.0, 1e30, "s", open_lo=True))
    bulk_modulus: float = field(metadata=_range(0.0, 1e12, "Pa", open_lo=True))
    reference_temperature: float = field(metadata=_range(0.0, 2000.0, "K", open_lo=True))
    shift: str = field(metadata={"choices": SHIFTS})
    bulk_moduli: tuple[float, ...] = field(default=(), metadata=_range(0.0, 1e12, "Pa", open_lo=True))
    bulk_relaxation_times: tuple[float, ...] = field(default=(), metadata=_range(0.0, 1e30, "s", open_lo=True))
    wlf_c1: float = field(default=0.0, metadata=_range(0.0, 1e3, "1"))
    wlf_c2: float = field(default=0.0, metadata=_range(0.0, 1e4, "K"))
    activation_energy: float = field(default=0.0, metadata=_range(0.0, 1e7, "J/mol"))


@dataclass(frozen=True)
class PhaseChangeParameters:
    """Fusible metal: solid fraction f_s(T) from the material's solidus/liquidus, shear stiffness and
    stress released on melting, volume change on melting ``beta`` = (V_liquid - V_solid) / V_solid."""

    law: ClassVar[str] = "phase_change"
    source: str
    beta: float = field(metadata=_range(-0.2, 0.2, "1"))
    liquid_shear_fraction: float = field(metadata=_range(0.0, 0.01, "1", open_lo=True))


MIN_MELTING_RANGE = 1.0
"""Narrowest melting range (K) of the phase-change law: a pure metal or eutectic melts over this interval below
its melting point (a numerical mushy zone, as enthalpy methods use), see :mod:`solvers.constitutive.phase_change`."""


def melting_interval(solidus: float, liquidus: float) -> tuple[float, float]:
    """(solidus, liquidus) over which the phase-change law melts: >= MIN_MELTING_RANGE wide, ending at liquidus."""
    if liquidus < solidus:
        raise ValueError(f"liquidus {liquidus} K below solidus {solidus} K")
    return min(solidus, liquidus - MIN_MELTING_RANGE), liquidus


LawParameters = AnandParameters | J2Parameters | PronyParameters | PhaseChangeParameters
LAWS: dict[str, type[LawParameters]] = {
    c.law: c for c in (AnandParameters, J2Parameters, PronyParameters, PhaseChangeParameters)
}


def _check_value(where: str, key: str, value: Any, meta: Mapping[str, Any]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConstitutiveDataError(f"{where}: {key} = {value!r} must be a number ({meta['unit']})")
    v = float(value)
    lo, hi = meta["lo"], meta["hi"]
    below = v <= lo if meta["open_lo"] else v < lo
    if not math.isfinite(v) or below or v > hi:
        bracket = "(" if meta["open_lo"] else "["
        raise ConstitutiveDataError(
            f"{where}: {key} = {value!r} is out of range; allowed {bracket}{lo:g}, {hi:g}] {meta['unit']}"
        )
    return v


def parse_law(law: str, data: dict[str, Any], where: str) -> LawParameters:
    """Typed parameters of ``law`` from one TOML table; ``where`` names the table in messages."""
    if law not in LAWS:
        raise ConstitutiveDataError(f"{where}: unknown law {law!r}; known: {', '.join(LAWS)}")
    cls = LAWS[law]
    specs = {f.name: f for f in fields(cls)}
    unknown = [k for k in data if k not in specs]
    if unknown:
        raise ConstitutiveDataError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(specs)}")
    source = str(data.get("source", "")).strip()
    if not source:
        raise ConstitutiveDataError(f"{where}: every parameter set needs a 'source'")
    values: dict[str, Any] = {"source": source}
    for name, spec in specs.items():
        if name == "source":
            continue
        if name not in data:
            if spec.default is not MISSING:
                continue
            raise ConstitutiveDataError(f"{where}: missing key {name!r}")
        raw, meta = data[name], spec.metadata
        if "choices" in meta:
            if raw not in meta["choices"]:
                raise ConstitutiveDataError(f"{where}: {name} = {raw!r}; allowed: {', '.join(meta['choices'])}")
            values[name] = raw
        elif "tuple" in str(spec.type):
            if not isinstance(raw, list):
                raise ConstitutiveDataError(f"{where}: {name} = {raw!r} must be a list of numbers ({meta['unit']})")
            values[name] = tuple(_check_value(where, f"{name}[{i}]", v, meta) for i, v in enumerate(raw))
        else:
            values[name] = _check_value(where, name, raw, meta)
    params = cls(**values)
    _check_consistency(params, where)
    return params


def _check_consistency(p: LawParameters, where: str) -> None:
    if isinstance(p, PronyParameters):
        if len(p.shear_moduli) != len(p.relaxation_times) or not p.shear_moduli:
            raise ConstitutiveDataError(
                f"{where}: shear_moduli ({len(p.shear_moduli)}) and relaxation_times ({len(p.relaxation_times)}) "
                "must be non-empty lists of the same length"
            )
        if len(p.bulk_moduli) != len(p.bulk_relaxation_times):
            raise ConstitutiveDataError(
                f"{where}: bulk_moduli ({len(p.bulk_moduli)}) and bulk_relaxation_times "
                f"({len(p.bulk_relaxation_times)}) must have the same length"
            )
        if p.shift in ("wlf", "wlf_arrhenius") and (p.wlf_c1 <= 0.0 or p.wlf_c2 <= 0.0):
            raise ConstitutiveDataError(
                f"{where}: shift = {p.shift!r} needs wlf_c1 > 0 and wlf_c2 > 0 K (got {p.wlf_c1:g}, {p.wlf_c2:g})"
            )
        if p.shift in ("arrhenius", "wlf_arrhenius") and p.activation_energy <= 0.0:
            raise ConstitutiveDataError(
                f"{where}: shift = {p.shift!r} needs activation_energy > 0 J/mol (got {p.activation_energy:g})"
            )


def parse(
    data: dict[str, Any], materials: set[str] | None = None, file: str = "constitutive.toml"
) -> dict[str, LawParameters]:
    """All parameter sets of a parsed constitutive TOML document, by material id.

    ``materials`` (default: the shipped library) are the ids a table may name.
    """
    known = set(library()) if materials is None else materials
    out: dict[str, LawParameters] = {}
    for key, laws in data.items():
        if key not in known:
            raise ConstitutiveDataError(f"{file} [{key}]: unknown material id {key!r} (not in data/materials*.toml)")
        if not isinstance(laws, dict) or not all(isinstance(v, dict) for v in laws.values()):
            raise ConstitutiveDataError(f"{file} [{key}]: expected tables [{key}.<law>] with law in {', '.join(LAWS)}")
        if len(laws) != 1:
            raise ConstitutiveDataError(f"{file} [{key}]: one law per material, got {', '.join(laws) or 'none'}")
        ((law, table),) = laws.items()
        out[key] = parse_law(law, table, f"{file} [{key}.{law}]")
    return out


@cache
def laws() -> dict[str, LawParameters]:
    """The shipped parameter sets (``data/constitutive.toml``), by material id."""
    text = resources.files("fem_package").joinpath("data", "constitutive.toml").read_text(encoding="utf-8")
    return parse(tomllib.loads(text))


def law_for(material_key: str) -> LawParameters | None:
    """The inelastic law of a material, or None (linear elastic)."""
    return laws().get(material_key)
