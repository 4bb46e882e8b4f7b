"""Items through an anyio memory object stream, consumed with ``async for``.

Measures: a producer task sends ``range(items)`` through
``anyio.create_memory_object_stream(buffer)`` and closes its end; the consumer iterates the
receive end with ``async for`` until the stream ends. Buffer 0 is a rendezvous (every item is a
hand-off between the two tasks), 1 a single slot and 64 lets the producer run ahead. The stream
and the producer task are created inside the timed region (once per ``run_once``).
Unit: seconds per item (``inner_loops = items``). Result: ``(count, sum)`` of the items received.
Why: the memory object stream is anyio's channel, the queue between a producer and an
``async for`` consumer; its per-item cost on each runtime and at each buffer size is what every
pipeline built on it pays.
"""

from __future__ import annotations

from collections.abc import Mapping

import anyio
from anyio.streams.memory import MemoryObjectSendStream

from benchmarks.workload import Case, ParamValue, RunOnce, Workload, range_checksum

#: Buffer sizes: rendezvous, one slot, room to run ahead.
BUFFER_LADDER: tuple[int, ...] = (0, 1, 64)
#: Items sent per ``run_once``.
ITEMS_LADDER: tuple[int, ...] = (100, 1_000, 10_000)
#: Default run: every buffer size at this many items.
DEFAULT_ITEMS = 1_000

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {"buffer": BUFFER_LADDER, "items": ITEMS_LADDER}
DEFAULTS: Mapping[str, ParamValue] = {"items": DEFAULT_ITEMS}


async def produce(send: MemoryObjectSendStream[int], items: int) -> None:
    async with send:
        for item in range(items):
            await send.send(item)


def prepare(case: Case) -> RunOnce:
    buffer = case.int("buffer")
    items = case.int("items")

    async def run_once() -> tuple[int, int]:
        send, receive = anyio.create_memory_object_stream[int](buffer)
        count = total = 0
        async with anyio.create_task_group() as group, receive:
            group.start_soon(produce, send, items)
            async for item in receive:
                count += 1
                total += item
        return count, total

    return run_once


def expected(case: Case) -> tuple[int, int]:
    items = case.int("items")
    return items, range_checksum(items)


WORKLOAD = Workload(
    name="streams.memory_stream",
    description=__doc__ or "",
    item_unit="item",
    params=PARAMS,
    defaults=DEFAULTS,
    inner_loops=lambda case: case.int("items"),
    expected=expected,
    prepare=prepare,
)
