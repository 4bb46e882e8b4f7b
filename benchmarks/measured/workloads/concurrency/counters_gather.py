"""Counter iterators consumed concurrently with ``asyncio.gather``, as in the seed tutorial.

Measures: ``counters`` ``AsyncCounterIterator`` objects, each iterated to ``steps`` with
``async for`` in a coroutine passed to ``asyncio.gather`` (one task per counter), in
``checkpoint`` and ``latency`` delay modes. The counters pause with anyio's primitives, exactly
as in the task-group variant; only the concurrency primitive differs.
Unit: seconds per step (one ``__anext__`` of one counter; ``inner_loops = counters * steps``).
In latency mode, achieved concurrency = ``requested_sleep_seconds(case) / (value * inner_loops)``.
Latency cases above ``MAX_CONCURRENT_LATENCY_STEPS`` steps (10 000 x 100) are n/a: 12-60 s per run.
Checked: ``(counters finished, steps taken, most counters in flight)`` equals
``(counters, counters * steps, counters)``: every counter ran at once.
Latency cases are recorded as ``timer_bound``.
Why: the seed's own concurrent version; compared with ``counters_task_group`` it prices anyio's
task group against the bare asyncio primitive. asyncio family only (n/a on trio).
"""

from __future__ import annotations

import asyncio

from benchmarks.measured.workload import Case, RunOnce
from benchmarks.measured.workloads.concurrency import _counter
from benchmarks.platform.runtimes import ASYNCIO_EVENT_LOOP, lacks

#: Total requested sleep of one ``run_once`` (re-exported for the analysis).
requested_sleep_seconds = _counter.requested_sleep_seconds


def prepare(case: Case) -> RunOnce:
    make_counters = _counter.counter_factory(case)
    steps = case.int("steps")
    consume = _counter.consume

    async def run_once() -> tuple[int, int, int]:
        counters, in_flight = make_counters()
        final_counts = await asyncio.gather(*(consume(counter) for counter in counters))
        return _counter.summarize(list(final_counts), steps, in_flight)

    return run_once


def unsupported(runtime: str, case: Case) -> str | None:
    if lacks(runtime, ASYNCIO_EVENT_LOOP):
        return "asyncio.gather runs only on the asyncio family"
    return _counter.too_many_latency_steps(runtime, case)


WORKLOAD = _counter.counter_workload(
    "concurrency.counters_gather",
    __doc__ or "",
    prepare,
    unsupported,
    in_default_run=False,  # asyncio family only: the task-group form is in the default run
)
