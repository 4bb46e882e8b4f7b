"""Range as a class-based async iterator: ``__aiter__`` returns self, ``__anext__`` is a coroutine.

Measures: one ``__anext__`` call per item (create the coroutine, run it, return or raise
``StopAsyncIteration``), in ``nosuspend`` and ``checkpoint`` flavours.
Unit: seconds per item.
Why: the hand-written iterator is how libraries expose stateful streams (cursors, paginated
APIs); its per-step cost is the floor they pay on each runtime.
"""

from __future__ import annotations

from anyio.lowlevel import checkpoint

from benchmarks.workload import CHECKPOINT, Case, RunOnce
from benchmarks.workloads.protocol import _common


class AsyncRange:
    """``range(end)`` as an async iterator whose ``__anext__`` never suspends."""

    def __init__(self, end: int) -> None:
        self.current = 0
        self.end = end

    def __aiter__(self) -> AsyncRange:
        return self

    async def __anext__(self) -> int:
        if self.current < self.end:
            value = self.current
            self.current += 1
            return value
        raise StopAsyncIteration


class AsyncRangeWithCheckpoint(AsyncRange):
    """The same iterator with one scheduler checkpoint per item."""

    async def __anext__(self) -> int:
        if self.current < self.end:
            await checkpoint()
            value = self.current
            self.current += 1
            return value
        raise StopAsyncIteration


def prepare(case: Case) -> RunOnce:
    iterator_class = AsyncRangeWithCheckpoint if case["mode"] == CHECKPOINT else AsyncRange
    items = case.int("items")

    async def run_once() -> int:
        total = 0
        async for value in iterator_class(items):
            total += value
        return total

    return run_once


WORKLOAD = _common.range_workload("protocol.class_iterator", __doc__ or "", prepare)
