"""The instrumented process forks one child per benchmark (run natively here: no Valgrind)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from benchmarks.measured import catalog
from benchmarks.running import counted_worker, counting
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the counted worker forks")


def plan(runtime: str = "asyncio") -> dict[str, object]:
    workloads = [catalog.load_workload("protocol.sync_reference"),
                 catalog.load_workload("protocol.class_iterator")]  # fmt: skip
    specs = catalog.expand(workloads, overrides={"items": (10,)})[:2]
    arm = counting.CountArm("a", sys.executable, runtime, specs, {}, "r", "m", {})
    return counting.plan_document(arm, counting.CountSettings(warmups=1, values=2))


def test_every_benchmark_runs_in_a_child_of_its_own() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.running.counted_worker"],
        input=json.dumps(plan()), cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(completed.stdout)
    children = [entry["pid"] for entry in report["benchmarks"]]
    assert len(set(children)) == len(children) == 2
    assert report["pid"] not in children
    for entry in report["benchmarks"]:
        assert entry["error"] is None
        assert entry["regions"] == ["warmup", "value", "value"]


def test_a_child_that_dies_is_a_failed_benchmark_and_the_worker_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def dies(entry: object, plan: object) -> dict[str, object]:
        os._exit(3)

    monkeypatch.setattr(counted_worker, "count_benchmark", dies)
    entry = plan()["benchmarks"][0]  # type: ignore[index]
    report = counted_worker.count_in_child(entry, plan(), "some.benchmark")
    assert report["died"] is True
    assert report["regions"] == []
    assert report["error"] == "the benchmark's process died (exit code 3)"
    assert report["name"] == "some.benchmark"
