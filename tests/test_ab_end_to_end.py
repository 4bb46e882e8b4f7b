"""``python -m benchmarks ab`` through the real command: the same commit twice, then with an
injected slowdown on the candidate. One environment is built (both specs name it) and reused."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
from pathlib import Path

import pyperf
import pytest

from benchmarks.running import blocks
from benchmarks.running.interleave import compare_available
from tests.conftest import REPO_ROOT, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.acceptance]

PROCESSES = 4
TINY = [
    "--workload", "protocol.sync_reference",
    "--param", "items=10",
    "--runtime", "asyncio",
    "-p", str(PROCESSES), "-n", "2", "-w", "1", "--min-time", "0.002",
]  # fmt: skip
BENCHMARK = "protocol.sync_reference[items=10]"


def head() -> str:
    return subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def cache(ab_cache: Path) -> Path:
    return ab_cache


def run_ab(out: Path, cache: Path, candidate: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "ab", "--baseline", "HEAD", "--candidate", candidate, *TINY,
        "-o", str(out), "--cache", str(cache),
    )  # fmt: skip


def side(out: Path, name: str) -> pyperf.Benchmark:
    return pyperf.BenchmarkSuite.load(str(out / name / "asyncio.json")).get_benchmark(BENCHMARK)


def geometric_mean(benchmark: pyperf.Benchmark) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in benchmark.get_values()))


def check_compare(out: Path, completed: subprocess.CompletedProcess[str], expected: int) -> None:
    if compare_available():
        assert completed.returncode == expected, completed.stdout + completed.stderr
        assert (out / "compare.md").exists()
    else:
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert "compare skipped: 'python -m analysis compare' is not available" in completed.stdout


def test_same_commit_twice(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "aa"
    completed = run_ab(out, cache, "HEAD")
    check_compare(out, completed, expected=0)
    baseline, candidate = side(out, "baseline"), side(out, "candidate")
    # Both sides: one benchmark each, every worker's run merged, the same loops.
    assert baseline.get_nrun() == candidate.get_nrun() == PROCESSES
    assert baseline.get_metadata()["loops"] == candidate.get_metadata()["loops"]
    for bench in (baseline, candidate):
        metadata = bench.get_metadata()
        assert metadata["suite_commit"] == head()
        assert metadata["suite_dirty"] == "false"
        assert metadata["injected_slowdown"] == 0.0
        assert metadata["suite_mode"] == "ab"
    manifest = json.loads((out / "candidate" / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["na"] == []
    assert manifest["ab"]["side"] == "candidate" and manifest["ab"]["order"] == "williams"
    assert manifest["design"]["arms"] == ["baseline", "candidate"]
    # Every block holds one worker of each side, in the order the recorded seed gives.
    for block in range(PROCESSES):
        first = blocks.worker_order(2, block, manifest["design"]["seed"])[0]
        positions = {
            name: [r.get_metadata()[blocks.POSITION_KEY] for r in bench.get_runs()][block]
            for name, bench in (("baseline", baseline), ("candidate", candidate))
        }
        assert positions == {
            ("baseline", "candidate")[first]: 0,
            ("baseline", "candidate")[1 - first]: 1,
        }
    assert manifest["identity"]["suite_commit"] == head()


def test_injected_slowdown_on_the_candidate(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "slow"
    completed = run_ab(out, cache, "HEAD,slowdown=1")
    assert "reusing" in completed.stdout  # one environment serves both sides
    check_compare(out, completed, expected=1)
    baseline, candidate = side(out, "baseline"), side(out, "candidate")
    assert baseline.get_metadata()["injected_slowdown"] == 0.0
    assert candidate.get_metadata()["injected_slowdown"] == 1.0
    assert baseline.get_metadata()["loops"] == candidate.get_metadata()["loops"]
    assert geometric_mean(candidate) / geometric_mean(baseline) > 1.5


def test_bad_spec_is_one_line_exit_2(tmp_path: Path) -> None:
    completed = run_ab(tmp_path / "bad", tmp_path / "cache", "colour=red")
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: unknown SPEC key 'colour'")
    assert completed.stderr.count("\n") == 1
