"""Range as an async iterable whose ``__aiter__`` returns a separate iterator object.

Measures: one ``__anext__`` step of a dedicated iterator object created by the iterable's
``__aiter__`` (the tutorial's ``AsyncIterable``/``AsyncIterator`` pair), in ``nosuspend`` and
``checkpoint`` flavours. The iterator is the class-based iterator of ``protocol.class_iterator``,
so the two workloads differ only by the iterable's indirection.
The default run measures ``checkpoint`` only (``nosuspend`` is on ``--ladder``).
Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value))`` equals that of ``range(items)``.
Why: separating the iterable from its iterator lets a container be iterated many times; the
per-step cost should equal the class-based iterator's, and this shows whether it does.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.measured.workload import Case, RunOnce
from benchmarks.measured.workloads.protocol import _common
from benchmarks.measured.workloads.protocol.class_iterator import AsyncRange as RangeIterator
from benchmarks.measured.workloads.protocol.class_iterator import iterator_factory


class AsyncRange:
    """An iterable container; each ``async for`` gets a fresh iterator."""

    def __init__(self, end: int, iterator_class: Callable[[int], RangeIterator]) -> None:
        self.end = end
        self.iterator_class = iterator_class

    def __aiter__(self) -> RangeIterator:
        return self.iterator_class(self.end)


def prepare(case: Case) -> RunOnce:
    iterable = AsyncRange(case.int("items"), iterator_factory(case))

    async def run_once() -> tuple[int, int]:
        total = position = 0
        async for value in iterable:
            position += 1
            total += position * value
        return position, total

    return run_once


WORKLOAD = _common.range_workload(
    "protocol.iterable_iterator",
    __doc__ or "",
    prepare,
    checkpoint_only_by_default=True,
    in_default_run=False,  # the same iterator as class_iterator, behind __aiter__
)
