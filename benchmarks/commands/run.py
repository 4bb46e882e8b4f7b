"""``python -m benchmarks run``: a selection, or a version matrix with ``--python``.

This module only parses arguments; :mod:`benchmarks.running.run_command` does the work through
the one scheduler (:mod:`benchmarks.running.scheduler`). Options it does not know go to pyperf
(``--processes``, ``--affinity``, ...), checked here before anything runs.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.commands.selection import add_selection_arguments, plan
from benchmarks.commands.usage import OneLineParser, add_existing_arguments, fail, output_folder
from benchmarks.measured.fixtures import DEFAULT_FIXTURE_ROOT
from benchmarks.platform.environments import DEFAULT_CACHE
from benchmarks.running import counting, preflight, run_command, runtime_blocks
from benchmarks.running.measure_options import add_measure_arguments, count_settings
from benchmarks.storage import identity

#: pyperf options that change the measurement settings: with them the run is "custom".
PYPERF_SETTING_OPTIONS = runtime_blocks.SETTING_OPTIONS
#: pyperf options that measure memory (bytes) instead of time: the run's mode is "memory".
PYPERF_MEMORY_OPTIONS = ("--track-memory", "--tracemalloc")


def add_parser(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="measure a selection; unknown options go to pyperf (--processes, --affinity, ...)",
    )
    add_selection_arguments(run)
    speed = run.add_mutually_exclusive_group()
    speed.add_argument("--fast", action="store_true", help="pyperf --fast: quick, less precise")
    speed.add_argument(
        "--rigorous", action="store_true", help="pyperf --rigorous: twice the processes"
    )
    run.add_argument(
        "-o",
        "--output",
        type=output_folder,
        help="results folder (default: a new one under results/); an existing run folder "
        "needs --resume or --force",
    )
    add_existing_arguments(run, "run")
    run.add_argument(
        "--fixture-root",
        type=Path,
        default=DEFAULT_FIXTURE_ROOT,
        help=f"where input data is built and cached (default: {DEFAULT_FIXTURE_ROOT})",
    )
    run.add_argument(
        "--python",
        nargs="+",
        metavar="VERSION",
        help="a version matrix: every (version x runtime) interleaved in shared blocks, one "
        "environment per interpreter (found as benchmarks/platform/interpreters.py says), "
        "results in -o DIR/py3.X",
    )
    run.add_argument(
        "--cache", type=Path, default=None, help="with --python: where environments are kept"
    )
    add_measure_arguments(run, counting.LAYOUTS)


def suite_mode(args: argparse.Namespace, pyperf_args: Sequence[str]) -> str:
    if any(a in PYPERF_MEMORY_OPTIONS for a in pyperf_args):
        return "memory"
    if "--debug-single-value" in pyperf_args:
        return "debug-single-value"
    if any(a.split("=")[0] in PYPERF_SETTING_OPTIONS for a in pyperf_args):
        return "custom"
    if args.fast:
        return "fast"
    if args.rigorous:
        return "rigorous"
    return "default"


def check_pyperf_arguments(pyperf_args: Sequence[str]) -> None:
    """Reject options pyperf does not know before anything runs, in one line."""
    import pyperf

    parser = OneLineParser(prog="pyperf", add_help=False)
    pyperf.Runner(_argparser=parser)
    parsed = parser.parse_args(list(pyperf_args))
    affinity = getattr(parsed, "affinity", None)
    if affinity is not None and not re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", affinity):
        fail(f"--affinity must be a CPU list such as 0-3 or 0,2; got {affinity!r}")
    min_time = getattr(parsed, "min_time", None)
    if min_time is not None and not (math.isfinite(min_time) and min_time > 0):
        fail(f"--min-time must be a positive number of seconds such as 0.1, not {min_time}")


def command(args: argparse.Namespace, pyperf_args: list[str]) -> int:
    runtimes, specs = plan(args)
    check_pyperf_arguments(pyperf_args)
    if args.fast:
        pyperf_args = ["--fast", *pyperf_args]
    if args.rigorous:
        pyperf_args = ["--rigorous", *pyperf_args]
    if args.resume and args.output is None:
        fail("--resume needs -o DIR, the folder of the run to continue")
    measures = counting.measures_of(args.measure)
    try:
        preflight.check_measures(measures, [s.name for s in specs], suite_mode(args, pyperf_args))
        if args.python:
            preflight.check_cache(args.cache or identity.SUITE_SOURCE / DEFAULT_CACHE)
    except ValueError as exc:
        fail(str(exc))
    request = run_command.Request(
        runtimes=runtimes,
        specs=specs,
        mode=suite_mode(args, pyperf_args),
        pyperf_args=pyperf_args,
        output=args.output,
        resume=args.resume,
        force=args.force,
        fixture_root=args.fixture_root,
        command=[Path(sys.executable).name, "-m", "benchmarks", *sys.argv[1:]],
        measures=measures,
        count_settings=count_settings(args),
    )
    try:
        if args.python:
            return run_command.run_matrix(request, args.python, args.cache)
        return run_command.run(request)
    except run_command.UsageError as exc:
        fail(str(exc))
