"""Async list, set and dict comprehensions over an async generator.

Measures: building a list ``[x async for x in gen]``, a set ``{x async for x in gen}`` or a dict
``{x: x async for x in gen}`` from an async generator of ``items`` integers, in ``nosuspend`` and
``checkpoint`` flavours (anyio's checkpoint, or the runtime's own with ``api=native``). The
default run builds the list; set and dict are on ``--ladder``.
Unit: seconds per item.
Checked: the built collection equals the expected one (the list element by element, in order),
outside the timed region.
Why: async comprehensions are the idiomatic way to drain a stream into a container; they run
the same protocol as ``async for`` plus the container's insert.
"""

from __future__ import annotations

from collections.abc import Mapping

from benchmarks.measured.workload import SUSPENSION_MODES, Case, ParamValue, RunOnce, Workload
from benchmarks.measured.workloads.protocol import _common
from benchmarks.platform.native import APIS

KINDS: tuple[str, ...] = ("list", "set", "dict")

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "kind": KINDS,
    "mode": SUSPENSION_MODES,
    "api": APIS,
    "items": _common.ITEMS_LADDER,
}
#: Default run: the list comprehension only (set and dict add a hash insert; ``--ladder``).
DEFAULT_KIND = "list"


def prepare(case: Case) -> RunOnce:
    generator_function = _common.async_range_for(case)
    items = case.int("items")

    async def build_list() -> list[int]:
        return [value async for value in generator_function(items)]

    async def build_set() -> set[int]:
        return {value async for value in generator_function(items)}

    async def build_dict() -> dict[int, int]:
        return {value: value async for value in generator_function(items)}

    builders: dict[str, RunOnce] = {"list": build_list, "set": build_set, "dict": build_dict}
    return builders[str(case["kind"])]


def expected(case: Case) -> object:
    values = range(case.int("items"))
    kind = case["kind"]
    if kind == "list":
        return list(values)
    if kind == "set":
        return set(values)
    return {value: value for value in values}


WORKLOAD = Workload(
    name="protocol.comprehensions",
    description=__doc__ or "",
    item_unit="item",
    params=PARAMS,
    defaults={**_common.DEFAULTS, "kind": DEFAULT_KIND, "mode": _common.CHECKPOINT},
    inner_loops=_common.items,
    expected=expected,
    prepare=prepare,
    applies=_common.applies,
)
