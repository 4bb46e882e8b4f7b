"""Reference floor: the same count with a plain ``for`` over a synchronous generator.

Measures: one step of a synchronous generator consumed by ``for``, timed in the same harness
(inside the running event loop) as the async workloads. It never suspends, so it should be
identical on every runtime: a built-in control for the harness.
Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value))`` equals that of ``range(items)``.
(The same position-weighted sum as every async consumer, so the floor does the same work.)
Why: readers need the sync floor to see what the async protocol itself costs on top of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from benchmarks.measured.workload import Case, ParamValue, RunOnce, Workload
from benchmarks.measured.workloads.protocol import _common

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {"items": _common.ITEMS_LADDER}


def sync_range(end: int) -> Iterator[int]:
    # One generator step per item, like the async generators (``yield from`` would not be).
    for value in range(end):  # noqa: UP028
        yield value


def prepare(case: Case) -> RunOnce:
    items = case.int("items")

    async def run_once() -> tuple[int, int]:
        total = position = 0
        for value in sync_range(items):
            position += 1
            total += position * value
        return position, total

    return run_once


WORKLOAD = Workload(
    name="protocol.sync_reference",
    description=__doc__ or "",
    item_unit="item",
    params=PARAMS,
    defaults={"items": _common.DEFAULT_ITEMS},
    inner_loops=_common.items,
    expected=_common.checksum,
    prepare=prepare,
)
