"""Bad input: one clear message naming key, value and what is allowed; exit code 2; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from fem_package.cli import main
from tests.conftest import REPO

GOOD = """
[geometry]
type = "solder_bump"
die_length = "4 mm"
die_width = "4 mm"
pitch = "500 um"
bump_diameter = "300 um"
standoff = "220 um"
rows = 1
"""

BAD = {
    "unknown_key": (GOOD + "colour = 'red'\n", ["geometry.colour", "unknown key", "allowed keys", "pitch"]),
    "unknown_section": (GOOD + "[meshh]\nmax_size = 1\n", ["meshh", "unknown key", "mesh"]),
    "wrong_type": (GOOD.replace("rows = 1", 'rows = "two"'), ["geometry.rows", "'two'", "integer"]),
    "non_positive_size": (
        GOOD.replace('die_length = "4 mm"', 'die_length = "-4 mm"'),
        ["geometry.die_length", "'-4 mm'", "greater than 0"],
    ),
    "wrong_unit": (GOOD.replace('pitch = "500 um"', 'pitch = "500 s"'), ["geometry.pitch", "'500 s'", "length"]),
    "bump_not_smaller_than_pitch": (
        GOOD.replace('bump_diameter = "300 um"', 'bump_diameter = "500 um"'),
        ["geometry", "bump_diameter = 500 um", "smaller than pitch = 500 um"],
    ),
    "die_larger_than_substrate": (
        GOOD + 'substrate_length = "3 mm"\n',
        ["die_length = 4 mm", "must not exceed", "substrate_length = 3 mm"],
    ),
    "array_does_not_fit": (GOOD + "bumps_x = 9\n", ["bumps_x = 9", "does not fit", "at most 8"]),
    "too_many_rows": (GOOD.replace("rows = 1", "rows = 4"), ["rows = 4", "at most 3"]),
    "unknown_geometry": (GOOD.replace('"solder_bump"', '"pogo_pin"'), ["geometry", "pogo_pin", "laminate"]),
    "unknown_material": (
        GOOD + "[materials.assign]\nbump = 'chocolate'\n",
        ["materials.assign.bump", "'chocolate'", "known:", "sac305"],
    ),
    "unknown_role": (GOOD + "[materials.assign]\nlid = 'copper'\n", ["materials.assign.lid", "allowed roles", "die"]),
    "override_out_of_range": (
        GOOD + "[materials.overrides.sac305]\npoisson_ratio = 0.6\n",
        ["materials.overrides.sac305.poisson_ratio", "0.6", "less than 0.5"],
    ),
    "unknown_profile": (GOOD + "[load]\nprofile = 'JESD22-A104-Z'\n", ["load.profile", "JESD22-A104-G", "custom"]),
    "custom_without_points": (GOOD + "[load]\nprofile = 'custom'\n", ["load", "needs points"]),
    "times_not_increasing": (
        GOOD + "[load]\nprofile = 'custom'\npoints = [['10 min', '25 C'], ['5 min', '125 C']]\n",
        ["load", "strictly increasing"],
    ),
    "temperature_below_zero_kelvin": (
        GOOD + "[load]\nstart_temperature = -40\n",
        ["load.start_temperature", "-40", "write '-40 C'"],
    ),
    "bad_degree": (GOOD + "[solver]\ndegree = 3\n", ["solver.degree", "3", "1 or 2"]),
    "not_toml": ("[geometry\n", ["not valid TOML"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_refused_with_a_clear_message(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = BAD[name]
    case = tmp_path / "case.toml"
    case.write_text(text)
    out = tmp_path / "out"
    assert main(["run", str(case), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml"]  # nothing written
    assert main(["validate", str(case)]) == 2


def test_good_case_validates_and_prints_si_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.toml"
    case.write_text(GOOD)
    assert main(["validate", str(case)]) == 0
    out = capsys.readouterr().out
    assert "pitch = 0.0005" in out and "valid" in out


def test_missing_case_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_existing_output_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.toml"
    case.write_text(GOOD)
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    assert main(["run", str(case), "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml", "out"]


def test_unknown_material_name_in_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["materials", "unobtainium"]) == 2
    assert "unknown material 'unobtainium'" in capsys.readouterr().err


def test_resolved_case_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fem_package.case import load_case

    case = tmp_path / "case.toml"
    case.write_text(GOOD + "[load]\nprofile = 'custom'\npoints = [['0 s', '25 C'], ['10 min', '-40 C']]\n")
    assert main(["validate", str(case)]) == 0
    resolved = tmp_path / "resolved.toml"
    resolved.write_text(capsys.readouterr().out)
    assert load_case(resolved).digest() == load_case(case).digest()


@pytest.mark.parametrize(
    "example",
    sorted(p for p in (REPO / "examples").rglob("*.toml") if "sweeps" not in p.parts),
    ids=lambda p: str(p.relative_to(REPO / "examples")),
)
def test_examples_are_valid(example: Path) -> None:
    assert main(["validate", str(example), "-q"]) == 0
