"""``aclose()`` of async generators suspended at a ``yield`` inside ``try``/``finally``.

Measures: for each of ``generators`` async generators: create it, advance it once with
``anext()`` (it is now suspended inside ``try``), then ``await generator.aclose()``, which throws
``GeneratorExit`` in and runs its ``finally``. ``cleanup=none``: the ``finally`` only counts
(the language's finalization cost, alike on every runtime); ``cleanup=checkpoint``: the
``finally`` also awaits ``anyio.lowlevel.checkpoint()``, as cleanup that closes a connection
does, so each close is a round trip through the runtime's scheduler.
Unit: seconds per generator (create + first item + close).
Checked: ``(generators closed, finally blocks run, sum((position + 1) * first item))`` equals
``(generators, generators, that of range(generators))``.
Why: every ``aclosing()`` block, every ``break`` out of a generator that is then closed, and every
cancelled stream ends in ``aclose()``; its price decides whether closing eagerly is cheap.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping

from anyio.lowlevel import checkpoint

from benchmarks.measured.workload import Case, ParamValue, RunOnce, Workload
from benchmarks.measured.workloads.protocol import _common

CLEANUPS: tuple[str, ...] = ("none", "checkpoint")
#: Generators created and closed per ``run_once``.
GENERATORS_LADDER: tuple[int, ...] = (10, 1_000, 100_000)
DEFAULT_GENERATORS = 1_000
#: Default run: async cleanup (the runtime-dependent case); ``none`` is on ``--ladder``.
DEFAULT_CLEANUP = "checkpoint"

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "cleanup": CLEANUPS,
    "generators": GENERATORS_LADDER,
}


class Finalized:
    def __init__(self) -> None:
        self.count = 0


async def resource(value: int, finalized: Finalized) -> AsyncGenerator[int, None]:
    try:
        while True:
            yield value
    finally:
        finalized.count += 1


async def resource_with_async_cleanup(
    value: int, finalized: Finalized
) -> AsyncGenerator[int, None]:
    try:
        while True:
            yield value
    finally:
        await checkpoint()
        finalized.count += 1


def prepare(case: Case) -> RunOnce:
    generators = case.int("generators")
    make = resource_with_async_cleanup if case["cleanup"] == "checkpoint" else resource

    async def run_once() -> tuple[int, int, int]:
        finalized = Finalized()
        closed = total = 0
        for value in range(generators):
            generator = make(value, finalized)
            first = await anext(generator)
            await generator.aclose()
            closed += 1
            total += closed * first
        return closed, finalized.count, total

    return run_once


def expected(case: Case) -> tuple[int, int, int]:
    count, weighted = _common.weighted_checksum(case.int("generators"))
    return count, count, weighted


WORKLOAD = Workload(
    name="generators.aclose",
    description=__doc__ or "",
    item_unit="generator",
    params=PARAMS,
    defaults={"cleanup": DEFAULT_CLEANUP, "generators": DEFAULT_GENERATORS},
    inner_loops=lambda case: case.int("generators"),
    expected=expected,
    prepare=prepare,
)
