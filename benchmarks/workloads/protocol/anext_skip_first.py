"""Skip a first item with ``await anext(iterator)``, then ``async for`` over the rest.

Measures: draining an async generator of ``items`` integers whose first item is taken with
``anext()`` (as the tutorial skips a CSV header) and the rest with ``async for``, in
``nosuspend`` and ``checkpoint`` flavours.
Unit: seconds per item.
Why: mixing ``anext()`` and ``async for`` on one iterator is the header-skipping idiom; the
result proves no item is lost or repeated at the hand-over.
"""

from __future__ import annotations

from benchmarks.workload import Case, RunOnce
from benchmarks.workloads.protocol import _common


def prepare(case: Case) -> RunOnce:
    generator_function = _common.async_range_for(case)
    items = case.int("items")

    async def run_once() -> int:
        iterator = aiter(generator_function(items))
        total = await anext(iterator)
        async for value in iterator:
            total += value
        return total

    return run_once


WORKLOAD = _common.range_workload("protocol.anext_skip_first", __doc__ or "", prepare)
