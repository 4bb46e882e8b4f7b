"""Round trips into a running async generator with ``asend(value)`` or ``athrow(exception)``.

Measures: one ``await generator.asend(value)`` (``op=asend``) or
``await generator.athrow(Bump(value))`` (``op=athrow``: the generator catches the exception and
carries on) into an accumulator generator that is suspended at its ``yield``. The generator is
created and primed once per ``run_once`` and closed at its end (both inside the measured value,
once per ``items`` round trips).
Unit: seconds per round trip.
Checked: ``(round trips, last total)``: the generator adds ``position * value`` for every value it
receives, so the last total equals ``sum((position + 1) * value)`` over ``range(items)`` only if
every value arrived once and in order; and its ``finally`` ran exactly once.
Why: ``asend`` and ``athrow`` are the two-way half of the async generator protocol (coroutine-style
pipelines, ``contextlib.asynccontextmanager`` throws into generators); their per-call cost is what
such code pays on top of ``async for``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping

from benchmarks.measured.workload import Case, ParamValue, RunOnce, Workload
from benchmarks.measured.workloads.protocol import _common

OPS: tuple[str, ...] = ("asend", "athrow")
#: Round trips per ``run_once``.
ITEMS_LADDER: tuple[int, ...] = (10, 1_000, 100_000)
DEFAULT_ITEMS = 1_000

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {"op": OPS, "items": ITEMS_LADDER}


class Bump(Exception):
    """Thrown into the accumulator with the value it carries."""


class Finalized:
    def __init__(self) -> None:
        self.count = 0


async def accumulator(finalized: Finalized) -> AsyncGenerator[int, int]:
    """Yields its running total; adds ``position * value`` for every value sent or thrown in."""
    position = total = 0
    try:
        while True:
            try:
                value = yield total
            except Bump as bump:
                value = bump.args[0]
            position += 1
            total += position * value
    finally:
        finalized.count += 1


def prepare(case: Case) -> RunOnce:
    items = case.int("items")

    async def run_asend() -> tuple[int, int, int]:
        finalized = Finalized()
        generator = accumulator(finalized)
        total = await anext(generator)
        send = generator.asend
        count = 0
        for value in range(items):
            total = await send(value)
            count += 1
        await generator.aclose()
        return count, total, finalized.count

    async def run_athrow() -> tuple[int, int, int]:
        finalized = Finalized()
        generator = accumulator(finalized)
        total = await anext(generator)
        throw = generator.athrow
        count = 0
        for value in range(items):
            total = await throw(Bump(value))
            count += 1
        await generator.aclose()
        return count, total, finalized.count

    return run_asend if case["op"] == "asend" else run_athrow


def expected(case: Case) -> tuple[int, int, int]:
    return (*_common.weighted_checksum(case.int("items")), 1)


WORKLOAD = Workload(
    name="generators.asend_athrow",
    description=__doc__ or "",
    item_unit="round trip",
    params=PARAMS,
    defaults={"op": "asend", "items": DEFAULT_ITEMS},  # athrow: --ladder or --param op=athrow
    inner_loops=lambda case: case.int("items"),
    expected=expected,
    prepare=prepare,
)
