"""Range as an async generator function (the tutorial's ``async_range``).

Measures: one step of an async generator consumed by ``async for``, in ``nosuspend`` and
``checkpoint`` flavours. This is the suite's reference workload for harness fidelity
(``python -m benchmarks.fidelity``).
Unit: seconds per item.
Why: async generators are the idiomatic way to write async iterators; every streaming API built
on them pays this per item.
"""

from __future__ import annotations

from benchmarks.workload import Case, RunOnce
from benchmarks.workloads.protocol import _common


def prepare(case: Case) -> RunOnce:
    generator_function = _common.async_range_for(case)
    items = case.int("items")

    async def run_once() -> int:
        total = 0
        async for value in generator_function(items):
            total += value
        return total

    return run_once


WORKLOAD = _common.range_workload("protocol.async_generator", __doc__ or "", prepare)
