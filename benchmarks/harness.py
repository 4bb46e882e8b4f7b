"""The timed region: the only place the suite reads the clock.

pyperf calls :func:`time_batch` once per value (and during calibration and warm-up) with the
number of ``loops`` to run. Each call starts the runtime with ``anyio.run``; inside the running
loop the workload's session is opened (untimed), ``run_once`` is awaited ``loops`` times between
two ``time.perf_counter`` reads, the last result is checked (untimed) and the session is closed
(untimed). Runtime start-up and shutdown are therefore never inside a measured value.

**Injected slowdown, for sensitivity self-checks.** When ``AITER_BENCH_INJECT_SLOWDOWN`` holds a
fraction ``s`` (e.g. ``0.05``), each timed batch is stretched to ``(1 + s)`` times its own measured
duration by busy-waiting on the same clock right after the workload's loop, inside the timed
region and outside the workload's code: every item then costs ``s`` more of its own measured time,
whatever the workload and runtime. It is off by default (unset or ``0``) and recorded in every
benchmark's metadata as ``injected_slowdown``.

Threads are warmed alike on every runtime: for a workload that hands work to threads
(``Workload.uses_threads``), a round trip to anyio's worker thread and the start of every thread
of the runtime's own executor (the asyncio family's default executor, which aiofiles uses; trio
has none) run before the clock, so no runtime starts a thread inside the timed region.
"""

from __future__ import annotations

import dataclasses
import os
import time
from functools import cache

import anyio

from benchmarks.native import anyio_primitives
from benchmarks.runtimes import Runtime
from benchmarks.workload import Case, Workload

#: Environment variable holding the injected slowdown, a fraction of the measured time.
SLOWDOWN_ENV = "AITER_BENCH_INJECT_SLOWDOWN"
#: Largest slowdown accepted (10 = eleven times slower), to catch a percent given as a fraction.
MAX_SLOWDOWN = 10.0


def parse_slowdown(text: str) -> float:
    """A slowdown fraction from text: ``""`` is 0; negative, huge or non-numbers are errors."""
    if not text.strip():
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"slowdown {text!r} is not a number (a fraction, e.g. 0.05)") from None
    if not 0.0 <= value <= MAX_SLOWDOWN:
        raise ValueError(f"slowdown {text!r} must be a fraction between 0 and {MAX_SLOWDOWN:g}")
    return value


@cache
def injected_slowdown() -> float:
    """The slowdown fraction asked for by ``AITER_BENCH_INJECT_SLOWDOWN`` (0.0 when unset)."""
    return parse_slowdown(os.environ.get(SLOWDOWN_ENV, ""))


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
    slowdown = injected_slowdown()
    if workload.uses_threads:
        await warm_threads(case)
    async with workload.open(case) as run_once:
        loop_range = range(loops)
        result: object = None
        clock = time.perf_counter
        started = clock()
        for _ in loop_range:
            result = await run_once()
        now = clock()
        if slowdown:
            deadline = started + (now - started) * (1.0 + slowdown)
            while now < deadline:  # busy wait: the CPU stays as busy as in the workload
                now = clock()
        elapsed = now - started
        # Checked before the session closes, so results that live in it (files) still exist.
        workload.check(case, result)
    leaked = len(anyio.get_running_tasks()) - tasks_before
    if leaked > 0:
        raise LeakedTasks(f"{workload.benchmark_name(case.params)} left {leaked} task(s) running")
    return elapsed
