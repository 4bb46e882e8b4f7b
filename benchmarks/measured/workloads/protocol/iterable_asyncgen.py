"""Range as an async iterable whose ``__aiter__`` is an async generator.

Measures: one step of the async generator that ``async for`` gets from ``__aiter__`` (the
tutorial's ``AsyncRange`` v2), in ``nosuspend`` and ``checkpoint`` flavours.
The default run measures ``checkpoint`` only (``nosuspend`` is on ``--ladder``).
Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value))`` equals that of ``range(items)``.
Why: the most concise way to make a class iterable; it pays the async generator's
``asend``/``athrow`` machinery on every item instead of a plain coroutine call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from benchmarks.measured.workload import CHECKPOINT, Case, RunOnce
from benchmarks.measured.workloads.protocol import _common


class AsyncRange:
    """``range(end)`` as an async iterable; no suspension."""

    def __init__(self, end: int) -> None:
        self.data = range(end)

    async def __aiter__(self) -> AsyncIterator[int]:
        for value in self.data:
            yield value


class AsyncRangeWithCheckpoint(AsyncRange):
    """The same iterable with one scheduler checkpoint per item (anyio's or the runtime's)."""

    def __init__(self, end: int, checkpoint: _common.Checkpoint) -> None:
        super().__init__(end)
        self.checkpoint = checkpoint

    async def __aiter__(self) -> AsyncIterator[int]:
        checkpoint = self.checkpoint
        for value in self.data:
            await checkpoint()
            yield value


def prepare(case: Case) -> RunOnce:
    if case["mode"] == CHECKPOINT:
        checkpoint = _common.checkpoint_for(case)

        def iterable_class(end: int) -> AsyncRange:
            return AsyncRangeWithCheckpoint(end, checkpoint)
    else:
        iterable_class = AsyncRange
    items = case.int("items")

    async def run_once() -> tuple[int, int]:
        total = position = 0
        # Exhausting the generator finishes it; no aclose() needed.
        async for value in iterable_class(items):
            position += 1
            total += position * value
        return position, total

    return run_once


WORKLOAD = _common.range_workload(
    "protocol.iterable_asyncgen", __doc__ or "", prepare, checkpoint_only_by_default=True
)
