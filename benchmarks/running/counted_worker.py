"""The instrumented process of the instructions measure: ``python -m
benchmarks.running.counted_worker``.

It runs under ``valgrind --tool=callgrind`` (started by :mod:`benchmarks.running.counting`) and
measures every benchmark of its plan in turn on one runtime, so interpreter start-up under Valgrind
is paid once per process, not once per benchmark. Each benchmark runs its regions (warm-ups, then
values) through :func:`benchmarks.running.harness.count_batch`, one ``anyio.run`` per region as the
time measure does per value; the harness calls the two callgrind markers around the loop, so each
region becomes one callgrind dump. Input data is built before the process starts.

The process imports only what the regions need (anyio, the runtime, the workloads, the harness):
under Valgrind every import costs fifty times its native time. The benchmarks' metadata (library
versions, pyperf's description of the interpreter and machine) is gathered by the same module
run natively with ``--describe``, once per arm.

**One forked child per benchmark.** The process imports everything its benchmarks need
(:func:`preload`), then forks one child per benchmark, which runs that benchmark's regions and
exits; the parent runs no region. Every benchmark so starts from the same heap: what an earlier
benchmark allocated, and when its worker threads happened to exit, cannot move the addresses a
later one sees (through id-based hashing, its counts: an I/O benchmark's threads put one process
in four 0.2% off on the checkpoint generators after it), and a selection of benchmarks counts
each as the whole matrix does. Callgrind follows a fork by itself (``--callgrind-out-file`` with
``%p``: each child writes its own dumps). With the plan's ``layouts`` K above 1, the process
first forks K layout processes, each of which takes its layout (:func:`shift_layout`) before it
imports anything the regions need and then forks its own child per benchmark.

It writes, outside any region, a JSON report of what it ran: its own pid and per benchmark the
child's pid, the kind of each region in order (``warmup``, ``value`` or ``failed``), its loops
and inner loops, and the error that stopped it. Warm-up regions run without the markers, so they
make no dumps and are not counted. The parent checks that callgrind made exactly one dump pair
per counted region (``value`` or ``failed``), in order, in each child's file, and none in the
process's own or its layout processes', before it trusts a single count.

**Instrumentation starts late** where :mod:`benchmarks.running.client_requests` works (the plan's
``start_instrumentation``; the process was started with ``--instr-atstart=no``): start-up,
imports, the forks and the warm-ups run uninstrumented, and each child turns callgrind's
instrumentation on right before its first counted region. A count does not depend on it (the
region's guest instructions are the same); the time does, about four times less for what runs
uninstrumented.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.measured.catalog import load_workload, parse_param
from benchmarks.measured.workload import Case, ParamValue, Workload
from benchmarks.running import client_requests

#: Modules the process imports before anything its regions need (comma-separated names): another
#: history of the same code, for measuring how far counts move with a change outside the
#: measured code (docs/instructions.md, "Counts and the process's history").
HISTORY_ENV = "AITER_BENCH_HISTORY_IMPORTS"
#: The seed of a scheduler's own random choices (trio's), set before each benchmark.
SCHEDULER_SEED = 0
#: Dummy classes a layout process makes, per step of its layout, before its imports.
LAYOUT_CLASSES_PER_STEP = 1
#: What the dummy classes of :func:`shift_layout` hold, kept for the process's life.
_LAYOUT_PADDING: list[type] = []
#: Pipe ends this process holds for its children, which a newly forked child closes.
_HELD_FDS: list[int] = []
#: Region kinds in the report.
WARMUP, VALUE, FAILED = "warmup", "value", "failed"


def planned_case(entry: dict[str, Any]) -> tuple[Workload, dict[str, ParamValue], Case]:
    """The workload, typed parameters and case of one plan entry."""
    workload = load_workload(entry["workload"])
    params = dict(parse_param(workload, text) for text in entry["params"])
    params = {name: params[name] for name in workload.params}
    fixture = entry.get("fixture_dir")
    return workload, params, Case(params, Path(fixture) if fixture else None)


def benchmark_name(entry: dict[str, Any]) -> str:
    """The benchmark name of one plan entry."""
    workload, params, _ = planned_case(entry)
    return workload.benchmark_name(params)


def count_benchmark(entry: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """Run one benchmark's regions; its report entry."""
    from benchmarks.platform.runtimes import RUNTIMES
    from benchmarks.running.harness import Markers, count_batch

    workload, params, case = planned_case(entry)
    runtime = RUNTIMES[plan["runtime"]]
    loops = int(entry["loops"])
    report: dict[str, Any] = {
        "name": workload.benchmark_name(params),
        "loops": loops,
        "inner_loops": workload.inner_loops(case),
        "regions": [],
        "error": None,
    }
    kinds = [WARMUP] * int(plan["warmups"]) + [VALUE] * int(plan["values"])
    runtime.native().seed_scheduler(SCHEDULER_SEED)  # the same random choices in every process
    instrumenting = not plan.get("start_instrumentation", False)
    for kind in kinds:
        if kind == VALUE and not instrumenting:
            # Warm-ups ran uninstrumented (faster, uncounted); instrument from here on.
            client_requests.start_instrumentation()
            instrumenting = True
        marked = Markers.regions_marked
        try:
            count_batch(loops, runtime, workload, case, marked=kind == VALUE)
        except Exception as exc:
            if Markers.regions_marked > marked:  # the region began: it has its dumps too
                report["regions"].append(FAILED)
            report["error"] = traceback.format_exception_only(type(exc), exc)[-1].strip()
            break
        report["regions"].append(kind)
    return report


