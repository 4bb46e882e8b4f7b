"""Acceptance of the action: a maintainer's pull request that slows ``anyio.lowlevel.checkpoint``.

The library under test is a copy of anyio's installed sources in a folder with a
``pyproject.toml``. The candidate's copy spends about 5% more of an item's instructions in
``checkpoint`` (a fixed loop: a deterministic amount of work, which instructions count exactly).
The action's entry script, counting instructions on two protocol benchmarks on asyncio (one
awaits anyio's checkpoint per item, one never suspends), must exit 1 and name only the first;
on the same copy twice it must exit 0.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.action_support import read_outputs, run_action
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.acceptance]

CHECKPOINT = "protocol.async_generator[mode=checkpoint,api=anyio,items=1000]"
NOSUSPEND = "protocol.async_generator[mode=nosuspend,api=anyio,items=1000]"
#: ``checkpoint``'s body in anyio/lowlevel.py, and the same with extra work in front of it: 14
#: passes over a constant tuple. Measured under callgrind on CPython 3.11 (anyio 4.16, asyncio),
#: 1 000 items through anyio's checkpoint cost 27 123 628 instructions, and 28 517 539 (+5.1%)
#: with the extra work; nosuspend items do not call checkpoint.
ORIGINAL = "    await get_async_backend().checkpoint()\n"
SLOWER = "    for _ in (None,) * 14:\n        pass\n" + ORIGINAL


def ab_help() -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "ab", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    return completed.stdout


def ab_has_measure() -> bool:
    return "--measure" in ab_help()


def cheap_options() -> str:
    """The two benchmarks with anyio's checkpoint API; two instrumented processes, not three."""
    fewer = " --count-processes 2" if "--count-processes" in ab_help() else ""
    return "--param api=anyio" + fewer


requires_instructions = [
    pytest.mark.skipif(
        not ab_has_measure(),
        reason="ab has no --measure yet (the instructions channel, issue 14, is not merged)",
    ),
    pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed"),
]


def anyio_copy(folder: Path, slower: bool) -> Path:
    """anyio's installed sources as a project of their own, optionally with the slowdown."""
    distribution = importlib.metadata.distribution("anyio")
    installed = Path(str(distribution.locate_file("anyio")))
    shutil.copytree(installed, folder / "src" / "anyio", ignore=shutil.ignore_patterns("*.pyc"))
    requirements = [r for r in distribution.requires or [] if "extra ==" not in r]
    (folder / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["setuptools>=68"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        'name = "anyio"\n'
        f'version = "{distribution.version}"\n'
        f"dependencies = {json.dumps(requirements)}\n",
        encoding="utf-8",
    )
    if slower:
        lowlevel = folder / "src" / "anyio" / "lowlevel.py"
        text = lowlevel.read_text(encoding="utf-8")
        assert text.count(ORIGINAL) == 1, "anyio.lowlevel.checkpoint changed: update the test"
        lowlevel.write_text(text.replace(ORIGINAL, SLOWER), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("maintainer")
    return anyio_copy(root / "anyio-main", False), anyio_copy(root / "anyio-slower", True)


def maintainer_run(
    workspace: Path, cache: Path, baseline: Path, candidate: Path
) -> tuple[int, dict[str, str], list[dict[str, object]], str]:
    output = workspace / "github_output"
    completed = run_action(
        {
            "baseline": f"pip={baseline}",
            "candidate": f"pip={candidate}",
            "runtimes": "asyncio",
            "workloads": "protocol.async_generator",
            "ab-options": cheap_options(),
            "measure": "instructions",
            "results": "out",
            "cache": "false",
            "cache-dir": str(cache),
        },
        workspace,
        timeout=1800,
        GITHUB_OUTPUT=str(output),
        GITHUB_ACTIONS="true",
    )
    rows = json.loads((workspace / "out" / "compare.json").read_text())["rows"]
    return completed.returncode, read_outputs(output), rows, completed.stdout + completed.stderr


def test_the_copies_differ_only_in_checkpoint(copies: tuple[Path, Path]) -> None:
    main, slower = copies
    files = sorted(p.relative_to(main) for p in main.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(slower) for p in slower.rglob("*") if p.is_file())
    changed = [f for f in files if (main / f).read_bytes() != (slower / f).read_bytes()]
    assert changed == [Path("src/anyio/lowlevel.py")]
    assert (main / changed[0]).read_text().count(ORIGINAL) == 1
    assert SLOWER in (slower / changed[0]).read_text()


@requires_instructions[0]
@requires_instructions[1]
def test_a_slower_checkpoint_is_caught_and_named_alone(
    copies: tuple[Path, Path], tmp_path: Path, ab_cache: Path
) -> None:
    code, outputs, rows, log = maintainer_run(tmp_path, ab_cache, *copies)
    assert code == 1, log
    regressions = {row["benchmark"] for row in rows if row["verdict"] == "regression"}
    assert regressions == {CHECKPOINT}, log
    assert {row["benchmark"] for row in rows} >= {CHECKPOINT, NOSUSPEND}
    assert outputs["verdict"] == "regression"
    assert int(outputs["regressions"]) == sum(1 for r in rows if r["verdict"] == "regression")
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert errors and all("mode=checkpoint" in line for line in errors), log


@requires_instructions[0]
@requires_instructions[1]
def test_the_same_version_twice_passes(
    copies: tuple[Path, Path], tmp_path: Path, ab_cache: Path
) -> None:
    main, _ = copies
    code, outputs, rows, log = maintainer_run(tmp_path, ab_cache, main, main)
    assert code == 0, log
    assert outputs["regressions"] == "0"
    assert not [row for row in rows if row["verdict"] == "regression"]
