"""``run`` interleaves the runtimes' worker processes in blocks, and stamps each block."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pyperf
import pytest

from benchmarks.running import blocks, runner
from benchmarks.running.runtime_blocks import WorkerSettings, worker_settings
from tests.conftest import AVAILABLE_RUNTIMES, run_cli


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            [],
            WorkerSettings(runner.PROCESSES, runner.VALUES, runner.WARMUPS, runner.MIN_TIME, None),
        ),
        (["--fast"], WorkerSettings(6, 2, runner.WARMUPS, runner.MIN_TIME, None)),
        (["--rigorous", "-q"], WorkerSettings(24, 3, runner.WARMUPS, runner.MIN_TIME, None)),
        (["-p", "4", "--values=2", "--loops", "8"], WorkerSettings(4, 2, 1, runner.MIN_TIME, 8)),
        (["--identity", '{"machine": "m"}'], WorkerSettings(12, 3, 1, runner.MIN_TIME, None)),
    ],
)
def test_worker_settings_follow_pyperf(args: list[str], expected: WorkerSettings) -> None:
    assert worker_settings(args) == expected


@pytest.mark.parametrize(
    "args", [["--track-memory"], ["--tracemalloc"], ["--debug-single-value"], ["--affinity=1"]]
)
def test_options_only_a_pyperf_master_honours_run_runtimes_apart(args: list[str]) -> None:
    assert worker_settings(args) is None


def test_stamp_labels_every_run(tmp_path: Path) -> None:
    runs = [
        pyperf.Run(
            [1.0, 1.1], metadata={"name": "b", "date": "2026-12-01"}, collect_metadata=False
        ),
        pyperf.Run([1.2], metadata={"name": "b", "date": "2026-12-01"}, collect_metadata=False),
    ]
    path = tmp_path / "w.json"
    pyperf.BenchmarkSuite([pyperf.Benchmark(runs)]).dump(str(path))
    blocks.stamp(path, "run|b|4")
    loaded = pyperf.Benchmark.load(str(path))
    assert [r.get_metadata()[blocks.BLOCK_KEY] for r in loaded.get_runs()] == ["run|b|4"] * 2


@pytest.mark.slow
def test_a_run_interleaves_runtimes_in_blocks(tmp_path: Path) -> None:
    out = tmp_path / "run"
    completed = run_cli(
        "run", "--workload", "protocol.sync_reference", "--param", "items=10",
        "--processes", "3", "--values", "1", "--warmups", "0", "--min-time", "0.001",
        "-o", str(out),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "interleaved" in completed.stdout
    when: dict[str, dict[str, str]] = {}  # block -> runtime -> start date
    where: dict[str, dict[str, int]] = {}  # block -> runtime -> position in the block
    for runtime in AVAILABLE_RUNTIMES:
        (benchmark,) = pyperf.BenchmarkSuite.load(str(out / f"{runtime}.json")).get_benchmarks()
        assert benchmark.get_nrun() == 3
        for run in benchmark.get_runs():
            metadata = run.get_metadata()
            when.setdefault(metadata[blocks.BLOCK_KEY], {})[runtime] = metadata["date"]
            where.setdefault(metadata[blocks.BLOCK_KEY], {})[runtime] = metadata[
                blocks.POSITION_KEY
            ]
    run_id = json.loads((out / "manifest.json").read_text())["run_id"]  # unique, not "run"
    assert run_id != "run"
    assert sorted(when) == [f"{run_id}|protocol.sync_reference[items=10]|{b}" for b in range(3)]
    ordered = [when[label] for label in sorted(when)]
    for block in ordered:  # one process of every runtime per block
        assert sorted(block) == sorted(AVAILABLE_RUNTIMES)
    for earlier, later in itertools.pairwise(ordered):  # blocks run one after another
        assert max(earlier.values()) < min(later.values())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["interleaved"] is True
    design = manifest["design"]
    assert design["order"] == "williams"
    for block, label in enumerate(sorted(when)):  # the recorded seed gives the order that ran
        expected = blocks.worker_order(len(AVAILABLE_RUNTIMES), block, design["seed"])
        ran = sorted(where[label], key=where[label].__getitem__)
        assert ran == [AVAILABLE_RUNTIMES[i] for i in expected]
        dates = [when[label][runtime] for runtime in ran]
        assert dates == sorted(dates)  # positions are the order the workers started in
