"""Counter iterators consumed concurrently in an anyio task group, one task per counter.

Measures: ``counters`` ``AsyncCounterIterator`` objects, each iterated to ``steps`` with
``async for`` in its own task started with ``TaskGroup.start_soon``, in ``checkpoint`` and
``latency`` delay modes. Task creation and the task group's join are inside the timed region.
Unit: seconds per step (one ``__anext__`` of one counter; ``inner_loops = counters * steps``).
In latency mode, achieved concurrency = ``requested_sleep_seconds(case) / (value * inner_loops)``
(up to ``counters``). Latency cases above ``MAX_CONCURRENT_LATENCY_STEPS`` steps (10 000 x 100)
are n/a: they take 12-60 s per run.
Why: the structured-concurrency version of the seed's ``asyncio.gather`` and the one that runs
on every runtime: it shows what interleaving many iterators costs per step (checkpoint) and how
well each runtime overlaps their waits as the number of tasks grows (latency).
"""

from __future__ import annotations

import anyio

from benchmarks.workload import Case, RunOnce
from benchmarks.workloads.concurrency import _counter

#: Total requested sleep of one ``run_once`` (re-exported for the analysis).
requested_sleep_seconds = _counter.requested_sleep_seconds


def prepare(case: Case) -> RunOnce:
    make_counters = _counter.counter_factory(case)
    steps = case.int("steps")
    consume = _counter.consume

    async def consume_into(
        counter: _counter.AsyncCounterIterator, final_counts: list[int], index: int
    ) -> None:
        final_counts[index] = await consume(counter)

    async def run_once() -> tuple[int, int]:
        counters = make_counters()
        final_counts = [0] * len(counters)
        async with anyio.create_task_group() as group:
            for index, counter in enumerate(counters):
                group.start_soon(consume_into, counter, final_counts, index)
        return _counter.summarize(final_counts, steps)

    return run_once


WORKLOAD = _counter.counter_workload("concurrency.counters_task_group", __doc__ or "", prepare)
