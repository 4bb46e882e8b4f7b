"""The seed's ``AsyncCounterIterator``, its seeded delays and the ladder shared by the
concurrency workloads (a helper module, not a workload)."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping

from benchmarks.measured.workload import Case, DefaultValue, ParamValue, RunOnce, Workload
from benchmarks.platform.native import Primitives, primitives

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
#: The default run measures the scheduler (checkpoint); latency cells, which measure the timer,
#: are on ``--ladder`` (and ``--param delay=latency``).
DEFAULTS: Mapping[str, DefaultValue] = {
    "delay": "checkpoint",
    "counters": DEFAULT_COUNTERS,
    "steps": DEFAULT_STEPS,
}


class InFlight:
    """How many counters have started and not finished: now, and the most at any moment.

    The proof of concurrency: the peak is ``counters`` when every counter runs at once and 1
    when they run one after the other.
    """

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0

    def start(self) -> None:
        self.now += 1
        if self.now > self.peak:
            self.peak = self.now

    def finish(self) -> None:
        self.now -= 1


class AsyncCounterIterator:
    """The seed's counter: a class-based async iterator yielding ``1..end``, one checkpoint per
    step (the seed awaits a random ``asyncio.sleep``; see :class:`LatencyCounterIterator`).
    Its first step and its end are reported to ``in_flight``."""

    def __init__(
        self, name: str, end: int, layer: Primitives, in_flight: InFlight | None = None
    ) -> None:
        self.counter = 0
        self.name = name
        self.end = end
        self.checkpoint = layer.checkpoint
        self.in_flight = in_flight or InFlight()

    def __aiter__(self) -> AsyncCounterIterator:
        return self

    async def __anext__(self) -> int:
        if self.counter >= self.end:
            self.in_flight.finish()
            raise StopAsyncIteration
        if self.counter == 0:
            self.in_flight.start()
        self.counter += 1
        await self.checkpoint()
        return self.counter


class LatencyCounterIterator(AsyncCounterIterator):
    """The counter with a simulated latency per step: ``delays_ms[i]`` ms before step ``i + 1``."""

    def __init__(
        self, name: str, end: int, layer: Primitives, in_flight: InFlight, delays_ms: bytes
    ) -> None:
        super().__init__(name, end, layer, in_flight)
        self.sleep = layer.sleep
        self.delays_ms = delays_ms

    async def __anext__(self) -> int:
        if self.counter >= self.end:
            self.in_flight.finish()
            raise StopAsyncIteration
        if self.counter == 0:
            self.in_flight.start()
        delay = _MS_TO_SECONDS[self.delays_ms[self.counter]]
        self.counter += 1
        await self.sleep(delay)
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


CounterFactory = Callable[[], tuple[list[AsyncCounterIterator], InFlight]]


def counter_factory(case: Case) -> CounterFactory:
    """A function building fresh counters for one ``run_once`` (delays drawn here, untimed),
    pausing with the case's primitives (anyio's, or the runtime's own for ``api=native``)."""
    counters = case.int("counters")
    steps = case.int("steps")
    layer = primitives(case)
    names = [f"#{index + 1}" for index in range(counters)]
    if case["delay"] == LATENCY_DELAY:
        draws = latency_draws(counters, steps)

        def make_latency() -> tuple[list[AsyncCounterIterator], InFlight]:
            in_flight = InFlight()
            return [
                LatencyCounterIterator(name, steps, layer, in_flight, delays)
                for name, delays in zip(names, draws, strict=True)
            ], in_flight

        return make_latency

    def make_checkpoint() -> tuple[list[AsyncCounterIterator], InFlight]:
        in_flight = InFlight()
        return [AsyncCounterIterator(name, steps, layer, in_flight) for name in names], in_flight

    return make_checkpoint


async def consume(iterator: AsyncCounterIterator) -> int:
    """The seed's ``task()`` without the print: iterate to the end, return the last count."""
    last = 0
    async for count in iterator:
        last = count
    return last


def summarize(final_counts: list[int], steps: int, in_flight: InFlight) -> tuple[int, int, int]:
    """``(counters that reached steps, total steps taken, most counters in flight at once)``."""
    return sum(1 for count in final_counts if count == steps), sum(final_counts), in_flight.peak


def expected_concurrent(case: Case) -> tuple[int, int, int]:
    """Every counter finished, every step taken, and all ``counters`` in flight at once."""
    counters = case.int("counters")
    return counters, counters * case.int("steps"), counters


def expected_sequential(case: Case) -> tuple[int, int, int]:
    """Every counter finished, every step taken, never more than one in flight."""
    counters = case.int("counters")
    return counters, counters * case.int("steps"), 1


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
    Latency cases are also ``timer_bound`` (see :func:`is_latency`).
    """
    if case["delay"] != LATENCY_DELAY:
        return {}
    return {"requested_sleep_per_item": requested_sleep_seconds(case) / total_steps(case)}


def is_latency(case: Case) -> bool:
    """Latency cases wait for timers: their values are timer behaviour, not speed."""
    return case["delay"] == LATENCY_DELAY


def counter_workload(
    name: str,
    description: str,
    prepare: Callable[[Case], RunOnce],
    unsupported: Callable[[str, Case], str | None] = too_many_latency_steps,
    *,
    concurrent: bool = True,
    params: Mapping[str, tuple[ParamValue, ...]] = PARAMS,
    defaults: Mapping[str, DefaultValue] = DEFAULTS,
    applies: Callable[[Mapping[str, ParamValue]], bool] | None = None,
    in_default_run: bool = True,
) -> Workload:
    """A concurrency workload over the shared counter ladder, unit and self-check."""
    return Workload(
        name=name,
        description=description,
        item_unit="step",
        params=params,
        defaults=defaults,
        inner_loops=total_steps,
        expected=expected_concurrent if concurrent else expected_sequential,
        prepare=prepare,
        unsupported=unsupported,
        extra_metadata=latency_metadata,
        timer_bound=is_latency,
        applies=applies,
        in_default_run=in_default_run,
    )
