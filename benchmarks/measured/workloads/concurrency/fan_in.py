"""Fan-in: N async generators merged through a task group into one ``async for``.

Measures: ``sources`` async generators, each iterated by its own task in an anyio task group and
forwarded into one anyio memory object stream (``BUFFER`` slots, one cloned send end per
source); the consumer drains the receive end with a single ``async for``. ``TOTAL_ITEMS`` items
are split evenly over the sources (2048 each for 2 sources, 16 each for 256), so the values of
the ladder differ only in how many producers compete. Task start-up and the join are inside the
measured value.
Unit: seconds per item received.
Checked: ``(items received, items out of order within their source, sum of items)`` equals
``(TOTAL_ITEMS, 0, sum(range(TOTAL_ITEMS)))``: item ``position * sources + source`` of every
source arrives exactly once and in its source's order.
Why: merging many streams into one loop (subscriptions, shards, websocket clients) is the
canonical use of a task group with async iterators; how the cost per item moves from 2 to 256
producers shows each runtime's scheduling and wake-up costs under contention.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import anyio
from anyio.streams.memory import MemoryObjectSendStream

from benchmarks.measured.workload import Case, ParamValue, RunOnce, Workload

SOURCES_LADDER: tuple[int, ...] = (2, 16, 256)
DEFAULT_SOURCES = 16
#: Items per ``run_once``, over all sources (a multiple of every ladder value).
TOTAL_ITEMS = 4_096
#: Slots of the merged stream.
BUFFER = 16

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {"sources": SOURCES_LADDER}


async def numbers(source: int, sources: int, count: int) -> AsyncIterator[int]:
    """Items ``position * sources + source`` for ``position < count``."""
    for position in range(count):
        yield position * sources + source


async def forward(generator: AsyncIterator[int], send: MemoryObjectSendStream[int]) -> None:
    async with send:
        async for value in generator:
            await send.send(value)


def prepare(case: Case) -> RunOnce:
    sources = case.int("sources")
    per_source = TOTAL_ITEMS // sources

    async def run_once() -> tuple[int, int, int]:
        send, receive = anyio.create_memory_object_stream[int](BUFFER)
        next_position = [0] * sources
        received = disorder = total = 0
        async with anyio.create_task_group() as group, receive:
            with send:
                for source in range(sources):
                    group.start_soon(forward, numbers(source, sources, per_source), send.clone())
            async for value in receive:
                received += 1
                total += value
                position, source = divmod(value, sources)
                if next_position[source] != position:
                    disorder += 1
                next_position[source] = position + 1
        return received, disorder, total

    return run_once


def expected(case: Case) -> tuple[int, int, int]:
    return TOTAL_ITEMS, 0, TOTAL_ITEMS * (TOTAL_ITEMS - 1) // 2


WORKLOAD = Workload(
    name="concurrency.fan_in",
    description=__doc__ or "",
    item_unit="item",
    params=PARAMS,
    defaults={"sources": DEFAULT_SOURCES},
    inner_loops=lambda case: TOTAL_ITEMS,
    expected=expected,
    prepare=prepare,
)
