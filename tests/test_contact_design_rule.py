"""Seed-002 length rule (claim 10): hand-computed thermal length differences and margins."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fem_package.materials import Material, Property, get
from fem_package.model_description import ModelDescription, Region
from postprocess.contact_design_rule import (
    ContactElementInput,
    DesignRuleRow,
    check_contact_elements,
    elements_from_description,
    mismatch_strain,
)

T0 = 298.15  # 25 C
COLD, HOT = 233.15, 398.15  # JESD22-A104 G: -40 / +125 C

# Si (Okada & Tokumaru table in materials.toml) integrated by hand, trapezoids on the linear pieces:
#   25 -> 125 C: alpha(298.15) = 2.568 - 1.85 * 0.0096 = 2.55024 ppm/K, alpha(398.15) = 2.933 + 48.15 * 0.00558
#   = 3.201677 ppm/K; 1.85 * (2.55024 + 2.568) / 2 + 50 * (2.568 + 2.933) / 2 + 48.15 * (2.933 + 3.201677) / 2
#   = 4.734372 + 137.525 + 147.692349 = 289.951721 ppm
#   25 -> -40 C: alpha(233.15) = 1.453 + 33.15 * 0.0127 = 1.874005 ppm/K;
#   16.85 * (1.874005 + 2.088) / 2 + 48.15 * (2.088 + 2.55024) / 2 = 33.379892 + 111.665628 = 145.04552 ppm
# FR-4 (Isola 370HR) in-plane 13.5 ppm/K below Tg: 1350 ppm hot, 877.5 ppm cold.
SI_FR4_HOT = (1350.0 - 289.951721) * 1e-6  # 1060.048279 ppm, the worse extreme
SI_FR4_COLD = (877.5 - 145.045520) * 1e-6  # 732.45448 ppm


def constant(key: str, cte: float) -> Material:
    """A material with only a constant CTE (all the rule reads)."""
    return Material(key, key, "test", {"cte": Property.constant(cte, "test")})


def test_si_on_fr4_by_hand() -> None:
    strain, worst = mismatch_strain(get("silicon"), get("fr4"), T0, (COLD, HOT))
    assert worst == HOT
    assert strain == pytest.approx(SI_FR4_HOT, rel=1e-7)
    cold_only, _ = mismatch_strain(get("silicon"), get("fr4"), T0, (COLD, T0))
    assert cold_only == pytest.approx(SI_FR4_COLD, rel=1e-7)
    elements = [
        ContactElementInput(0, "element_0000", 5e-3, 231e-6),  # long element, far out
        ContactElementInput(1, "element_0001", 5e-3, 5.5e-6),  # 1.2 % too short
        ContactElementInput(2, "element_0002", 0.0, 1e-6),  # at the neutral point
    ]
    rows = check_contact_elements(elements, get("silicon"), get("fr4"), T0, (HOT, COLD))
    d = 5e-3 * SI_FR4_HOT  # 5.3002414 um
    assert rows[0].thermal_length_difference == pytest.approx(5.3002414e-6, rel=1e-7)
    assert rows[0].required_length == pytest.approx(5.5652535e-6, rel=1e-7)
    assert rows[0].margin == pytest.approx(231e-6 / (1.05 * d) - 1, rel=1e-8)  # d rounded by hand
    assert rows[0].margin == pytest.approx(40.5075, rel=1e-5)
    assert rows[0].passes
    assert rows[1].margin == pytest.approx(5.5e-6 / 5.5652535e-6 - 1, rel=1e-6) and rows[1].margin < 0
    assert not rows[1].passes
    assert rows[2].thermal_length_difference == 0 and math.isinf(rows[2].margin) and rows[2].passes
    assert isinstance(rows[0], DesignRuleRow)
    assert set(rows[0].as_dict()) == {
        "id",
        "name",
        "dnp",
        "length",
        "thermal_length_difference",
        "required_length",
        "margin",
        "passes",
    }


def test_constant_cte_cold_extreme_wins() -> None:
    """3 ppm/K die on 17 ppm/K board, stress-free at 125 C: the cold extreme (-165 K) governs."""
    die, board = constant("die", 3e-6), constant("board", 17e-6)
    strain, worst = mismatch_strain(die, board, 398.15, (233.15, 398.15))
    assert worst == 233.15 and strain == pytest.approx(14e-6 * 165, rel=1e-12)
    (row,) = check_contact_elements([ContactElementInput(3, "e", 2e-3, 4.851e-6)], die, board, 398.15, (233.15, 398.15))
    assert row.thermal_length_difference == pytest.approx(2e-3 * 2.31e-3, rel=1e-12)  # 4.62 um
    assert row.required_length == pytest.approx(4.851e-6, rel=1e-12)
    assert row.margin == pytest.approx(0.0, abs=1e-12) and row.passes  # exactly on the limit passes


def test_crossing_cte_curves_interior_maximum() -> None:
    """CTE curves crossing at 300 K: from T0 = 200 K the mismatch peaks at 300 K, not at an extreme.

    alpha_sub - alpha_die = 5e-8 (T - 300); integral from 200 K: 2.5e-8 ((T - 300)^2 - 1e4),
    zero at 200 and 400 K, -2.5e-4 at 300 K.
    """
    die = constant("die", 10e-6)
    sub = Material("sub", "sub", "test", {"cte": Property(np.array([200.0, 400.0]), np.array([5e-6, 15e-6]), "test")})
    strain, worst = mismatch_strain(die, sub, 200.0, (200.0, 400.0))
    assert worst == pytest.approx(300.0) and strain == pytest.approx(2.5e-4, rel=1e-12)


def test_claim_10_literal_reading_zero_cte_reference() -> None:
    """Against a non-expanding reference the rule uses the die's own expansion (Si 25 -> 125 C: 289.95 ppm)."""
    si = get("silicon")
    rigid = si.with_overrides({"cte": 0.0})
    strain, _ = mismatch_strain(si, rigid, T0, (COLD, HOT))
    assert strain == pytest.approx(289.951721e-6, rel=1e-7)


def test_inputs_from_description_and_errors() -> None:
    regions = [
        Region("die", 1, "die", "silicon"),
        Region("element_0000", 1000, "contact_element", "gold", 0, (3e-4, 4e-4, 1e-3), 4, 1.0, 1e-12),
        Region("element_0001", 1001, "contact_element", "gold", 1, (0.0, 0.0, 1e-3), 1, 0.25, 1e-12),
    ]
    desc = ModelDescription("contact_element", "quarter", regions, info={"element_length": 2.3e-4})
    inputs = elements_from_description(desc)
    assert inputs == [
        ContactElementInput(0, "element_0000", pytest.approx(5e-4), 2.3e-4),  # type: ignore[arg-type]
        ContactElementInput(1, "element_0001", 0.0, 2.3e-4),
    ]
    with pytest.raises(ValueError, match="element_0000"):
        check_contact_elements(
            [ContactElementInput(0, "element_0000", 1e-3, 0.0)], get("silicon"), get("fr4"), T0, (COLD, HOT)
        )
