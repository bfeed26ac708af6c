"""report.html and compare.html of real runs, opened in headless Chromium (every picture must load)."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fem_package.cli import main
from tests.conftest import external_tool
from tests.report_helpers import small_run

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Headless Chromium on a machine without network or display (a fresh --user-data-dir is added)."""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_run(tmp_path_factory, underfill=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium driven by chromedriver (both from Debian), with a throw-away profile."""
    chromium = external_tool("chromium")
    chromedriver = external_tool("chromedriver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    with tempfile.TemporaryDirectory(prefix="flipstack-chromium-") as profile:
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def loaded_images(browser: Any, page: Path) -> list[tuple[str, bool, int, int]]:
    """(alt, complete, natural width, natural height) of every <img> after Chromium loaded ``page``."""
    browser.get(page.resolve().as_uri())
    script = "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight])"
    return [tuple(i) for i in browser.execute_script(script)]


def test_run_writes_a_report_with_its_sections(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text()
    summary = json.loads((run_dir / "summary.json").read_text())
    for heading in ("Case", "Cutaway", "Thermal profile", "Joints", "Peak stresses per region", "Solver", "Versions"):
        assert f"<h2>{heading}" in html
    crit = summary["critical_joint"]["name"]
    assert re.search(rf'<tr class="critical"><td>{crit} \(critical\)</td>', html)
    assert summary["case"]["hash"] in html and "case_resolved.toml" in html
    assert "<script" not in html.lower()


def test_report_opens_in_chromium_with_every_picture(browser: Any, run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text()
    images = loaded_images(browser, run_dir / "report.html")
    assert len(images) == html.count("<img") == 2  # cutaway and thermal profile
    for alt, complete, width, height in images:
        assert complete and width > 300 and height > 200, alt
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []  # nothing fetched: the page is one file
    assert browser.title == json.loads((run_dir / "summary.json").read_text())["case"]["title"]


def test_report_command_rebuilds_and_refuses_other_folders(run_dir: Path, tmp_path: Path) -> None:
    (run_dir / "report.html").unlink()
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "report.html").stat().st_size > 10_000
    assert main(["report", str(tmp_path)]) == 2  # no summary.json: bad input


def test_compare_two_concepts(
    browser: Any, run_dir: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    bare = small_run(tmp_path_factory, underfill=False)
    assert main(["compare", str(run_dir), str(bare), "--out", str(tmp_path), "--baseline", str(bare)]) == 0
    with (tmp_path / "compare.csv").open() as f:
        rows = {Path(r["run"]).name: r for r in csv.DictReader(f)}
    s_uf = json.loads((run_dir / "summary.json").read_text())["critical_joint"]["shear_strain_range"]
    s_bare = json.loads((bare / "summary.json").read_text())["critical_joint"]["shear_strain_range"]
    assert rows["bare"]["baseline"] == "True" and float(rows["bare"]["shear_strain_range_ratio"]) == 1.0
    assert float(rows["underfill"]["shear_strain_range_ratio"]) == pytest.approx(s_uf / s_bare, rel=1e-12)
    # the underfill is a region role of one run only: its column is empty for the other
    assert rows["underfill"]["peak_von_mises_Pa_underfill"] and not rows["bare"]["peak_von_mises_Pa_underfill"]
    images = loaded_images(browser, tmp_path / "compare.html")
    assert len(images) == 1 and images[0][1] and images[0][2] > 500