async def _checkpoint_once() -> None:
    import anyio

    await anyio.sleep(0)


def preload(plan: dict[str, Any]) -> list[str]:
    """Import, before any fork, what every benchmark's child needs (the runtime, anyio's backend,
    the harness, each planned workload), so no child pays an import under Valgrind; the names of
    the planned benchmarks."""
    from benchmarks.platform.runtimes import RUNTIMES
    from benchmarks.running import harness  # noqa: F401 (imported for the children)

    runtime = RUNTIMES[plan["runtime"]]
    runtime.preload()
    if plan.get("start_instrumentation", False):
        client_requests.prepare()  # its memory allocated here, not right before a region
    # One start of the runtime, so its code is translated once here and not in every child
    # (translation costs time, never counts); it leaves the same heap in every run.
    runtime.run(_checkpoint_once)
    return [benchmark_name(entry) for entry in plan["benchmarks"]]


def died(entry: dict[str, Any], name: str, error: str) -> dict[str, Any]:
    """The report entry of a benchmark whose child stopped before it could report."""
    loops = int(entry["loops"])
    return {"name": name, "loops": loops, "inner_loops": 1, "regions": [], "error": error,
            "died": True}  # fmt: skip


def shift_layout(step: int) -> None:
    """Put this process in layout ``step``: make ``step`` dummy classes (per
    :data:`LAYOUT_CLASSES_PER_STEP`) and tag each, before the history imports, the runtime,
    anyio and the workloads are imported (by then only the worker's own modules and the standard
    library modules they use are loaded).

    CPython's type attribute cache (4096 slots, indexed by a type's version tag and the address
    of the name) makes a count depend on both: two lookups made on every item that share a slot
    evict each other on every item. One import more before the regions moved uvloop's
    ``class_iterator`` by +4.8%, 3 misses per item (``find_name_in_mro`` 91 -> 159,000
    instructions per region: results/type-cache-2026-12-03/). Version tags are handed out in the
    order of first lookups, so every type the imports make (the runtime's, anyio's, the
    workloads' classes) is tagged ``step`` tags further on, and every name they intern lies
    elsewhere on the heap. Such a collision falls in some layouts and not others; the minimum
    of a process's layouts leaves it out unless it falls in every one (a miss only adds), while
    work added per item shows in every layout alike.

    Nothing already tagged is touched. An earlier version took every type's tag back in each
    benchmark's child (``PyType_Modified(object)``), after the parent had run and specialised
    the runtime's code: attribute instructions specialised on a type's version then took the
    generic path, and code run a few times per region was not re-specialised by the warm-ups. It
    inflated the counts of cells that create tasks per item by 10-20% and made them depend on
    what the process had imported (+3.35% after ``configparser``;
    results/layouts-retag-2026-12-03/)."""
    for index in range(step * LAYOUT_CLASSES_PER_STEP):
        padding = type(f"LayoutPadding{index}", (), {})
        getattr(padding, "layout_step", None)  # assigns its version tag
        _LAYOUT_PADDING.append(padding)


