"""The seed's ``AsyncCounterIterator``, its seeded delays and the ladder shared by the
concurrency workloads (a helper module, not a workload)."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping

import anyio
from anyio.lowlevel import checkpoint

from benchmarks.workload import Case, ParamValue, RunOnce, Workload

#: One scheduler checkpoint per step: the cost of interleaving, nothing to wait for.
CHECKPOINT_DELAY = "checkpoint"
#: One ``anyio.sleep`` per step, drawn from a seeded distribution: simulated I/O latency.
LATENCY_DELAY = "latency"
DELAY_MODES: tuple[str, ...] = (CHECKPOINT_DELAY, LATENCY_DELAY)

#: Number of counter iterators run in one ``run_once``.
COUNTERS_LADDER: tuple[int, ...] = (2, 100, 10_000)
#: Steps each counter counts to (the seed's ``end``).
STEPS_LADDER: tuple[int, ...] = (10, 100)

#: Concurrent latency cases above this many steps are not run: with 10 000 counters, 100 steps
#: take 12 s (asyncio) to 58 s (trio) per ``run_once``, CPU-bound in the timer queues.
MAX_CONCURRENT_LATENCY_STEPS = 100_000

#: Default run: the seed's two counters, ten steps each, in both delay modes (1-50 ms per
#: ``run_once``). 100 counters are on the ladder: sequential latency takes 2 s per run there.
DEFAULT_COUNTERS = 2
DEFAULT_STEPS = 10

#: Seed of the latency draws (the same delays on every runtime and every run).
LATENCY_SEED = 20_240_531
#: Per-step latencies in milliseconds: the seed's ``randint(1, 3) / 10`` s scaled down 100x.
#: Not smaller: asyncio and trio round a sub-millisecond timer up to the next millisecond of
#: their epoll timeout and uvloop rounds it down to zero, so a 0.1-0.3 ms sleep would measure
#: timer granularity, differently per runtime, instead of the requested latency.
LATENCY_MS_CHOICES: tuple[int, ...] = (1, 2, 3)
_MS_TO_SECONDS: tuple[float, ...] = tuple(ms / 1000 for ms in range(max(LATENCY_MS_CHOICES) + 1))

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "delay": DELAY_MODES,
    "counters": COUNTERS_LADDER,
    "steps": STEPS_LADDER,
}
DEFAULTS: Mapping[str, ParamValue] = {"counters": DEFAULT_COUNTERS, "steps": DEFAULT_STEPS}


class AsyncCounterIterator:
    """The seed's counter: a class-based async iterator yielding ``1..end``, one checkpoint per
    step (the seed awaits a random ``asyncio.sleep``; see :class:`LatencyCounterIterator`)."""

    def __init__(self, name: str = "", end: int = 5) -> None:
        self.counter = 0
        self.name = name
        self.end = end

    def __aiter__(self) -> AsyncCounterIterator:
        return self

    async def __anext__(self) -> int:
        if self.counter >= self.end:
            raise StopAsyncIteration
        self.counter += 1
        await checkpoint()
        return self.counter


class LatencyCounterIterator(AsyncCounterIterator):
    """The counter with a simulated latency per step: ``delays_ms[i]`` ms before step ``i + 1``."""

    def __init__(self, name: str, end: int, delays_ms: bytes) -> None:
        super().__init__(name, end)
        self.delays_ms = delays_ms

    async def __anext__(self) -> int:
        if self.counter >= self.end:
            raise StopAsyncIteration
        delay = _MS_TO_SECONDS[self.delays_ms[self.counter]]
        self.counter += 1
        await anyio.sleep(delay)
        return self.counter


@functools.lru_cache(maxsize=8)
def latency_draws(counters: int, steps: int) -> tuple[bytes, ...]:
    """Per-counter delays in ms, ``steps`` each, drawn from ``random.Random(LATENCY_SEED)``."""
    rng = random.Random(LATENCY_SEED)
    draws = bytes(rng.choices(LATENCY_MS_CHOICES, k=counters * steps))
    return tuple(draws[i * steps : (i + 1) * steps] for i in range(counters))


def requested_sleep_seconds(case: Case) -> float:
    """Total sleep one ``run_once`` requests (0 in checkpoint mode).

    Achieved concurrency = ``requested_sleep_seconds(case) / (value * inner_loops)``: 1 for a
    sequential consumer, up to ``counters`` when every counter's sleeps overlap.
    """
    if case["delay"] != LATENCY_DELAY:
        return 0.0
    draws = latency_draws(case.int("counters"), case.int("steps"))
    return sum(sum(delays) for delays in draws) / 1000


CounterFactory = Callable[[], list[AsyncCounterIterator]]


def counter_factory(case: Case) -> CounterFactory:
    """A function building fresh counters for one ``run_once`` (delays drawn here, untimed)."""
    counters = case.int("counters")
    steps = case.int("steps")
    names = [f"#{index + 1}" for index in range(counters)]
    if case["delay"] == LATENCY_DELAY:
        draws = latency_draws(counters, steps)

        def make_latency() -> list[AsyncCounterIterator]:
            return [
                LatencyCounterIterator(name, steps, delays)
                for name, delays in zip(names, draws, strict=True)
            ]

        return make_latency

    def make_checkpoint() -> list[AsyncCounterIterator]:
        return [AsyncCounterIterator(name, steps) for name in names]

    return make_checkpoint


async def consume(iterator: AsyncCounterIterator) -> int:
    """The seed's ``task()`` without the print: iterate to the end, return the last count."""
    last = 0
    async for count in iterator:
        last = count
    return last


def summarize(final_counts: list[int], steps: int) -> tuple[int, int]:
    """``(counters that reached steps, total steps taken)``: ``(counters, counters * steps)``."""
    return sum(1 for count in final_counts if count == steps), sum(final_counts)


def expected(case: Case) -> tuple[int, int]:
    counters = case.int("counters")
    return counters, counters * case.int("steps")


def total_steps(case: Case) -> int:
    return case.int("counters") * case.int("steps")


def too_many_latency_steps(runtime: str, case: Case) -> str | None:
    """Why a concurrent latency case is not run: above ``MAX_CONCURRENT_LATENCY_STEPS`` steps."""
    steps = total_steps(case)
    if case["delay"] == LATENCY_DELAY and steps > MAX_CONCURRENT_LATENCY_STEPS:
        return (
            f"latency mode with {steps:_} steps takes 10-60 s per run "
            f"(limit {MAX_CONCURRENT_LATENCY_STEPS:_} steps)"
        )
    return None


def latency_metadata(case: Case) -> dict[str, float]:
    """``requested_sleep_per_item``: seconds of sleep requested per step (latency mode only).

    Achieved concurrency = ``requested_sleep_per_item / value`` (value: seconds per step).
    """
    if case["delay"] != LATENCY_DELAY:
        return {}
    return {"requested_sleep_per_item": requested_sleep_seconds(case) / total_steps(case)}


def counter_workload(
    name: str,
    description: str,
    prepare: Callable[[Case], RunOnce],
    unsupported: Callable[[str, Case], str | None] = too_many_latency_steps,
) -> Workload:
    """A concurrency workload over the shared counter ladder, unit and self-check."""
    return Workload(
        name=name,
        description=description,
        item_unit="step",
        params=PARAMS,
        defaults=DEFAULTS,
        inner_loops=total_steps,
        expected=expected,
        prepare=prepare,
        unsupported=unsupported,
        extra_metadata=latency_metadata,
    )
