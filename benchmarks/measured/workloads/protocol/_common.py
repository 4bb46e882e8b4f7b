"""The ladder, the async range source and the position-sensitive checksum shared by the
protocol workloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from benchmarks.measured.workload import (
    CHECKPOINT,
    NO_SUSPENSION,
    SUSPENSION_MODES,
    Case,
    DefaultValue,
    ParamValue,
    RunOnce,
    Workload,
)
from benchmarks.platform.native import API_ANYIO, API_NATIVE, APIS, primitives

#: Sizes of the scaling ladder, in items.
ITEMS_LADDER: tuple[int, ...] = (10, 1_000, 100_000)
#: Size of the default run.
DEFAULT_ITEMS = 1_000

#: ``api``: where ``checkpoint`` mode's checkpoint comes from (``anyio.lowlevel.checkpoint``, or
#: the runtime's own: ``asyncio.sleep(0)`` / ``trio.lowlevel.checkpoint()``). ``nosuspend``
#: calls no primitive and exists once, as ``api=anyio``.
PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "mode": SUSPENSION_MODES,
    "api": APIS,
    "items": ITEMS_LADDER,
}
#: Default run: anyio's checkpoint only (the native twin is on ``--ladder``)...
DEFAULTS: Mapping[str, DefaultValue] = {"api": API_ANYIO, "items": DEFAULT_ITEMS}
#: ...except for the reference workload(s), which run both in the default matrix.
DEFAULTS_WITH_NATIVE: Mapping[str, DefaultValue] = {"api": APIS, "items": DEFAULT_ITEMS}

Checkpoint = Callable[[], Awaitable[None]]


def applies(params: Mapping[str, ParamValue]) -> bool:
    """``api=native`` only with ``mode=checkpoint``: a nosuspend case calls no primitive."""
    return not (params.get("mode") == NO_SUSPENSION and params.get("api") == API_NATIVE)


def items(case: Case) -> int:
    return case.int("items")


def weighted_checksum(count: int) -> tuple[int, int]:
    """``(count, sum((position + 1) * value))`` of ``range(count)`` consumed in order.

    Every consumer counts positions and adds ``position * value``: an item lost, repeated or
    out of place changes the result (a plain sum cannot see a lost 0).
    """
    # sum((i + 1) * i) for i < count = sum(i * i) + sum(i)
    return count, (count - 1) * count * (2 * count - 1) // 6 + count * (count - 1) // 2


def checksum(case: Case) -> tuple[int, int]:
    return weighted_checksum(case.int("items"))


def checkpoint_for(case: Case) -> Checkpoint:
    """The case's checkpoint: anyio's, or the runtime's own for ``api=native``."""
    return primitives(case).checkpoint


async def async_range(end: int) -> AsyncIterator[int]:
    """``range(end)`` as an async generator that never suspends."""
    for value in range(end):
        yield value


async def async_range_with_checkpoint(end: int, checkpoint: Checkpoint) -> AsyncIterator[int]:
    """``range(end)`` as an async generator with one scheduler checkpoint per item."""
    for value in range(end):
        await checkpoint()
        yield value


def async_range_for(case: Case) -> Callable[[int], AsyncIterator[int]]:
    """The async range generator function of the case's suspension mode."""
    if case["mode"] != CHECKPOINT:
        return async_range
    checkpoint = checkpoint_for(case)

    def with_checkpoint(end: int) -> AsyncIterator[int]:
        return async_range_with_checkpoint(end, checkpoint)

    return with_checkpoint


def range_workload(
    name: str,
    description: str,
    prepare: Callable[[Case], RunOnce],
    *,
    native_by_default: bool = False,
    checkpoint_only_by_default: bool = False,
    in_default_run: bool = True,
) -> Workload:
    """A protocol workload over ``range(items)`` with the shared ladder and checksum.

    ``checkpoint_only_by_default`` leaves the ``nosuspend`` twin to ``--ladder`` (for shapes
    whose pure protocol cost another default workload already shows).
    """
    defaults = dict(DEFAULTS_WITH_NATIVE if native_by_default else DEFAULTS)
    if checkpoint_only_by_default:
        defaults["mode"] = CHECKPOINT
    return Workload(
        name=name,
        description=description,
        item_unit="item",
        params=PARAMS,
        defaults=defaults,
        inner_loops=items,
        expected=checksum,
        prepare=prepare,
        applies=applies,
        in_default_run=in_default_run,
    )
