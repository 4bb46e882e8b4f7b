"""Counter iterators consumed concurrently in a task group, one task per counter.

Measures: ``counters`` ``AsyncCounterIterator`` objects, each iterated to ``steps`` with
``async for`` in its own task started with ``start_soon``, in ``checkpoint`` and ``latency``
delay modes. ``api=anyio``: anyio's task group, checkpoint and sleep (every runtime);
``api=native`` (checkpoint mode only): the runtime's own (``asyncio.TaskGroup`` and
``asyncio.sleep(0)``; a nursery and ``trio.lowlevel.checkpoint()``), with the same code.
Task creation and the task group's join are inside the timed region.
Unit: seconds per step (one ``__anext__`` of one counter; ``inner_loops = counters * steps``).
In latency mode, achieved concurrency = ``requested_sleep_seconds(case) / (value * inner_loops)``
(up to ``counters``); latency cases are recorded as ``timer_bound``. Latency cases above
``MAX_CONCURRENT_LATENCY_STEPS`` steps (10 000 x 100) are n/a: they take 12-60 s per run.
Checked: ``(counters finished, steps taken, most counters in flight)`` equals
``(counters, counters * steps, counters)``: every counter ran at once.
Why: the structured-concurrency version of the seed's ``asyncio.gather`` and the one that runs
on every runtime: it shows what interleaving many iterators costs per step (checkpoint) and how
well each runtime overlaps their waits as the number of tasks grows (latency); ``api`` tells
anyio's task group from the runtime's.
"""

from __future__ import annotations

from collections.abc import Mapping

from benchmarks.measured.workload import Case, DefaultValue, ParamValue, RunOnce
from benchmarks.measured.workloads.concurrency import _counter
from benchmarks.platform.native import API_NATIVE, APIS, TASK_GROUP, native_unavailable, primitives

#: Total requested sleep of one ``run_once`` (re-exported for the analysis).
requested_sleep_seconds = _counter.requested_sleep_seconds

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {"api": APIS, **_counter.PARAMS}
DEFAULTS: Mapping[str, DefaultValue] = {**_counter.DEFAULTS, "api": APIS}


def prepare(case: Case) -> RunOnce:
    make_counters = _counter.counter_factory(case)
    steps = case.int("steps")
    consume = _counter.consume
    task_group = primitives(case).task_group

    async def consume_into(
        counter: _counter.AsyncCounterIterator, final_counts: list[int], index: int
    ) -> None:
        final_counts[index] = await consume(counter)

    async def run_once() -> tuple[int, int, int]:
        counters, in_flight = make_counters()
        final_counts = [0] * len(counters)
        async with task_group() as group:
            for index, counter in enumerate(counters):
                group.start_soon(consume_into, counter, final_counts, index)
        return _counter.summarize(final_counts, steps, in_flight)

    return run_once


def applies(params: Mapping[str, ParamValue]) -> bool:
    """``api=native`` only with ``delay=checkpoint``: latency cases measure the timer, whose
    behaviour ``python -m benchmarks.running.timer_accuracy`` reports directly."""
    return not (params["api"] == API_NATIVE and params["delay"] == _counter.LATENCY_DELAY)


def unsupported(runtime: str, case: Case) -> str | None:
    return native_unavailable(runtime, case, TASK_GROUP) or _counter.too_many_latency_steps(
        runtime, case
    )


WORKLOAD = _counter.counter_workload(
    "concurrency.counters_task_group",
    __doc__ or "",
    prepare,
    unsupported,
    params=PARAMS,
    defaults=DEFAULTS,
    applies=applies,
)
