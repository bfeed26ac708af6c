"""Constitutive-law data: the shipped file loads, every set has a source, bad data are refused clearly."""

from __future__ import annotations

import tomllib
from importlib import resources

import numpy as np
import pytest

from fem_package.constitutive_data import ConstitutiveDataError, laws, parse
from fem_package.materials import get, library
from solvers.constitutive.base import LinearElastic
from solvers.constitutive.select import model_for

GOOD_J2 = {"source": "test", "yield_stress": 1e8, "hardening_modulus": 1e9, "kinematic_fraction": 0.5}


def test_shipped_data_load_with_sources_and_select_the_models() -> None:
    sets = laws()
    assert {"sac305", "snpb_eutectic", "copper", "gold", "underfill_capillary", "gallium"} <= set(sets)
    assert all(len(p.source) > 20 for p in sets.values())
    expected = {"sac305": "anand", "copper": "j2", "underfill_capillary": "prony", "gallium": "phase_change"}
    for key, name in expected.items():
        model = model_for(get(key))
        assert model.name == name
        t = np.full(3, 300.0)
        out = model.update(np.zeros((3, 6)), model.initial_state(3, t), t, t, 1.0)
        assert out.stress.shape == (3, 6) and out.tangent.shape == (3, 6, 6)
    assert isinstance(model_for(get("silicon")), LinearElastic)


def test_shipped_file_names_only_known_materials() -> None:
    text = resources.files("fem_package").joinpath("data", "constitutive.toml").read_text(encoding="utf-8")
    assert set(tomllib.loads(text)) <= set(library())


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"copper": {"j2": {**GOOD_J2, "yield_stress": -5.0}}},
            r"\[copper\.j2\]: yield_stress = -5\.0 is out of range",
        ),
        ({"copper": {"j2": {**GOOD_J2, "kinematic_fraction": 1.5}}}, r"kinematic_fraction = 1\.5 .*\[0, 1\]"),
        ({"copper": {"j2": {**GOOD_J2, "yeild_stress": 1e8}}}, r"\[copper\.j2\]: unknown key 'yeild_stress'"),
        ({"copper": {"j2": {k: v for k, v in GOOD_J2.items() if k != "source"}}}, r"\[copper\.j2\].*'source'"),
        ({"copper": {"j2": {k: v for k, v in GOOD_J2.items() if k != "yield_stress"}}}, r"missing key 'yield_stress'"),
        ({"copper": {"j2": {**GOOD_J2, "yield_stress": "high"}}}, r"yield_stress = 'high' must be a number"),
        ({"copper": {"plastic": GOOD_J2}}, r"unknown law 'plastic'"),
        ({"unobtainium": {"j2": GOOD_J2}}, r"unknown material id 'unobtainium'"),
        ({"copper": {"j2": GOOD_J2, "anand": {}}}, r"one law per material"),
        (
            {
                "underfill_capillary": {
                    "prony": {
                        "source": "t",
                        "shear_modulus_long_term": 1e8,
                        "shear_moduli": [1e9, 2e9],
                        "relaxation_times": [1.0],
                        "bulk_modulus": 5e9,
                        "reference_temperature": 400.0,
                        "shift": "none",
                    }
                }
            },
            r"shear_moduli \(2\) and relaxation_times \(1\)",
        ),
        (
            {
                "underfill_capillary": {
                    "prony": {
                        "source": "t",
                        "shear_modulus_long_term": 1e8,
                        "shear_moduli": [1e9],
                        "relaxation_times": [-1.0],
                        "bulk_modulus": 5e9,
                        "reference_temperature": 400.0,
                        "shift": "wlf",
                        "wlf_c1": 17.44,
                        "wlf_c2": 51.6,
                    }
                }
            },
            r"relaxation_times\[0\] = -1\.0 is out of range",
        ),
        ({"gallium": {"phase_change": {"source": "t", "beta": 0.5, "liquid_shear_fraction": 1e-6}}}, r"beta = 0\.5"),
    ],
)
def test_bad_data_refused_naming_table_key_and_value(table: dict, message: str) -> None:
    with pytest.raises(ConstitutiveDataError, match=message):
        parse(table)
