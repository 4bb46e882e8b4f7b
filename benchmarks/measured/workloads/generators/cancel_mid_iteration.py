"""Cancellation in the middle of an ``async for``: a cancel scope's deadline passes mid-stream.

Measures: an ``async for`` over an endless async generator (one ``anyio.lowlevel.checkpoint()``
per item) inside ``anyio.CancelScope()``. After ``items`` items the consumer sets the scope's
deadline to ``anyio.current_time()``: the deadline has passed, so the runtime cancels the task at
the generator's next checkpoint; the cancellation is raised inside the generator, runs its
``finally``, leaves the ``async for`` and is caught by the scope. No timer is waited for.
Unit: seconds per cancelled iteration (``items`` items, the cancellation and the unwinding).
Checked: ``(items seen, sum((position + 1) * item), finally blocks run, scope caught it)``
equals ``(items, that of range(items), 1, True)``: the generator was cancelled at the first
checkpoint after the deadline, and its ``finally`` ran.
Why: timeouts around streams (``move_on_after``, ``fail_after``) end this way; the cost of
delivering a cancellation into a suspended generator and unwinding it differs by runtime, and a
generator whose ``finally`` is skipped leaks whatever it holds.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping

import anyio
from anyio.lowlevel import checkpoint

from benchmarks.measured.workload import Case, ParamValue, RunOnce, Workload
from benchmarks.measured.workloads.protocol import _common

#: Items taken before the deadline is moved to now.
ITEMS_LADDER: tuple[int, ...] = (1, 10, 100)
DEFAULT_ITEMS = 10

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {"items": ITEMS_LADDER}


class Finalized:
    def __init__(self) -> None:
        self.count = 0


async def ticker(finalized: Finalized) -> AsyncGenerator[int, None]:
    """Endless ``0, 1, 2, ...`` with one checkpoint before each item."""
    position = 0
    try:
        while True:
            await checkpoint()
            yield position
            position += 1
    finally:
        finalized.count += 1


def prepare(case: Case) -> RunOnce:
    items = case.int("items")
    now = anyio.current_time

    async def run_once() -> tuple[int, int, int, bool]:
        finalized = Finalized()
        seen = total = 0
        with anyio.CancelScope() as scope:
            async for value in ticker(finalized):
                seen += 1
                total += seen * value
                if seen == items:
                    scope.deadline = now()
        return seen, total, finalized.count, scope.cancelled_caught

    return run_once


def expected(case: Case) -> tuple[int, int, int, bool]:
    return (*_common.weighted_checksum(case.int("items")), 1, True)


WORKLOAD = Workload(
    name="generators.cancel_mid_iteration",
    description=__doc__ or "",
    item_unit="cancellation",
    params=PARAMS,
    defaults={"items": DEFAULT_ITEMS},
    inner_loops=lambda case: 1,
    expected=expected,
    prepare=prepare,
)
