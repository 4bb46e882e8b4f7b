"""Range as an async generator function (the tutorial's ``async_range``).

Measures: one step of an async generator consumed by ``async for``, in ``nosuspend`` and
``checkpoint`` flavours; the checkpoint is anyio's (``api=anyio``) or the runtime's own
(``api=native``: ``asyncio.sleep(0)`` / ``trio.lowlevel.checkpoint()``), and both run in the
default matrix, so the report can separate anyio's cost from the runtime's. This is the suite's
reference workload for harness fidelity (``python -m benchmarks.running.fidelity``).
Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value))`` equals that of ``range(items)``.
Why: async generators are the idiomatic way to write async iterators; every streaming API built
on them pays this per item.
"""

from __future__ import annotations

from benchmarks.measured.workload import Case, RunOnce
from benchmarks.measured.workloads.protocol import _common


def prepare(case: Case) -> RunOnce:
    generator_function = _common.async_range_for(case)
    items = case.int("items")

    async def run_once() -> tuple[int, int]:
        total = position = 0
        async for value in generator_function(items):
            position += 1
            total += position * value
        return position, total

    return run_once


WORKLOAD = _common.range_workload(
    "protocol.async_generator", __doc__ or "", prepare, native_by_default=True
)
