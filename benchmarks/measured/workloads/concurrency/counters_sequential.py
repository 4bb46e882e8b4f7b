"""Counter iterators consumed one after the other: the seed's ``await task(...)`` sequence.

Measures: ``counters`` ``AsyncCounterIterator`` objects, each iterated to ``steps`` with
``async for`` before the next starts, in ``checkpoint`` and ``latency`` delay modes.
Unit: seconds per step (one ``__anext__`` of one counter; ``inner_loops = counters * steps``).
In latency mode the sleeps never overlap: achieved concurrency
``requested_sleep_seconds(case) / (value * inner_loops)`` is at most 1, and its shortfall is the
runtime's timer overshoot plus per-step overhead.
Checked: ``(counters finished, steps taken, most counters in flight)`` equals
``(counters, counters * steps, 1)``: never two counters at once.
Latency cases are recorded as ``timer_bound``.
Why: the baseline the concurrent variants are compared with; the seed's first, sequential
version. Latency cases whose requested sleep exceeds ``MAX_SEQUENTIAL_SLEEP_SECONDS`` are n/a
(10 000 counters would sleep for minutes per value); the concurrent variants run them.
"""

from __future__ import annotations

from benchmarks.measured.workload import Case, RunOnce
from benchmarks.measured.workloads.concurrency import _counter

#: Sequential latency cases requesting more sleep than this per ``run_once`` are not run.
MAX_SEQUENTIAL_SLEEP_SECONDS = 5.0

#: Total requested sleep of one ``run_once`` (re-exported for the analysis).
requested_sleep_seconds = _counter.requested_sleep_seconds


def prepare(case: Case) -> RunOnce:
    make_counters = _counter.counter_factory(case)
    steps = case.int("steps")
    consume = _counter.consume

    async def run_once() -> tuple[int, int, int]:
        counters, in_flight = make_counters()
        final_counts = [await consume(counter) for counter in counters]
        return _counter.summarize(final_counts, steps, in_flight)

    return run_once


def unsupported(runtime: str, case: Case) -> str | None:
    sleep = requested_sleep_seconds(case)
    if sleep > MAX_SEQUENTIAL_SLEEP_SECONDS:
        return (
            f"sequential latency would sleep {sleep:.0f} s per run "
            f"(limit {MAX_SEQUENTIAL_SLEEP_SECONDS:.0f} s); see the concurrent variants"
        )
    return None


WORKLOAD = _counter.counter_workload(
    "concurrency.counters_sequential", __doc__ or "", prepare, unsupported, concurrent=False
)
