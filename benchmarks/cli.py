"""``python -m benchmarks``: list the workload x runtime matrix, or run a selection of it.

This module only parses arguments; :mod:`benchmarks.running.run_command` and
:mod:`benchmarks.running.interleave` do the work, through the one scheduler
(:mod:`benchmarks.running.scheduler`).

``run`` measures benchmark by benchmark. For each, ``loops`` is calibrated once, then the
runtimes' pyperf worker processes (``python -m benchmarks.running.runner --worker``) run interleaved
in blocks, one process of each runtime per block in a balanced random order
(``benchmarks.running.blocks.worker_order``, its seed in the manifest), so a noisy machine's slow
changes of speed fall on every runtime alike and the analysis can pair processes within blocks.
``run --python 3.10 3.12`` does the same with one arm per (version x runtime), each version in an
environment of its own, into ``DIR/py3.10``, ``DIR/py3.12``. pyperf options a single worker
cannot honour (memory tracking, ``--debug-single-value``, ...) run each runtime as one pyperf
master instead, one after another.
Each result is merged into ``DIR/<runtime>.json`` as soon as it is measured
(the run folder, its lock and manifest: ``benchmarks.storage.results``). A benchmark that fails, or
whose input data cannot be built, is recorded in the manifest and the run goes on. SIGINT and
SIGTERM stop the run cleanly (``benchmarks.storage.interrupt``) with exit code 130 or 143.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import DEFAULT_FIXTURE_ROOT
from benchmarks.measured.workload import ParamValue
from benchmarks.platform.runtimes import DEFAULT_RUNTIMES, RUNTIMES
from benchmarks.running import counting, run_command, runtime_blocks
from benchmarks.running.measure_options import add_measure_arguments, count_settings
from benchmarks.storage import interrupt

USAGE_ERROR = 2

#: pyperf options that change the measurement settings: with them the run is "custom".
PYPERF_SETTING_OPTIONS = runtime_blocks.SETTING_OPTIONS


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as a single line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        fail(message)


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(USAGE_ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    listing = commands.add_parser("list", help="print the workload x runtime matrix")
    add_selection_arguments(listing)

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
    add_measure_arguments(run)
    add_ab_parser(commands)
    return parser


def add_existing_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--resume`` and ``--force``: what to do with the ``what`` already in ``-o DIR``."""
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument(
        "--resume",
        action="store_true",
        help=f"continue the interrupted {what} in -o DIR: measure only what its manifest lacks",
    )
    existing.add_argument(
        "--force", action="store_true", help=f"replace the {what} already in -o DIR"
    )


def add_ab_parser(commands: Any) -> None:
    """``ab``: interleaved A/B of two environments (benchmarks/running/interleave.py does the
    work)."""
    from benchmarks.running import interleave

    ab = commands.add_parser(
        "ab", help="interleaved A/B run of two environments (git ref, Python, pip overrides)"
    )
    add_selection_arguments(ab)
    interleave.add_arguments(ab)
    ab.add_argument("--fixture-root", type=Path, default=DEFAULT_FIXTURE_ROOT)


def command_ab(args: argparse.Namespace) -> int:
    from benchmarks.running import interleave

    runtimes, specs = plan(args)
    try:
        return interleave.command(args, runtimes, specs, na_reason)
    except ValueError as exc:
        fail(str(exc))


def output_folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name; name the results folder")
    return Path(text)


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runtime",
        action="extend",
        nargs="+",
        metavar="NAME",
        help=(
            f"runtimes to use (default: {', '.join(DEFAULT_RUNTIMES)}; "
            f"all: {', '.join(RUNTIMES)}; 'list' shows all)"
        ),
    )
    parser.add_argument(
        "--workload", action="extend", nargs="+", metavar="GLOB", help="workload name patterns"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="run these ladder values of a parameter (e.g. items=10,100000)",
    )
    parser.add_argument(
        "--ladder", action="store_true", help="run every value of every parameter ladder"
    )


def selected_runtimes(names: Sequence[str] | None, everything: bool = False) -> list[str]:
    """The named runtimes, or by default the default ones (every one when ``everything``)."""
    if not names:
        return list(RUNTIMES) if everything else list(DEFAULT_RUNTIMES)
    for name in names:
        if name not in RUNTIMES:
            fail(f"unknown runtime {name!r}; valid runtimes: {', '.join(RUNTIMES)}")
    return list(dict.fromkeys(names))


