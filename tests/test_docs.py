"""The documentation site: generated pages match the code and results, and the site builds
with ``mkdocs build --strict`` (a broken link, a missing page or a bad snippet fails)."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.rendering import published_page
from benchmarks.measured import workload_page
from benchmarks.measured.catalog import load_workload
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def test_the_workloads_page_is_generated_from_the_workloads() -> None:
    page = (DOCS / "workloads.md").read_text(encoding="utf-8")
    assert page == workload_page.render(), (
        "docs/workloads.md is stale: python -m benchmarks.measured.workload_page docs/workloads.md"
    )
    for name in ("protocol.class_iterator", "io.zip_backup", "streams.tcp_lines"):
        assert f"`{name}`" in page


def test_a_workload_docstring_change_shows_on_the_page() -> None:
    workload = load_workload("protocol.class_iterator")
    changed = dataclasses.replace(workload, description="Changed.\n\nWhy: a test.")
    page = workload_page.render([changed])
    assert "Changed." in page and "**Why:** a test." in page
    assert "| `items` | `10`, **`1000`**, `100000` |" in page


def test_the_published_page_lists_every_published_run() -> None:
    page = (DOCS / "published.md").read_text(encoding="utf-8")
    assert page == published_page.render(REPO_ROOT / "results"), (
        "docs/published.md is stale: python -m analysis.rendering.published_page docs/published.md"
    )
    runs = [p.name for p in (REPO_ROOT / "results").iterdir() if (p / "manifest.json").is_file()]
    assert runs
    for run in runs:
        assert f"`{run}`" in page


@pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None, reason="mkdocs is not installed (docs extra)"
)
def test_the_site_builds_strictly(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    site = tmp_path / "site"
    for page in ("index.html", "workloads.html", "published.html"):
        assert (site / page).is_file(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    # Navigation links name the page's file, so they also work from file:// (no server).
    assert 'href="getting-started.html"' in home and 'href="getting-started/"' not in home
    report = "results/2026-12-01T133920_py3.11_vm/report/report.html"
    assert (site / report).is_file()  # the hook published the report the pages link to


def test_the_published_page_tells_an_interleaved_matrix_from_one_made_in_turn(
    tmp_path: Path,
) -> None:
    import json

    for name, experiments in (("together", ["e1", "e1"]), ("in-turn", [None, None])):
        for version, experiment in zip(("py3.10", "py3.12"), experiments, strict=True):
            folder = tmp_path / name / version
            folder.mkdir(parents=True)
            manifest = {"measures": ["time"]}
            if experiment:
                manifest["design"] = {"experiment": experiment}  # type: ignore[assignment]
            (folder / "manifest.json").write_text(json.dumps(manifest))
        (tmp_path / name / "report").mkdir()
        (tmp_path / name / "report" / "report.html").write_text("<html></html>")
    facts = {entry.name: entry.facts for entry in published_page.entries(tmp_path)}
    assert facts["together"].startswith("Python versions interleaved in shared blocks: py3.10")
    assert facts["in-turn"].startswith("one run per Python version, made one after another")