def close_held_fds() -> None:
    """In a newly forked child: close the pipe ends its parent holds for other children (their
    reports, their signal to start), so that no descendant keeps them open."""
    for fd in _HELD_FDS:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_FDS.clear()


def child_main(body: Callable[[], Any], died_report: Callable[[str], Any], report_fd: int) -> None:
    """A forked child's whole life: run ``body``, write what it returned (or, if it raised,
    ``died_report(why)``) as JSON to ``report_fd``, and exit without cleaning up, whatever
    happens (a report that cannot be made leaves the pipe empty: the parent reports the death)."""
    status = 1
    try:
        try:
            report = body()
            status = 0
        except BaseException as exc:  # the parent must hear of anything, even an interrupt
            report = died_report(f"{type(exc).__name__}: {exc}")
        with os.fdopen(report_fd, "w", encoding="utf-8") as stream:
            json.dump(report, stream)
    finally:
        os._exit(status)


def collect_report(pid: int, report_fd: int, what: str) -> tuple[Any, str | None]:
    """Read a child's report and wait for it: (its report, None), or (None, why it died)."""
    with os.fdopen(report_fd, encoding="utf-8") as stream:
        text = stream.read()
    _, status = os.waitpid(pid, 0)
    try:
        return json.loads(text), None
    except ValueError:
        code = os.waitstatus_to_exitcode(status)
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        return None, f"{what} died ({how})"


def forked(
    body: Callable[[], Any], died_report: Callable[[str], Any], what: str
) -> tuple[Any, int]:
    """Run ``body`` in a forked child; what it returned (sent back as JSON through a pipe) and
    the child's pid. A child that raises or dies reports ``died_report(why)`` instead (``what``
    names the child in the message of its death)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        close_held_fds()
        child_main(body, died_report, write_end)
    os.close(write_end)
    report, why = collect_report(pid, read_end, what)
    return (died_report(why) if why is not None else report), pid


def count_in_child(
    entry: dict[str, Any], plan: dict[str, Any], name: str, layout: int = 0
) -> dict[str, Any]:
    """Fork a child that runs one benchmark's regions (:func:`count_benchmark`); its report
    entry, with the child's pid and the layout it ran in. A child that dies before reporting is
    a failed benchmark."""
    report, pid = forked(
        lambda: count_benchmark(entry, plan),
        lambda why: died(entry, name, why),
        "the benchmark's process",
    )
    report = dict(report)
    report["pid"] = pid
    report["layout"] = layout
    return report


def history_modules(value: str | None) -> list[str]:
    """The module names of :data:`HISTORY_ENV`'s value, in order."""
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def import_history(value: str | None) -> list[str]:
    """Import the modules of :data:`HISTORY_ENV`'s value; their names."""
    import importlib

    names = history_modules(value)
    for name in names:
        importlib.import_module(name)
    return names


def count_layout(plan: dict[str, Any], layout: int) -> list[dict[str, Any]]:
    """Every planned benchmark counted in a child of its own, in order, after this process's
    history imports and :func:`preload`; their report entries."""
    import_history(os.environ.get(HISTORY_ENV))
    names = preload(plan)
    planned = zip(plan["benchmarks"], names, strict=True)
    return [count_in_child(entry, plan, name, layout) for entry, name in planned]


@dataclass
class LayoutProcess:
    """A forked layout process, waiting for its signal to start (:func:`fork_layouts`)."""

    layout: int
    pid: int
    start_fd: int
    report_fd: int