def parse_overrides(
    texts: Sequence[str], workloads: Sequence[catalog.Workload]
) -> dict[str, tuple[ParamValue, ...]]:
    """``--param items=10,1000`` as typed ladder values, checked against the selected workloads."""
    ladders: dict[str, list[ParamValue]] = {}
    for workload in workloads:
        for name, values in workload.params.items():
            known = ladders.setdefault(name, [])
            known.extend(value for value in values if value not in known)
    overrides: dict[str, tuple[ParamValue, ...]] = {}
    for text in texts:
        name, sep, raw_values = text.partition("=")
        if not sep or name not in ladders:
            valid = ", ".join(sorted(ladders))
            fail(f"bad --param {text!r}; parameters of the selected workloads: {valid}")
        chosen = list(overrides.get(name, ()))  # repeated --param NAME=... add up
        for raw in raw_values.split(","):
            match = [v for v in ladders[name] if str(v) == raw.strip()]
            if not match:
                valid = ", ".join(str(v) for v in ladders[name])
                fail(f"{name}={raw} is on no selected ladder; valid values: {valid}")
            if match[0] in chosen:
                note = f"note: --param {name}={match[0]} is given twice; measured once"
                print(note, file=sys.stderr)
                continue
            chosen.append(match[0])
        overrides[name] = tuple(chosen)
    return overrides


def plan(
    args: argparse.Namespace, *, every_workload: bool = False, every_runtime: bool = False
) -> tuple[list[str], list[catalog.BenchmarkSpec]]:
    """The runtimes and benchmarks selected; with no ``--workload`` the default run's workloads
    (every workload with ``--ladder`` or ``every_workload``), with no ``--runtime`` the default
    runtimes (every registered one with ``every_runtime``)."""
    runtimes = selected_runtimes(args.runtime, every_runtime)
    default_run = not (args.ladder or every_workload)
    try:
        workloads = catalog.select_workloads(args.workload, default_run=default_run)
    except catalog.UnknownWorkload as exc:
        fail(str(exc))
    overrides = parse_overrides(args.param, workloads)
    specs = catalog.expand(workloads, ladder=args.ladder, overrides=overrides)
    if not specs:
        fail("the selection holds no benchmark (no selected workload has those parameter values)")
    return runtimes, specs


na_reason = run_command.na_reason


def command_list(args: argparse.Namespace) -> int:
    """Every workload at its defaults (or the selection) on every runtime; ``*`` marks the
    workloads the default run leaves to ``--ladder``."""
    runtimes, specs = plan(args, every_workload=True, every_runtime=True)
    width = max(len(spec.name) for spec in specs)
    cols = [max(9, len(r)) for r in runtimes]
    unit_width = max(4, *(len(spec.workload.item_unit) for spec in specs))
    header = "  ".join(f"{r:<{c}}" for r, c in zip(runtimes, cols, strict=True))
    print(f"{'benchmark':<{width}}  {'unit':<{unit_width}}  " + header)
    reasons: dict[str, int] = {}
    for spec in specs:
        cells = []
        for runtime, col in zip(runtimes, cols, strict=True):
            na = na_reason(spec, runtime)
            if na is None:
                cells.append(f"{'ok':<{col}}")
            else:
                number = reasons.setdefault(na[1], len(reasons) + 1)
                cells.append(f"{f'n/a [{number}]':<{col}}")
        unit = spec.workload.item_unit
        mark = " " if spec.workload.in_default_run else "*"
        print(f"{spec.name:<{width}}{mark} {unit:<{unit_width}}  " + "  ".join(cells))
    for reason, number in reasons.items():
        print(f"[{number}] {reason}")
    in_default = sum(1 for spec in specs if spec.workload.in_default_run)
    print(
        f"{len(specs)} benchmarks x {len(runtimes)} runtimes ({in_default} benchmarks in the "
        "default run; * only with --ladder or --workload); values are seconds per unit"
    )
    extra = [r for r in runtimes if r not in DEFAULT_RUNTIMES]
    if extra and not args.runtime:
        print(f"measured only when named with --runtime: {', '.join(extra)}")
    return 0


#: pyperf options that measure memory (bytes) instead of time: the run's mode is "memory".
PYPERF_MEMORY_OPTIONS = ("--track-memory", "--tracemalloc")


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


def command_run(args: argparse.Namespace, pyperf_args: list[str]) -> int:
    runtimes, specs = plan(args)
    check_pyperf_arguments(pyperf_args)
    if args.fast:
        pyperf_args = ["--fast", *pyperf_args]
    if args.rigorous:
        pyperf_args = ["--rigorous", *pyperf_args]
    if args.resume and args.output is None:
        fail("--resume needs -o DIR, the folder of the run to continue")
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
        measures=counting.measures_of(args.measure),
        count_settings=count_settings(args),
    )
    try:
        if args.python:
            return run_command.run_matrix(request, args.python, args.cache)
        return run_command.run(request)
    except run_command.UsageError as exc:
        fail(str(exc))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command in ("list", "ab") and rest:
        fail(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "list":
        return command_list(args)
    try:  # run and ab stop alike: children ended, scratch removed, manifests list what is missing
        with interrupt.signals_stop_the_run():
            if args.command == "ab":
                return command_ab(args)
            return command_run(args, rest)
    except (KeyboardInterrupt, interrupt.Interrupted) as stop:
        code = stop.exit_code if isinstance(stop, interrupt.Interrupted) else 130
        print("interrupted", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
