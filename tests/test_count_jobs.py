"""Counting several folders (both sides of an A/B, every version of a matrix) in one pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureCache
from benchmarks.running import count_run, counting
from benchmarks.storage.results import Cell


class FakeFolder:
    """The part of a run folder that counting writes to."""

    def __init__(self, run_id: str) -> None:
        self.manifest: dict[str, Any] = {"run_id": run_id}
        self.merged: list[str] = []

    def record(self, cell: Cell, kind: str, reason: str) -> None:
        raise AssertionError(f"nothing should be n/a here: {cell} {kind} {reason}")

    def merge(self, cell: Cell, path: Path) -> None:
        assert path.is_file()
        self.merged.append(f"{cell.benchmark} on {cell.runtime}")


def cells_of(runtimes: list[str]) -> list[tuple[catalog.BenchmarkSpec, Cell]]:
    workload = catalog.load_workload("protocol.sync_reference")
    spec = catalog.expand([workload], overrides={"items": (10,)})[0]
    return [
        (spec, Cell(spec.name, runtime, workload.name, spec.params, counting.INSTRUCTIONS))
        for runtime in runtimes
    ]


def test_both_sides_share_one_pool_and_each_folder_gets_its_own_cells(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pyperf

    pools: list[list[counting.CountArm]] = []

    def count_arms(arms, settings, scratch, on_done) -> None:  # type: ignore[no-untyped-def]
        pools.append(list(arms))
        for arm in arms:
            run = pyperf.Run([1000.0], metadata={"name": arm.specs[0].name, "loops": 1},
                             collect_metadata=False)  # fmt: skip
            on_done(arm, {spec.name: pyperf.Benchmark([run]) for spec in arm.specs})

    monkeypatch.setattr(counting, "count_arms", count_arms)
    monkeypatch.setattr(counting, "unavailable_reason", lambda: None)
    baseline, candidate = FakeFolder("a"), FakeFolder("b")
    jobs = [
        count_run.CountJob(baseline, cells_of(["asyncio", "trio"]), {}, lambda s, r: None,
                           python="/python/a", name="baseline"),
        count_run.CountJob(candidate, cells_of(["asyncio", "trio"]), {}, lambda s, r: None,
                           python="/python/b", name="candidate"),
    ]  # fmt: skip
    tallies = count_run.count_jobs(
        jobs, counting.CountSettings(processes=1), FixtureCache(tmp_path), "default", tmp_path
    )
    assert len(pools) == 1  # one pool: no core waits between the sides
    assert sorted((arm.python, arm.runtime) for arm in pools[0]) == [
        ("/python/a", "asyncio"), ("/python/a", "trio"),
        ("/python/b", "asyncio"), ("/python/b", "trio"),
    ]  # fmt: skip
    assert len({arm.label for arm in pools[0]}) == 4
    assert len({len(arm.label) for arm in pools[0]}) == 1  # scratch paths of one length
    name = cells_of(["asyncio"])[0][0].name
    assert baseline.merged == [f"{name} on asyncio", f"{name} on trio"]
    assert candidate.merged == baseline.merged
    assert [t.measured for t in tallies] == [2, 2]
