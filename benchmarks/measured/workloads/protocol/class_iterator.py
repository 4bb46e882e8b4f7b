"""Range as a class-based async iterator: ``__aiter__`` returns self, ``__anext__`` is a coroutine.

Measures: one ``__anext__`` call per item (create the coroutine, run it, return or raise
``StopAsyncIteration``), in ``nosuspend`` and ``checkpoint`` flavours.
Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value))`` equals that of ``range(items)``.
Why: the hand-written iterator is how libraries expose stateful streams (cursors, paginated
APIs); its per-step cost is the floor they pay on each runtime.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.measured.workload import CHECKPOINT, Case, RunOnce
from benchmarks.measured.workloads.protocol import _common


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
    """The same iterator with one scheduler checkpoint per item (anyio's or the runtime's)."""

    def __init__(self, end: int, checkpoint: _common.Checkpoint) -> None:
        super().__init__(end)
        self.checkpoint = checkpoint

    async def __anext__(self) -> int:
        if self.current < self.end:
            await self.checkpoint()
            value = self.current
            self.current += 1
            return value
        raise StopAsyncIteration


def iterator_factory(case: Case) -> Callable[[int], AsyncRange]:
    """Builds the case's iterator over ``range(end)``."""
    if case["mode"] != CHECKPOINT:
        return AsyncRange
    checkpoint = _common.checkpoint_for(case)
    return lambda end: AsyncRangeWithCheckpoint(end, checkpoint)


def prepare(case: Case) -> RunOnce:
    iterator_class = iterator_factory(case)
    items = case.int("items")

    async def run_once() -> tuple[int, int]:
        total = position = 0
        async for value in iterator_class(items):
            position += 1
            total += position * value
        return position, total

    return run_once


WORKLOAD = _common.range_workload(
    "protocol.class_iterator", __doc__ or "", prepare, checkpoint_only_by_default=True
)
