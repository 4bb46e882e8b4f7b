"""One benchmark on several runtimes, its worker processes interleaved in blocks.

``run`` measures each benchmark this way unless pyperf options it cannot split into single
workers are given (memory tracking, ``--debug-single-value``, anything beyond the settings
below): then each runtime runs as one pyperf master with its worker processes, one runtime after
another, as before.

For ``processes`` blocks, one pyperf worker process of each runtime runs, back to back, in the
balanced random order :func:`benchmarks.blocks.worker_order` gives (a Williams design),
every worker with the same ``loops``, values, warm-ups and minimum time. Each worker's run is
stamped with its block, then the runs of each runtime are merged into one pyperf benchmark, in
block order, exactly as pyperf's master would have merged its workers.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyperf

from benchmarks import blocks, catalog, interrupt, runner

#: pyperf options that set the measurement (a run with them is "custom"); a single worker takes
#: them as they are, with or without a value.
SETTING_OPTIONS = ("--processes", "--values", "--warmups", "--loops", "--min-time",
                   "-p", "-n", "-w", "-l")  # fmt: skip
_FLAGS = ("--fast", "--rigorous", "-v", "--verbose", "-q", "--quiet")


@dataclass(frozen=True)
class WorkerSettings:
    """What every worker process of an interleaved benchmark runs with."""

    processes: int
    values: int
    warmups: int
    min_time: float
    #: Fixed by the user (``--loops``), else None: calibrated once per benchmark.
    loops: int | None


def worker_settings(pyperf_args: Sequence[str]) -> WorkerSettings | None:
    """The settings ``pyperf_args`` ask for (``--fast``/``--rigorous`` applied as pyperf does),
    or None when they hold an option a single worker cannot honour on its own."""
    index = 0
    args = list(pyperf_args)
    while index < len(args):
        arg = args[index]
        name = arg.split("=")[0]
        if name == "--identity":  # ours, forwarded to every worker
            index += 2
            continue
        if name in SETTING_OPTIONS:
            index += 1 if "=" in arg else 2
            continue
        if arg in _FLAGS or re.fullmatch(r"-v+", arg):
            index += 1
            continue
        return None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--processes", "-p", type=int, default=None)
    parser.add_argument("--values", "-n", type=int, default=None)
    parser.add_argument("--warmups", "-w", type=int, default=runner.WARMUPS)
    parser.add_argument("--loops", "-l", type=int, default=None)
    parser.add_argument("--min-time", type=float, default=runner.MIN_TIME)
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--rigorous", action="store_true")
    parser.add_argument("--identity")
    parsed, _ = parser.parse_known_args(args)  # only -v/-q are left
    # pyperf's own rule for --fast and --rigorous (Runner._process_args), on our defaults.
    processes, values = runner.PROCESSES, runner.VALUES
    if parsed.rigorous:
        processes = runner.PROCESSES * 2
    elif parsed.fast:
        processes, values = max(runner.PROCESSES // 2, 3), max(runner.VALUES * 2 // 3, 2)
    return WorkerSettings(
        processes=max(parsed.processes or processes, 1),
        values=parsed.values or values,
        warmups=parsed.warmups,
        min_time=parsed.min_time,
        loops=parsed.loops or None,
    )


@dataclass
class Lane:
    """One runtime of the benchmark: its worker files so far, or why it stopped."""

    runtime: str
    files: list[Path]
    failure: str | None = None


def identity_arguments(pyperf_args: Sequence[str]) -> list[str]:
    """``--identity JSON`` from ``pyperf_args`` (the suite identity every worker records)."""
    args = list(pyperf_args)
    for index, arg in enumerate(args):
        if arg == "--identity" and index + 1 < len(args):
            return ["--identity", args[index + 1]]
        if arg.startswith("--identity="):
            return [arg]
    return []


def measure_benchmark(
    spec: catalog.BenchmarkSpec,
    runtimes: Sequence[str],
    fixture_dir: Path | None,
    run_id: str,
    mode: str,
    settings: WorkerSettings,
    loops: int,
    pyperf_args: Sequence[str],
    scratch: Path,
    failure_reason: Callable[[str, int], str],
) -> dict[str, Path | str]:
    """Measure ``spec`` on ``runtimes`` in interleaved blocks.

    Returns, per runtime, the merged pyperf file (one benchmark, ``processes`` runs) or the
    reason it failed. A runtime whose worker fails runs no more workers; the others go on.
    """
    lanes = [Lane(runtime, []) for runtime in runtimes]
    options = [
        "--worker",
        f"--loops={loops}",
        f"--values={settings.values}",
        f"--warmups={settings.warmups}",
        f"--min-time={settings.min_time}",
        *identity_arguments(pyperf_args),
    ]
    stem = f"blocks-{abs(hash(spec.name))}"
    for block in range(settings.processes):
        label = blocks.block_label(run_id, spec.name, block)
        order = blocks.worker_order(len(lanes), block, blocks.design_seed(f"{run_id}|{spec.name}"))
        for lane in [lanes[index] for index in order]:
            if lane.failure is not None:
                continue
            output = scratch / f"{stem}-{lane.runtime}-{block}.json"
            command = runner.runner_command(
                sys.executable, spec, lane.runtime, fixture_dir, run_id, mode, output
            )
            completed = interrupt.run_child([*command, *options], capture_stdout=True)
            if completed.returncode != 0 or not output.exists():
                sys.stderr.write(completed.stderr)
                lane.failure = failure_reason(completed.stderr, completed.returncode)
                continue
            blocks.stamp(output, label)
            lane.files.append(output)
    outcome: dict[str, Path | str] = {}
    for lane in lanes:
        if lane.failure is not None:
            outcome[lane.runtime] = lane.failure
            continue
        merged = blocks.merged_benchmark(lane.files)
        target = scratch / f"{stem}-{lane.runtime}-merged.json"
        pyperf.BenchmarkSuite([merged]).dump(str(target), replace=True)
        for path in lane.files:
            path.unlink(missing_ok=True)
        outcome[lane.runtime] = target
    return outcome
