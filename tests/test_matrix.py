"""``run --python A B``: a two-interpreter version matrix, checked from its results alone.

Every block must hold one worker of every (version x runtime) arm, the order must vary between
blocks, and the versions view must pair the versions within blocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyperf
import pytest

from benchmarks.platform import interpreters
from benchmarks.running import blocks
from tests.conftest import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.acceptance]

RUNTIMES = ["asyncio", "trio"]
#: Four blocks: a cycle holds each of the four Williams rows three times, so four blocks cannot
#: all share one order.
PROCESSES = 4
BENCHMARK = "protocol.sync_reference[items=10]"


def other_version() -> str | None:
    """An installed CPython other than 3.11, or None."""
    for version in ("3.12", "3.13", "3.10"):
        if interpreters.find(version).found:
            return version
    return None


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory, ab_cache: Path) -> tuple[Path, list[str]]:
    other = other_version()
    if not interpreters.find("3.11").found or other is None:
        pytest.skip("a version matrix needs CPython 3.11 and one other installed version")
    out = tmp_path_factory.mktemp("matrix") / "m"
    completed = run_cli(
        "run", "--python", "3.11", other,
        "--workload", "protocol.sync_reference", "--param", "items=10",
        "--runtime", *RUNTIMES, "--fast", "-p", str(PROCESSES), "-n", "1", "-w", "0", "-l", "8",
        "-o", str(out), "--cache", str(ab_cache),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return out, ["3.11", other]


def worker_runs(out: Path, versions: list[str]) -> list[dict[str, object]]:
    runs = []
    for version in versions:
        for runtime in RUNTIMES:
            suite = pyperf.BenchmarkSuite.load(str(out / f"py{version}" / f"{runtime}.json"))
            for run in suite.get_benchmark(BENCHMARK).get_runs():
                runs.append(run.get_metadata())
    return runs


def test_the_matrix_writes_one_run_folder_per_version(matrix: tuple[Path, list[str]]) -> None:
    out, versions = matrix
    assert sorted(p.name for p in out.iterdir()) == sorted(f"py{v}" for v in versions)
    seeds = set()
    for version in versions:
        folder = out / f"py{version}"
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["manifest.json", *(f"{r}.json" for r in RUNTIMES)]
        )
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["complete"] is True and manifest["python"].startswith(version)
        assert manifest["design"]["order"] == "williams"
        seeds.add(manifest["design"]["seed"])
    assert len(seeds) == 1  # one design shared by every version's folder


def test_every_block_holds_one_worker_of_every_arm_in_varying_order(
    matrix: tuple[Path, list[str]],
) -> None:
    out, versions = matrix
    arms = sorted(f"py{v}/{r}" for v in versions for r in RUNTIMES)
    by_block: dict[str, dict[int, str]] = {}
    for metadata in worker_runs(out, versions):
        label = str(metadata[blocks.BLOCK_KEY])
        position = int(str(metadata[blocks.POSITION_KEY]))
        assert position not in by_block.setdefault(label, {}), "two workers in one position"
        by_block[label][position] = str(metadata[blocks.ARM_KEY])
    assert len(by_block) == PROCESSES
    orders = []
    for positions in by_block.values():
        assert sorted(positions.values()) == arms  # one worker of every arm
        assert sorted(positions) == list(range(len(arms)))
        orders.append(tuple(positions[p] for p in sorted(positions)))
    assert len(set(orders)) > 1  # the order varies between blocks


def test_the_versions_view_pairs_the_versions(matrix: tuple[Path, list[str]]) -> None:
    pytest.importorskip("pandas", reason="the versions view needs the [analysis] extra")
    from analysis.loading.load import load_results
    from analysis.views.versions import across_versions

    out, versions = matrix
    folders = [out / f"py{version}" for version in versions]
    ratios = across_versions(load_results(folders)).ratios
    assert sorted(ratios["runtime"]) == sorted(RUNTIMES)
    assert ratios["paired"].astype(bool).all()
    assert (ratios["n_processes"] == PROCESSES).all()


def test_the_matrix_counts_each_version_on_its_own_interpreter(
    tmp_path: Path, ab_cache: Path
) -> None:
    other = other_version()
    if not interpreters.find("3.11").found or other is None:
        pytest.skip("a version matrix needs CPython 3.11 and one other installed version")
    out = tmp_path / "counted"
    completed = run_cli(
        "run", "--python", "3.11", other, "--measure", "instructions", "--count-processes", "2",
        "--workload", "protocol.sync_reference", "--param", "items=10", "--runtime", "asyncio",
        "-o", str(out), "--cache", str(ab_cache),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for version in ("3.11", other):
        suite = pyperf.BenchmarkSuite.load(str(out / f"py{version}" / "asyncio.instructions.json"))
        (benchmark,) = suite.get_benchmarks()
        metadata = benchmark.get_metadata()
        assert metadata["suite_measure"] == "instructions"
        assert str(metadata["python_version"]).startswith(version)
        assert len(benchmark.get_runs()) == 2
