"""The timed region: the only place the suite reads the clock.

pyperf calls :func:`time_batch` once per value (and during calibration and warm-up) with the
number of ``loops`` to run. Each call starts the runtime with ``anyio.run``; inside the running
loop the workload's session is opened (untimed), ``run_once`` is awaited ``loops`` times between
two ``time.perf_counter`` reads, the last result is checked (untimed) and the session is closed
(untimed). Runtime start-up and shutdown are therefore never inside a measured value.

**Injected slowdown, for sensitivity self-checks.** When ``AITER_BENCH_INJECT_SLOWDOWN`` holds a
fraction ``s`` (e.g. ``0.05``), each timed batch is stretched to ``(1 + s)`` times its own measured
duration by busy-waiting on the same clock right after the workload's loop, inside the timed
region and outside the workload's code: every item then costs ``s`` more of its own measured time,
whatever the workload and runtime. It is off by default (unset or ``0``) and recorded in every
benchmark's metadata as ``injected_slowdown``.

Threads are warmed alike on every runtime: for a workload that hands work to threads
(``Workload.uses_threads``), a round trip to anyio's worker thread and the start of every thread
of the runtime's own executor (the asyncio family's default executor, which aiofiles uses; trio
has none) run before the clock, so no runtime starts a thread inside the timed region.

**Two measures, one region.** :func:`timed_batch` reads ``time.perf_counter`` at the two ends of
the region. :func:`counted_batch` calls the two marker functions instead, ``os.getppid()`` right
before the loop and ``os.getpgrp()`` right after it: under ``valgrind --tool=callgrind
--dump-before=getppid --dump-before=getpgrp`` (:mod:`benchmarks.running.counting`) each marker call
dumps the instruction counters, so every region gets its own dump file and interpreter start-up,
imports, fixtures and the runtime's start are never inside a count. The loop between the markers
is the same loop the clock surrounds, and before either region the garbage collector is run and
what survives is frozen (:func:`heap_set_aside`), so both start from the same heap state and a
collection inside the region walks only what the region allocated. For the instructions measure
the injected slowdown is *deterministic work* (:data:`WORK_ENV`): a pure-Python loop of a given
number of iterations per item, run after the workload's loop inside the region and outside the
workload's code, because a busy wait on the clock does not cost a faithful number of
instructions under Valgrind.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import json
import math
import os
import time
from functools import cache

import anyio

from benchmarks.measured.workload import Case, Workload
from benchmarks.platform.native import anyio_primitives
from benchmarks.platform.runtimes import Runtime

#: Environment variable holding the injected slowdown, a fraction of the measured time.
SLOWDOWN_ENV = "AITER_BENCH_INJECT_SLOWDOWN"
#: Environment variable holding injected deterministic work for the instructions measure: a JSON
#: object mapping benchmark names to iterations of a pure-Python loop per item.
WORK_ENV = "AITER_BENCH_INJECT_WORK"
#: The marker called right before the counted loop (callgrind dumps on entering it).
REGION_START = os.getppid
#: The marker called right after the counted loop.
REGION_END = os.getpgrp
#: Largest slowdown accepted (10 = eleven times slower), to catch a percent given as a fraction.
MAX_SLOWDOWN = 10.0


def parse_slowdown(text: str) -> float:
    """A slowdown fraction from text: ``""`` is 0; negative, huge or non-numbers are errors."""
    if not text.strip():
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"slowdown {text!r} is not a number (a fraction, e.g. 0.05)") from None
    if not 0.0 <= value <= MAX_SLOWDOWN:
        raise ValueError(f"slowdown {text!r} must be a fraction between 0 and {MAX_SLOWDOWN:g}")
    return value


@cache
def injected_slowdown() -> float:
    """The slowdown fraction asked for by ``AITER_BENCH_INJECT_SLOWDOWN`` (0.0 when unset)."""
    return parse_slowdown(os.environ.get(SLOWDOWN_ENV, ""))


def parse_work(text: str) -> dict[str, float]:
    """Injected work per benchmark from JSON text (``""`` is none); bad entries are errors.
    Iterations per item may be fractional: a region runs the rounded total for its items."""
    if not text.strip():
        return {}
    try:
        table = json.loads(text)
    except ValueError:
        raise ValueError(f"{WORK_ENV} is not JSON: {text[:60]!r}") from None
    if not isinstance(table, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
        for v in table.values()
    ):
        raise ValueError(f"{WORK_ENV} must map benchmark names to iterations >= 0 per item")
    return {str(name): float(iterations) for name, iterations in table.items()}


@cache
def injected_work() -> dict[str, float]:
    """Extra loop iterations per item, per benchmark, from ``AITER_BENCH_INJECT_WORK``."""
    return parse_work(os.environ.get(WORK_ENV, ""))


def work_per_item(benchmark: str, runtime: str) -> float:
    """The injected spin iterations per item of ``benchmark`` on ``runtime``: the entry
    ``"<benchmark>@<runtime>"`` when there is one (a runtime's own share of its instructions),
    else ``"<benchmark>"``, else none."""
    table = injected_work()
    return table.get(f"{benchmark}@{runtime}", table.get(benchmark, 0))


def spin(iterations: int) -> None:
    """Deterministic pure-Python work: ``iterations`` turns of an empty loop over one repeated
    object. No turn allocates: over a ``range`` every turn above 256 allocates an int, whose cost
    depends on the allocator's state, so the probe that prices a turn
    (:func:`benchmarks.running.counting.spin_cost`, 200 000 turns in a fresh process) and a
    region's few thousand turns priced a turn differently (205.4 against 198.0 instructions)."""
    for _ in itertools.repeat(None, iterations):
        pass


class LeakedTasks(RuntimeError):
    """A workload left tasks running after its session closed."""


def time_batch(loops: int, runtime: Runtime, workload: Workload, case: Case) -> float:
    """Seconds taken by ``loops`` runs of the case, timed inside the running event loop."""
    if case.runtime is None:
        case = dataclasses.replace(case, runtime=runtime)
    return runtime.run(timed_batch, loops, workload, case)


async def warm_threads(case: Case) -> None:
    """Start, untimed, the worker threads a thread-using workload will use."""
    await anyio_primitives().warm_threads()
    if case.runtime is not None:
        await case.runtime.native().warm_threads()


class Clock:
    """The time measure's ends of the region: ``perf_counter`` reads (plus the injected busy
    wait, when asked for)."""

    def __init__(self, slowdown: float) -> None:
        self.slowdown = slowdown

    def start(self) -> float:
        return time.perf_counter()

    def stop(self, started: float) -> float:
        now = time.perf_counter()
        if self.slowdown:
            deadline = started + (now - started) * (1.0 + self.slowdown)
            while now < deadline:  # busy wait: the CPU stays as busy as in the workload
                now = time.perf_counter()
        return now - started


class Markers:
    """The instructions measure's ends of the region: the two callgrind marker calls (plus the
    injected deterministic work, when asked for). Values come from callgrind's dumps: 0.0 here."""

    #: Regions this process has closed with the end marker (one callgrind dump each).
    regions_marked = 0

    def __init__(self, spin_iterations: int, *, marked: bool = True) -> None:
        self.spin_iterations = spin_iterations
        #: False for a warm-up region: the same work, no marker calls, so no dumps and no count.
        self.marked = marked

    def start(self) -> float:
        if self.marked:
            REGION_START()
        return 0.0

    def stop(self, started: float) -> float:
        if self.spin_iterations:
            spin(self.spin_iterations)
        if self.marked:
            REGION_END()
            Markers.regions_marked += 1
        return 0.0


async def timed_batch(loops: int, workload: Workload, case: Case) -> float:
    """Run the case ``loops`` times inside the current event loop; return the elapsed seconds."""
    return await measured_region(loops, workload, case, Clock(injected_slowdown()))


async def counted_batch(loops: int, workload: Workload, case: Case, marked: bool) -> float:
    """Run the case ``loops`` times between the two callgrind markers (the count is read from
    callgrind's dump files by :mod:`benchmarks.running.counting`); without them when not
    ``marked`` (a warm-up)."""
    runtime_name = case.runtime.name if case.runtime is not None else ""
    per_item = work_per_item(workload.benchmark_name(case.params), runtime_name)
    markers = Markers(round(per_item * loops * workload.inner_loops(case)), marked=marked)
    return await measured_region(loops, workload, case, markers)


def count_batch(
    loops: int, runtime: Runtime, workload: Workload, case: Case, *, marked: bool = True
) -> float:
    """One counted region of ``loops`` runs of the case, inside the running event loop (a
    warm-up when not ``marked``: the same region without the markers, so it is not counted)."""
    if case.runtime is None:
        case = dataclasses.replace(case, runtime=runtime)
    return runtime.run(counted_batch, loops, workload, case, marked)


def heap_set_aside() -> None:
    """Collect, then freeze what survives (untimed, right before either measure's region).

    ``gc.collect()`` starts both measures from the same heap state; ``gc.freeze()`` then moves
    every surviving object to the collector's permanent generation, so a collection inside the
    region walks only what the region itself allocated. Without it, the cost of a collection in
    the region grows with everything the process holds (the modules it imported): one more
    unrelated import moved ``concurrency.fan_in`` by -1.26% and ``io.zip_backup`` by -0.72%, and
    freezing took them to +0.15% and -0.01% (``results/layouts-retag-2026-12-03/``). The
    region's own garbage is still collected as usual. :func:`measured_region` unfreezes right
    after the region ends. Wall time leaves out the same walks: they measure the process's heap,
    not the iteration.
    """
    gc.collect()
    gc.freeze()


async def measured_region(
    loops: int, workload: Workload, case: Case, ends: Clock | Markers
) -> float:
    """The region of both measures: untimed set-up, ``ends.start()``, ``loops`` awaits of the
    workload, ``ends.stop()``, then the untimed check and close."""
    tasks_before = len(anyio.get_running_tasks())
    if workload.uses_threads:
        await warm_threads(case)
    async with workload.open(case) as run_once:
        loop_range = range(loops)
        result: object = None
        heap_set_aside()
        try:
            started = ends.start()
            try:
                for _ in loop_range:
                    result = await run_once()
            finally:
                # The end runs even when the workload raised, so callgrind's dumps stay in step
                # with the regions the process ran.
                measured = ends.stop(started)
        finally:
            gc.unfreeze()
        # Checked before the session closes, so results that live in it (files) still exist.
        workload.check(case, result)
    leaked = len(anyio.get_running_tasks()) - tasks_before
    if leaked > 0:
        raise LeakedTasks(f"{workload.benchmark_name(case.params)} left {leaked} task(s) running")
    return measured
