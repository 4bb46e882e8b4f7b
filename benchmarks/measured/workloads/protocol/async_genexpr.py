"""Async generator expression over an async generator: ``(x async for x in async_range(n))``.

Measures: one step of an async generator expression wrapping an async generator, in
``nosuspend`` and ``checkpoint`` flavours: two async generator frames per item.
Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value))`` equals that of ``range(items)``.
Why: generator expressions are how pipelines filter and map async streams; each stage adds a
layer of ``asend`` per item, and this measures the price of one layer.
"""

from __future__ import annotations

from benchmarks.measured.workload import Case, RunOnce
from benchmarks.measured.workloads.protocol import _common


def prepare(case: Case) -> RunOnce:
    generator_function = _common.async_range_for(case)
    items = case.int("items")

    async def run_once() -> tuple[int, int]:
        total = position = 0
        async for value in (value async for value in generator_function(items)):
            position += 1
            total += position * value
        return position, total

    return run_once


WORKLOAD = _common.range_workload(
    "protocol.async_genexpr", __doc__ or "", prepare, in_default_run=False
)
