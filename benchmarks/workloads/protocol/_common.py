"""The ladder and the async range source shared by the protocol workloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping

from anyio.lowlevel import checkpoint

from benchmarks.workload import (
    CHECKPOINT,
    SUSPENSION_MODES,
    Case,
    ParamValue,
    RunOnce,
    Workload,
    range_checksum,
)

#: Sizes of the scaling ladder, in items.
ITEMS_LADDER: tuple[int, ...] = (10, 1_000, 100_000)
#: Size of the default run.
DEFAULT_ITEMS = 1_000

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "mode": SUSPENSION_MODES,
    "items": ITEMS_LADDER,
}
DEFAULTS: Mapping[str, ParamValue] = {"items": DEFAULT_ITEMS}


def items(case: Case) -> int:
    return case.int("items")


def checksum(case: Case) -> int:
    return range_checksum(case.int("items"))


async def async_range(end: int) -> AsyncIterator[int]:
    """``range(end)`` as an async generator that never suspends."""
    for value in range(end):
        yield value


async def async_range_with_checkpoint(end: int) -> AsyncIterator[int]:
    """``range(end)`` as an async generator with one scheduler checkpoint per item."""
    for value in range(end):
        await checkpoint()
        yield value


def async_range_for(case: Case) -> Callable[[int], AsyncIterator[int]]:
    """The async range generator function of the case's suspension mode."""
    return async_range_with_checkpoint if case["mode"] == CHECKPOINT else async_range


def range_workload(name: str, description: str, prepare: Callable[[Case], RunOnce]) -> Workload:
    """A protocol workload over ``range(items)`` with the shared ladder and checksum."""
    return Workload(
        name=name,
        description=description,
        item_unit="item",
        params=PARAMS,
        defaults=DEFAULTS,
        inner_loops=items,
        expected=checksum,
        prepare=prepare,
    )
