"""``flipstack materials`` and ``flipstack geometries``: what exists, with units, defaults and sources."""

from __future__ import annotations

import pytest

from fem_package.case.geometry import GEOMETRY_MODELS
from fem_package.cli import main
from fem_package.materials import library


def test_material_table_lists_every_material(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["materials"]) == 0
    out = capsys.readouterr().out
    for key in library():
        assert key in out


def test_material_detail_shows_values_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["materials", "sac305"]) == 0
    out = capsys.readouterr().out
    assert "youngs_modulus" in out and "Pang" in out and "solidus" in out
    assert main(["materials", "unobtainium"]) != 0
    assert "unobtainium" in capsys.readouterr().err


def test_geometry_table_lists_every_type_and_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geometries"]) == 0
    out = capsys.readouterr().out
    for gtype, model in GEOMETRY_MODELS.items():
        assert f"{gtype}:" in out
        for name in set(model.model_fields) - {"type"}:  # the type is the heading
            assert name in out, (gtype, name)
