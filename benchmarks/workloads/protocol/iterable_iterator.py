"""Range as an async iterable whose ``__aiter__`` returns a separate iterator object.

Measures: one ``__anext__`` step of a dedicated iterator class created by the iterable's
``__aiter__`` (the tutorial's ``AsyncIterable``/``AsyncIterator`` pair), in ``nosuspend`` and
``checkpoint`` flavours.
Unit: seconds per item.
Why: separating the iterable from its iterator lets a container be iterated many times; the
per-step cost should equal the class-based iterator's, and this shows whether it does.
"""

from __future__ import annotations

from anyio.lowlevel import checkpoint

from benchmarks.workload import CHECKPOINT, Case, RunOnce
from benchmarks.workloads.protocol import _common


class RangeIterator:
    """Iterator over a :class:`AsyncRange`; no suspension."""

    def __init__(self, iterable: AsyncRange) -> None:
        self.current = 0
        self.end = iterable.end

    def __aiter__(self) -> RangeIterator:
        return self

    async def __anext__(self) -> int:
        if self.current < self.end:
            value = self.current
            self.current += 1
            return value
        raise StopAsyncIteration


class RangeIteratorWithCheckpoint(RangeIterator):
    """The same iterator with one scheduler checkpoint per item."""

    async def __anext__(self) -> int:
        if self.current < self.end:
            await checkpoint()
            value = self.current
            self.current += 1
            return value
        raise StopAsyncIteration


class AsyncRange:
    """An iterable container; each ``async for`` gets a fresh iterator."""

    def __init__(self, end: int, iterator_class: type[RangeIterator]) -> None:
        self.end = end
        self.iterator_class = iterator_class

    def __aiter__(self) -> RangeIterator:
        return self.iterator_class(self)


def prepare(case: Case) -> RunOnce:
    iterator_class = RangeIteratorWithCheckpoint if case["mode"] == CHECKPOINT else RangeIterator
    iterable = AsyncRange(case.int("items"), iterator_class)

    async def run_once() -> int:
        total = 0
        async for value in iterable:
            total += value
        return total

    return run_once


WORKLOAD = _common.range_workload("protocol.iterable_iterator", __doc__ or "", prepare)
