"""Items through a bounded queue, consumed with ``async for``: anyio's or the runtime's own.

Measures: a producer task sends ``range(items)`` through a bounded queue of ``buffer`` slots and
closes its end; the consumer iterates the receive end with ``async for`` until it ends.
``api=anyio``: ``anyio.create_memory_object_stream(buffer)`` in an anyio task group (every
runtime; anyio checkpoints on every send and receive). ``api=native``: the runtime's own queue
and task group with the same code: ``asyncio.Queue(buffer)`` and ``asyncio.TaskGroup`` (closed
with an end marker; buffer 0 is n/a, asyncio has no rendezvous queue), or
``trio.open_memory_channel(buffer)`` and a nursery. Buffer 0 is a rendezvous (every item is a
hand-off between the two tasks), 1 a single slot and 64 lets the producer run ahead. The queue
and the producer task are created inside the timed region (once per ``run_once``).
Unit: seconds per item (``inner_loops = items``).
Checked: ``(count, sum((position + 1) * item))`` of the items received: order-sensitive.
Why: the memory object stream is anyio's channel, the queue between a producer and an
``async for`` consumer; its per-item cost on each runtime and at each buffer size is what every
pipeline built on it pays, and the native twin shows how much of it is anyio's.
"""

from __future__ import annotations

from collections.abc import Mapping

from benchmarks.measured.workload import Case, DefaultValue, ParamValue, RunOnce, Workload
from benchmarks.platform.native import (
    APIS,
    BOUNDED_QUEUE,
    TASK_GROUP,
    QueueSender,
    native_unavailable,
    primitives,
)

#: Buffer sizes: rendezvous, one slot, room to run ahead.
BUFFER_LADDER: tuple[int, ...] = (0, 1, 64)
#: Items sent per ``run_once``.
ITEMS_LADDER: tuple[int, ...] = (100, 1_000, 10_000)
#: Default run: every buffer size at this many items.
DEFAULT_ITEMS = 1_000

#: Default run: room to run ahead, for both APIs (rendezvous and one slot are on ``--ladder``).
DEFAULT_BUFFERS: tuple[int, ...] = (64,)

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "api": APIS,
    "buffer": BUFFER_LADDER,
    "items": ITEMS_LADDER,
}
DEFAULTS: Mapping[str, DefaultValue] = {"buffer": DEFAULT_BUFFERS, "items": DEFAULT_ITEMS}


async def produce(send: QueueSender, items: int) -> None:
    try:
        for item in range(items):
            await send.send(item)
    finally:
        await send.aclose()


def prepare(case: Case) -> RunOnce:
    buffer = case.int("buffer")
    items = case.int("items")
    layer = primitives(case)
    bounded_queue, task_group = layer.bounded_queue, layer.task_group

    async def run_once() -> tuple[int, int]:
        send, receive = bounded_queue(buffer)
        total = position = 0
        try:
            async with task_group() as group:
                group.start_soon(produce, send, items)
                async for item in receive:
                    position += 1
                    total += position * item
        finally:
            await receive.aclose()
        return position, total

    return run_once


def expected(case: Case) -> tuple[int, int]:
    items = case.int("items")
    return items, (items - 1) * items * (2 * items - 1) // 6 + items * (items - 1) // 2


def unsupported(runtime: str, case: Case) -> str | None:
    return native_unavailable(runtime, case, TASK_GROUP) or native_unavailable(
        runtime, case, BOUNDED_QUEUE, case.int("buffer")
    )


WORKLOAD = Workload(
    name="streams.memory_stream",
    description=__doc__ or "",
    item_unit="item",
    params=PARAMS,
    defaults=DEFAULTS,
    inner_loops=lambda case: case.int("items"),
    expected=expected,
    prepare=prepare,
    unsupported=unsupported,
)
