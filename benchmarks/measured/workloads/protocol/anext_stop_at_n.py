"""An infinite async generator consumed with ``await anext(gen)`` in a ``while`` loop, stopped at N.

Measures: one ``anext()`` call on an endless async generator (the tutorial's
``async_inf_integers``), in ``nosuspend`` and ``checkpoint`` flavours (anyio's checkpoint, or the
runtime's own with ``api=native``), plus the generator's finalization once per N items, in two
ways (``close``):

* ``aclosing``: ``contextlib.aclosing`` closes the generator deterministically at the break;
* ``abandon``: the tutorial's own code, which breaks out and drops the generator. Its
  finalization then belongs to the event loop's async-generator hooks (``sys.set_asyncgen_hooks``:
  asyncio schedules ``aclose()`` as a task, trio hands it to a system task). ``run_once`` drops
  its reference and awaits checkpoints until the generator's ``finally`` has run, so that cost
  is inside the measured value and no generator is left unfinalized when the value ends.
  The default run measures ``abandon``; ``aclosing`` is on ``--ladder``.

Unit: seconds per item.
Checked: ``(count, sum((position + 1) * value), generators finalized)`` equals
``(N, that of range(N), 1)``: each run's generator must have run its ``finally``.
Why: ``anext()`` is how code pulls from streams that never end (tickers, subscriptions); it
creates an awaitable per call where ``async for`` does not. Abandoning a generator is what most
code does; its hidden finalization cost differs by runtime.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing

from benchmarks.measured.workload import (
    CHECKPOINT,
    SUSPENSION_MODES,
    Case,
    ParamValue,
    RunOnce,
    Workload,
)
from benchmarks.measured.workloads.protocol import _common
from benchmarks.platform.native import APIS

ACLOSING = "aclosing"
ABANDON = "abandon"
CLOSE_MODES: tuple[str, ...] = (ACLOSING, ABANDON)

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "mode": SUSPENSION_MODES,
    "api": APIS,
    "close": CLOSE_MODES,
    "items": _common.ITEMS_LADDER,
}
#: Checkpoints ``abandon`` may await for the loop's hooks to finalize the generator; asyncio
#: needs two or three (the hook schedules a task that runs ``aclose()``), trio one or two.
MAX_FINALIZER_ROUNDS = 100


class Finalized:
    """Counts generators whose ``finally`` has run."""

    def __init__(self) -> None:
        self.count = 0


async def async_inf_integers(finalized: Finalized, start: int = 0) -> AsyncIterator[int]:
    current = start
    try:
        while True:
            yield current
            current += 1
    finally:
        finalized.count += 1


async def async_inf_integers_with_checkpoint(
    finalized: Finalized, checkpoint: _common.Checkpoint, start: int = 0
) -> AsyncIterator[int]:
    current = start
    try:
        while True:
            await checkpoint()
            yield current
            current += 1
    finally:
        finalized.count += 1


def prepare(case: Case) -> RunOnce:
    checkpoint = _common.checkpoint_for(case)
    suspends = case["mode"] == CHECKPOINT

    def generator_function(finalized: Finalized) -> AsyncIterator[int]:
        if suspends:
            return async_inf_integers_with_checkpoint(finalized, checkpoint)
        return async_inf_integers(finalized)

    stop = case.int("items")

    async def run_aclosing() -> tuple[int, int, int]:
        finalized = Finalized()
        total = position = 0
        async with aclosing(generator_function(finalized)) as generator:
            while True:
                number = await anext(generator)
                position += 1
                total += position * number
                if number == stop - 1:
                    break
        return position, total, finalized.count

    async def run_abandon() -> tuple[int, int, int]:
        finalized = Finalized()
        total = position = 0
        generator = generator_function(finalized)
        while True:
            number = await anext(generator)
            position += 1
            total += position * number
            if number == stop - 1:
                break
        del generator  # the last reference: the loop's finalizer hook takes over
        rounds = 0
        while finalized.count == 0 and rounds < MAX_FINALIZER_ROUNDS:
            await checkpoint()
            rounds += 1
        return position, total, finalized.count

    return run_aclosing if case["close"] == ACLOSING else run_abandon


def expected(case: Case) -> tuple[int, int, int]:
    return (*_common.checksum(case), 1)


WORKLOAD = Workload(
    name="protocol.anext_stop_at_n",
    description=__doc__ or "",
    item_unit="item",
    params=PARAMS,
    defaults={**_common.DEFAULTS, "close": ABANDON, "mode": _common.CHECKPOINT},
    inner_loops=_common.items,
    expected=expected,
    prepare=prepare,
    applies=_common.applies,
)
