"""The instructions channel end to end: runs made apart agree, 1% more work is flagged.

Real ``run --measure instructions`` commands under Valgrind on a small selection (two CPU-bound
workloads at their default 1 000 items, every default runtime, 2 instrumented processes each;
at 10 items a region is so short that one timer callback more or less moves its count by
several percent). Then ``compare``:
two runs of the same code made apart (separate commands) give no verdict but "equivalent" and
agree to within 0.1%; a run whose harness adds about 1% of an item's instructions to one
workload's items is a regression on every runtime for that workload, and nothing else is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.running import counting
from tests.conftest import AVAILABLE_RUNTIMES, REPO_ROOT, run_cli

pytestmark = [
    pytest.mark.slow,
    pytest.mark.acceptance,
    pytest.mark.skipif(
        counting.unavailable_reason() is not None,
        reason=f"instructions cannot be counted here: {counting.unavailable_reason()}",
    ),
]

SELECTION = (
    "--workload", "protocol.iterable_asyncgen", "protocol.sync_reference", "--count-processes", "2",
)  # fmt: skip
#: A cell whose history-shift threshold (0.8%, thresholds.toml) is under the 1% injected.
SLOWED = "protocol.iterable_asyncgen[mode=checkpoint,api=anyio,items=1000]"
#: The injected work as a fraction of an item's instructions.
INJECTED = 0.01


def count_run(folder: Path, runtimes: list[str], environ: dict[str, str] | None = None) -> None:
    if environ:
        command = [sys.executable, "-m", "benchmarks", "run", "--measure", "instructions"]
        completed = subprocess.run(
            [*command, *SELECTION, "--runtime", *runtimes, "-o", str(folder)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **environ},
            capture_output=True,
            text=True,
            timeout=900,
        )
    else:
        completed = run_cli(
            "run", "--measure", "instructions", *SELECTION, "--runtime", *runtimes,
            "-o", str(folder), timeout=900,
        )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr


def per_item(folder: Path, runtime: str, benchmark: str) -> float:
    document = json.loads((folder / f"{runtime}.instructions.json").read_text())
    for entry in document["benchmarks"]:
        if entry["metadata"]["name"] == benchmark:
            values = [v for run in entry["runs"] for v in run["values"]]
            return sum(values) / len(values)
    raise AssertionError(f"{benchmark} not in {folder}")


def compare(baseline: Path, candidate: Path, out: Path) -> tuple[int, dict[str, object]]:
    completed = subprocess.run(
        [sys.executable, "-m", "analysis", "compare", str(baseline), str(candidate),
         "--json", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(out.read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("counted")
    first, again, slowed = root / "first", root / "again", root / "slowed"
    count_run(first, AVAILABLE_RUNTIMES)
    count_run(again, AVAILABLE_RUNTIMES)
    cost = counting.spin_cost(sys.executable, root, cwd=REPO_ROOT)
    # INJECTED on the runtime with the most instructions per item (more on the others).
    base = max(per_item(first, runtime, SLOWED) for runtime in AVAILABLE_RUNTIMES)
    work = {SLOWED: counting.work_for_slowdown(base, INJECTED, cost)}
    count_run(slowed, AVAILABLE_RUNTIMES, {"AITER_BENCH_INJECT_WORK": json.dumps(work)})
    return {"first": first, "again": again, "slowed": slowed, "root": root}


def test_runs_made_apart_agree_within_a_tenth_of_a_percent(runs: dict[str, Path]) -> None:
    code, result = compare(runs["first"], runs["again"], runs["root"] / "aa.json")
    assert code == 0, result["headline"]
    rows = result["rows"]
    assert isinstance(rows, list) and len(rows) == 2 * len(AVAILABLE_RUNTIMES)
    for row in rows:
        assert row["metric"] == "instructions"
        assert abs(row["ratio"] - 1) < 0.001, (row["benchmark"], row["runtime"], row["ratio"])
        assert row["verdict"] != "regression"


def test_one_percent_more_work_is_flagged_on_every_runtime_and_nothing_else(
    runs: dict[str, Path],
) -> None:
    code, result = compare(runs["first"], runs["slowed"], runs["root"] / "ab.json")
    assert code == 1, result["headline"]
    rows = result["rows"]
    assert isinstance(rows, list)
    flagged = {(row["benchmark"], row["runtime"]) for row in rows if row["verdict"] == "regression"}
    assert flagged == {(SLOWED, runtime) for runtime in AVAILABLE_RUNTIMES}
    for row in rows:
        if row["benchmark"] == SLOWED:
            assert 1.005 < row["ratio"] < 1.06, (row["runtime"], row["ratio"])
