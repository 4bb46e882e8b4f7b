"""No runtime starts a thread inside the timed region: worker threads are warmed before the clock.

The test wraps the harness's clock: its first read opens the timed region and its second closes
it. ``threading.Thread.start`` is wrapped to record every thread started while the region is
open. Every I/O workload (the ones that hand work to threads) must start none, on every runtime,
in the first batch of a fresh process state as in later ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import ensure_fixture
from benchmarks.measured.workload import Case, Workload
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running import harness

IO_SPECS = [
    spec
    for spec in catalog.expand(catalog.select_workloads(["io.*"]))
    if spec.workload.uses_threads
]


class TimedRegion:
    """Counts threads started between the harness's two clock reads."""

    def __init__(self) -> None:
        self.open = False
        self.reads = 0
        self.started_while_timed: list[str] = []

    def clock(self) -> float:
        self.reads += 1
        self.open = not self.open
        return time.perf_counter()


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> Iterator[TimedRegion]:
    region = TimedRegion()
    monkeypatch.setattr(harness, "time", SimpleNamespace(perf_counter=region.clock))
    original_start = threading.Thread.start

    def recording_start(thread: threading.Thread) -> None:
        if region.open:
            region.started_while_timed.append(thread.name)
        original_start(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    yield region


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fixtures")


def io_case(spec: catalog.BenchmarkSpec, root: Path) -> Case:
    assert spec.workload.fixture is not None
    return Case(spec.params, ensure_fixture(spec.workload.fixture(Case(spec.params)), root))


@pytest.mark.parametrize("spec", IO_SPECS, ids=lambda spec: spec.name)
def test_no_thread_starts_inside_the_timed_region(
    spec: catalog.BenchmarkSpec, runtime_name: str, fixture_root: Path, region: TimedRegion
) -> None:
    case = io_case(spec, fixture_root)
    reason = spec.workload.unsupported(runtime_name, case)
    if reason is not None:
        pytest.skip(reason)
    for _ in range(2):  # every anyio.run starts a fresh loop, with fresh thread pools
        harness.time_batch(2, RUNTIMES[runtime_name], spec.workload, case)
    assert region.reads == 4, "the harness read the clock an unexpected number of times"
    assert region.started_while_timed == []


def starts_a_thread() -> Workload:
    async def run_once() -> int:
        thread = threading.Thread(target=int)
        thread.start()
        thread.join()
        return 1

    return Workload(
        name="test.starts_a_thread",
        description="starts a thread per run",
        item_unit="item",
        params={},
        inner_loops=lambda case: 1,
        expected=lambda case: 1,
        prepare=lambda case: run_once,
    )


def test_the_detector_sees_a_thread_started_while_timed(
    runtime_name: str, region: TimedRegion
) -> None:
    harness.time_batch(3, RUNTIMES[runtime_name], starts_a_thread(), Case({}))
    assert len(region.started_while_timed) == 3


@pytest.mark.parametrize("runtime_name", ["asyncio", "uvloop"])
def test_without_the_warm_up_the_asyncio_family_starts_threads_while_timed(
    runtime_name: str, fixture_root: Path, region: TimedRegion, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the warm-up prevents: each fresh asyncio loop starts anyio's worker thread on the
    first read (trio reuses its process-wide thread cache, so the bias was one-sided)."""
    if RUNTIMES[runtime_name].unavailable_reason() is not None:
        pytest.skip(str(RUNTIMES[runtime_name].unavailable_reason()))

    async def no_warm_up(case: Case) -> None:
        pass

    monkeypatch.setattr(harness, "warm_threads", no_warm_up)
    spec = next(
        s for s in IO_SPECS if s.workload.name == "io.file_chunks" and s.params["api"] == "anyio"
    )
    harness.time_batch(1, RUNTIMES[runtime_name], spec.workload, io_case(spec, fixture_root))
    assert region.started_while_timed != []
