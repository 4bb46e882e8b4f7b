"""Skip a first item with ``await anext(iterator)``, then ``async for`` over the rest.

Measures: draining an async generator of ``items`` integers whose first item is taken with
``anext()`` (as the tutorial skips a CSV header) and the rest with ``async for``, in
``nosuspend`` and ``checkpoint`` flavours.
Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value))`` equals that of ``range(items)``: the item
taken with ``anext()`` lost or repeated shifts every later position and changes the sum.
Why: mixing ``anext()`` and ``async for`` on one iterator is the header-skipping idiom; the
check proves no item is lost or repeated at the hand-over.
"""

from __future__ import annotations

from benchmarks.measured.workload import Case, RunOnce
from benchmarks.measured.workloads.protocol import _common


def prepare(case: Case) -> RunOnce:
    generator_function = _common.async_range_for(case)
    items = case.int("items")

    async def run_once() -> tuple[int, int]:
        iterator = aiter(generator_function(items))
        position = 1
        total = await anext(iterator)  # position 1 weighs the first item by 1
        async for value in iterator:
            position += 1
            total += position * value
        return position, total

    return run_once


WORKLOAD = _common.range_workload(
    "protocol.anext_skip_first", __doc__ or "", prepare, in_default_run=False
)
