"""An infinite async generator consumed with ``await anext(gen)`` in a ``while`` loop, stopped at N.

Measures: one ``anext()`` call on an endless async generator (the tutorial's
``async_inf_integers``), in ``nosuspend`` and ``checkpoint`` flavours. The generator is closed
deterministically with ``contextlib.aclosing`` once N items are taken; the close is part of the
measured pattern (once per N items).
Unit: seconds per item.
Why: ``anext()`` is how code pulls from streams that never end (tickers, subscriptions); it
creates an awaitable per call where ``async for`` does not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing

from anyio.lowlevel import checkpoint

from benchmarks.workload import CHECKPOINT, Case, RunOnce
from benchmarks.workloads.protocol import _common


async def async_inf_integers(start: int = 0) -> AsyncIterator[int]:
    current = start
    while True:
        yield current
        current += 1


async def async_inf_integers_with_checkpoint(start: int = 0) -> AsyncIterator[int]:
    current = start
    while True:
        await checkpoint()
        yield current
        current += 1


def prepare(case: Case) -> RunOnce:
    generator_function = (
        async_inf_integers_with_checkpoint if case["mode"] == CHECKPOINT else async_inf_integers
    )
    stop = case.int("items")

    async def run_once() -> int:
        total = 0
        async with aclosing(generator_function()) as generator:
            while True:
                number = await anext(generator)
                total += number
                if number == stop - 1:
                    break
        return total

    return run_once


WORKLOAD = _common.range_workload("protocol.anext_stop_at_n", __doc__ or "", prepare)
