"""How the processes of a count start: the suite's folder is never listed by importlib.

The folder a count runs in holds more than the suite's code (``.pytest_cache``, ``.nox``,
``results``, a user's notes). Listed by importlib's path finder, its entries become a set of
strings allocated before the regions, and the count moves: a ``.pytest_cache`` made by the
tests moved every anyio checkpoint count on asyncio by 3.3% (results/launch-listing-2026-12-03/).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.measured import catalog
from benchmarks.running import counting

SUITE = Path(counting.__file__).resolve().parents[1]

#: What a user's suite folder gathers beside the code (none of it is the code).
CLUTTER = (".pytest_cache/v/cache", ".nox/tests/bin", "results/some-run", ".ruff_cache")
CLUTTER_FILES = ("notes.md", "profile.out", ".coverage")


def suite_copy(folder: Path) -> Path:
    shutil.copytree(SUITE, folder / "benchmarks", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def clutter(source: Path, tag: str) -> None:
    for name in CLUTTER:
        (source / f"{name}-{tag}").mkdir(parents=True)
    for name in CLUTTER_FILES:
        (source / f"{tag}-{name}").write_text(tag * 40, encoding="utf-8")


PROBE = (
    "import json; import benchmarks.running.counted_worker as worker; "
    "print(json.dumps({'path': sys.path, 'listed': [str(p) for p in sys.path_importer_cache], "
    "'worker': worker.__file__}))"
)


def test_a_count_process_never_lists_the_suite_folder(tmp_path: Path) -> None:
    source = suite_copy(tmp_path / "suite")
    clutter(source, "a")
    completed = subprocess.run(
        [sys.executable, "-c", counting.LAUNCH_PRELUDE + PROBE],
        cwd=source,
        env=counting.worker_environ(counting.CountArm("a", "py", "asyncio", [], {}, "", "", {})),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout)
    # The worker is the copy's, found through the package, not through the folder.
    assert seen["worker"] == str(source / "benchmarks" / "running" / "counted_worker.py")
    assert "" not in seen["path"] and str(source) not in seen["path"]
    # No path finder was made for the folder: importlib never listed it.
    assert str(source) not in seen["listed"] and "" not in seen["listed"]
    assert str(source / "benchmarks" / "running") in seen["listed"]


def test_the_worker_command_runs_the_module_with_its_arguments(tmp_path: Path) -> None:
    source = suite_copy(tmp_path / "suite")
    command = counting.worker_command(sys.executable, "benchmarks.running.counted_worker")
    completed = subprocess.run(
        [*command, "--help"], cwd=source, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert "--describe" in completed.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    counting.unavailable_reason() is not None,
    reason=f"instructions cannot be counted here: {counting.unavailable_reason()}",
)
def test_clutter_in_the_suite_folder_does_not_move_a_count(tmp_path: Path) -> None:
    """The same code counted in a clean folder and in two cluttered ones: equal counts. (With
    ``python -m``, which lists the folder, the first clutter moved this count by 0.014% when
    this test was written; the whole suite's cells by up to 3.3%.)"""
    source = suite_copy(tmp_path / "suite")
    workload = catalog.load_workload("protocol.async_generator")
    specs = [
        spec
        for spec in catalog.expand([workload])
        if spec.params.get("mode") == "checkpoint" and spec.params.get("api") == "anyio"
    ]
    arm = counting.CountArm("a", sys.executable, "asyncio", specs, {}, "r", "m", {}, cwd=source)
    settings = counting.CountSettings(processes=1, jobs=1, values=2, warmups=1)
    counting.compile_sources([arm], settings)

    def count(index: int) -> list[int]:
        result = counting.run_process(arm, settings, index, tmp_path / "scratch")
        assert result.error is None, result.error
        return result.counts

    clean = count(0)
    clutter(source, "a")
    first = count(1)
    clutter(source, "b")
    second = count(2)
    assert clean == first == second
