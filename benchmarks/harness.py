"""The timed region: the only place the suite reads the clock.

pyperf calls :func:`time_batch` once per value (and during calibration and warm-up) with the
number of ``loops`` to run. Each call starts the runtime with ``anyio.run``; inside the running
loop the workload's session is opened (untimed), ``run_once`` is awaited ``loops`` times between
two ``time.perf_counter`` reads, the last result is checked (untimed) and the session is closed
(untimed). Runtime start-up and shutdown are therefore never inside a measured value.

Threads are warmed alike on every runtime: for a workload that hands work to threads
(``Workload.uses_threads``), a round trip to anyio's worker thread and the start of every thread
of the runtime's own executor (the asyncio family's default executor, which aiofiles uses; trio
has none) run before the clock, so no runtime starts a thread inside the timed region.
"""

from __future__ import annotations

import dataclasses
import time

import anyio

from benchmarks.native import anyio_primitives
from benchmarks.runtimes import Runtime
from benchmarks.workload import Case, Workload


class LeakedTasks(RuntimeError):
    """A workload left tasks running after its session closed."""


def time_batch(loops: int, runtime: Runtime, workload: Workload, case: Case) -> float:
    """Seconds taken by ``loops`` runs of the case, timed inside the running event loop."""
    if case.runtime is None:
        case = dataclasses.replace(case, runtime=runtime)
    return runtime.run(timed_batch, loops, workload, case)


async def warm_threads(case: Case) -> None:
    """Start, untimed, the worker threads a thread-using workload will use."""
    await anyio_primitives().warm_threads()
    if case.runtime is not None:
        await case.runtime.native().warm_threads()


async def timed_batch(loops: int, workload: Workload, case: Case) -> float:
    """Run the case ``loops`` times inside the current event loop; return the elapsed seconds."""
    tasks_before = len(anyio.get_running_tasks())
    if workload.uses_threads:
        await warm_threads(case)
    async with workload.open(case) as run_once:
        loop_range = range(loops)
        result: object = None
        clock = time.perf_counter
        started = clock()
        for _ in loop_range:
            result = await run_once()
        elapsed = clock() - started
        # Checked before the session closes, so results that live in it (files) still exist.
        workload.check(case, result)
    leaked = len(anyio.get_running_tasks()) - tasks_before
    if leaked > 0:
        raise LeakedTasks(f"{workload.benchmark_name(case.params)} left {leaked} task(s) running")
    return elapsed
