"""The timed region excludes runtime start-up and shutdown, and catches leaks."""

from __future__ import annotations

import asyncio
import time

import anyio
import pytest

from benchmarks.measured.workload import Case, RunOnce, Workload
from benchmarks.platform.runtimes import Runtime
from benchmarks.running.harness import LeakedTasks, time_batch

SLOW_START_SECONDS = 0.3


def trivial_workload(run_once: RunOnce, name: str = "test.trivial") -> Workload:
    return Workload(
        name=name,
        description="trivial",
        item_unit="item",
        params={},
        inner_loops=lambda case: 1,
        expected=lambda case: 1,
        prepare=lambda case: run_once,
    )


async def return_one() -> int:
    return 1


class SlowClosingLoop(asyncio.SelectorEventLoop):
    def close(self) -> None:
        time.sleep(SLOW_START_SECONDS)
        super().close()


def slow_loop_factory() -> asyncio.AbstractEventLoop:
    time.sleep(SLOW_START_SECONDS)
    return SlowClosingLoop()


def test_start_up_and_shutdown_are_not_measured() -> None:
    runtime = Runtime(
        "slow-asyncio", backend="asyncio", backend_options={"loop_factory": slow_loop_factory}
    )
    started = time.perf_counter()
    measured = time_batch(10, runtime, trivial_workload(return_one), Case({}))
    wall = time.perf_counter() - started
    # The runtime really was slow to start and to stop...
    assert wall >= 2 * SLOW_START_SECONDS
    # ...and none of it is in the measured value.
    assert measured < SLOW_START_SECONDS / 10


def test_measured_value_grows_with_loops() -> None:
    """The clock brackets the loops: ten times the loops takes clearly longer than one."""

    async def busy() -> int:
        time.sleep(0.002)
        return 1

    runtime = Runtime("asyncio", backend="asyncio")
    one = time_batch(1, runtime, trivial_workload(busy), Case({}))
    ten = time_batch(10, runtime, trivial_workload(busy), Case({}))
    assert one >= 0.002
    assert ten >= 10 * 0.002 > one


@pytest.mark.parametrize("runtime_name", ["asyncio", "uvloop"])
def test_leaked_task_is_reported(runtime_name: str) -> None:
    """A task left running after the session closes fails the benchmark.

    (On trio a task cannot outlive its nursery, so there is nothing to leak.)
    """
    from benchmarks.platform.runtimes import RUNTIMES

    async def leak() -> int:
        asyncio.get_running_loop().create_task(asyncio.sleep(3600))
        return 1

    with pytest.raises(LeakedTasks, match="left 1 task"):
        time_batch(1, RUNTIMES[runtime_name], trivial_workload(leak), Case({}))


def test_clean_workload_is_not_reported_as_leaking(runtime_name: str) -> None:
    from benchmarks.platform.runtimes import RUNTIMES

    async def spawn_and_join() -> int:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.sleep, 0)
        return 1

    # Raises LeakedTasks if the joined task were counted as leaked.
    time_batch(2, RUNTIMES[runtime_name], trivial_workload(spawn_and_join), Case({}))


@pytest.mark.parametrize("raises", [False, True])
def test_the_region_runs_on_a_frozen_heap_and_unfreezes_after(raises: bool) -> None:
    """Everything alive before the region is set aside from the collector while it runs (so a
    collection in it walks only what it allocated), and given back when it ends, even when the
    workload raised."""
    import gc

    seen: list[int] = []

    async def record_frozen() -> int:
        seen.append(gc.get_freeze_count())
        if raises:
            raise RuntimeError("the workload failed")
        return 1

    runtime = Runtime("asyncio", backend="asyncio")
    assert gc.get_freeze_count() == 0
    if raises:
        with pytest.raises(RuntimeError, match="the workload failed"):
            time_batch(3, runtime, trivial_workload(record_frozen), Case({}))
    else:
        time_batch(3, runtime, trivial_workload(record_frozen), Case({}))
    assert seen and all(count > 1000 for count in seen)
    assert gc.get_freeze_count() == 0