def fork_layouts(plan: dict[str, Any], layouts: int) -> list[LayoutProcess]:
    """Fork every layout process before any of them runs, so each starts from the same heap (the
    parent holds nothing of an earlier layout's report yet). Layout ``j``, once told to start,
    takes its layout (:func:`shift_layout`) before its imports, then counts every benchmark
    (:func:`count_layout`)."""
    started: list[LayoutProcess] = []
    for layout in range(layouts):
        start_read, start_write = os.pipe()
        report_read, report_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(start_write)
            os.close(report_read)
            close_held_fds()
            _HELD_FDS.append(report_write)  # its benchmarks' children must not hold it
            if os.read(start_read, 1) != b"1":  # the parent went away without starting it
                os._exit(1)
            os.close(start_read)

            def body(layout: int = layout) -> list[dict[str, Any]]:
                shift_layout(layout)
                return count_layout(plan, layout)

            child_main(body, lambda why: {"error": why}, report_write)
        os.close(start_read)
        os.close(report_write)
        _HELD_FDS.extend([start_write, report_read])
        started.append(LayoutProcess(layout, pid, start_write, report_read))
    return started


def run_layouts(plan: dict[str, Any], layouts: int) -> list[tuple[LayoutProcess, Any]]:
    """Start the layout processes one after another; each one's report (its entries, or the
    ``error`` that stopped it)."""
    results = []
    for process in fork_layouts(plan, layouts):
        os.write(process.start_fd, b"1")
        os.close(process.start_fd)
        report, why = collect_report(
            process.pid, process.report_fd, f"layout {process.layout}'s process"
        )
        for fd in (process.start_fd, process.report_fd):
            if fd in _HELD_FDS:
                _HELD_FDS.remove(fd)
        results.append((process, {"error": why} if why is not None else report))
    return results


def count_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """Every planned benchmark counted in a child of its own; with the plan's ``layouts`` K above
    1, in each of K layout processes (:func:`fork_layouts`), the entries of one benchmark next to
    each other. A layout process that stopped reports every benchmark as died in that layout, and
    is left out of ``layout_pids`` (its dumps, if any, are not read). The process's report."""
    layouts = int(plan.get("layouts", 1))
    if layouts <= 1:
        return {"pid": os.getpid(), "benchmarks": count_layout(plan, 0)}
    results = run_layouts(plan, layouts)
    reported = [report for _, report in results if isinstance(report, list)]
    # Names from a layout that reported: the parent imports no workload while layouts run.
    names = ([entry["name"] for entry in reported[0]] if reported
             else [benchmark_name(entry) for entry in plan["benchmarks"]])  # fmt: skip
    per_layout = [
        report if isinstance(report, list) else [
            {**died(entry, name, str(report.get("error"))), "layout": process.layout}
            for entry, name in zip(plan["benchmarks"], names, strict=True)
        ]
        for process, report in results
    ]  # fmt: skip
    rows = zip(*per_layout, strict=True)
    return {
        "pid": os.getpid(),
        "layout_pids": [process.pid for process, report in results if isinstance(report, list)],
        "benchmarks": [entry for row in rows for entry in row],
    }


def describe(plan: dict[str, Any]) -> dict[str, Any]:
    """Every planned benchmark's metadata, and pyperf's metadata of this interpreter (run
    natively, not under Valgrind)."""
    from pyperf._collect_metadata import collect_metadata

    from benchmarks.running import harness, runner

    described = {}
    for entry in plan["benchmarks"]:
        workload, params, case = planned_case(entry)
        name = workload.benchmark_name(params)
        described[name] = {
            **runner.benchmark_metadata(
                plan["runtime"], workload, case, plan["run_id"], plan["suite_mode"],
                plan["identity"],
            ),
            "injected_work_per_item": harness.work_per_item(name, plan["runtime"]),
        }  # fmt: skip
    return {"benchmarks": described, "pyperf_metadata": dict(collect_metadata())}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.running.counted_worker")
    parser.add_argument(
        "--describe",
        action="store_true",
        help="write the metadata instead of counting (with --plan and --output)",
    )
    parser.add_argument("--plan", type=Path, help="the plan (JSON; default: standard input)")
    parser.add_argument("--output", type=Path, help="the report (JSON; default: standard output)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    text = sys.stdin.read() if args.plan is None else args.plan.read_text(encoding="utf-8")
    plan = json.loads(text)
    document = describe(plan) if args.describe else count_plan(plan)
    if args.output is None:
        sys.stdout.write(json.dumps(document))
        sys.stdout.flush()
    else:
        args.output.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
