"""``python -m benchmarks``: list the workload x runtime matrix, or run a selection of it.

``run`` measures benchmark by benchmark. For each, ``loops`` is calibrated once, then the
runtimes' pyperf worker processes (``python -m benchmarks.runner --worker``) run interleaved in
blocks, one process of each runtime per block in rotating order (``benchmarks.runtime_blocks``),
so a noisy machine's slow changes of speed fall on every runtime alike and the analysis can pair
processes within blocks. pyperf options a single worker cannot honour (memory tracking,
``--debug-single-value``, ...) run each runtime as one pyperf master instead, one after another.
Each result is merged into ``DIR/<runtime>.json`` as soon as it is measured
(the run folder, its lock and manifest: ``benchmarks.results``). A benchmark that fails, or
whose input data cannot be built, is recorded in the manifest and the run goes on. SIGINT and
SIGTERM stop the run cleanly (``benchmarks.interrupt``) with exit code 130 or 143.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from benchmarks import catalog, count_run, counting, identity, interrupt, runner, runtime_blocks
from benchmarks.fixtures import DEFAULT_FIXTURE_ROOT, FixtureCache, FixtureError
from benchmarks.results import (
    DEFAULT_RESULTS_ROOT,
    MANIFEST_FORMAT,
    Cell,
    RunFolder,
    RunFolderError,
    create_run_dir,
)
from benchmarks.runtimes import DEFAULT_RUNTIMES, RUNTIMES
from benchmarks.workload import Case, Fixture, ParamValue

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
    existing = run.add_mutually_exclusive_group()
    existing.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted run in -o DIR: measure only what its manifest lacks",
    )
    existing.add_argument("--force", action="store_true", help="replace the run already in -o DIR")
    run.add_argument(
        "--fixture-root",
        type=Path,
        default=DEFAULT_FIXTURE_ROOT,
        help=f"where input data is built and cached (default: {DEFAULT_FIXTURE_ROOT})",
    )
    add_measure_arguments(run)
    add_ab_parser(commands)
    return parser


def add_ab_parser(commands: Any) -> None:
    """``ab``: interleaved A/B of two environments (benchmarks/interleave.py does the work)."""
    from benchmarks import interleave

    ab = commands.add_parser(
        "ab", help="interleaved A/B run of two environments (git ref, Python, pip overrides)"
    )
    add_selection_arguments(ab)
    interleave.add_arguments(ab)
    ab.add_argument("--fixture-root", type=Path, default=DEFAULT_FIXTURE_ROOT)


def command_ab(args: argparse.Namespace) -> int:
    from benchmarks import interleave

    runtimes, specs = plan(args)
    try:
        return interleave.command(args, runtimes, specs, na_reason)
    except ValueError as exc:
        fail(str(exc))


def add_measure_arguments(parser: argparse.ArgumentParser) -> None:
    """``--measure`` and the settings of the instructions measure (``run`` and ``ab``)."""
    parser.add_argument(
        "--measure",
        choices=counting.MEASURES,
        default="time",
        help="time (wall time per item, the default), instructions (CPU instructions per item "
        "under callgrind, deterministic) or both",
    )
    parser.add_argument(
        "--count-processes",
        type=positive_int,
        default=counting.PROCESSES,
        metavar="N",
        help=f"instrumented processes per runtime for instructions (default: {counting.PROCESSES})",
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def count_settings(args: argparse.Namespace) -> counting.CountSettings:
    return counting.CountSettings(processes=args.count_processes)


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


def na_reason(spec: catalog.BenchmarkSpec, runtime: str) -> tuple[str, str] | None:
    """(kind, reason) when the benchmark cannot run on the runtime, else None."""
    reason = RUNTIMES[runtime].unavailable_reason()
    if reason is not None:
        return "unavailable", reason
    reason = spec.workload.unsupported(runtime, Case(spec.params))
    if reason is not None:
        return "unsupported", reason
    return None


def command_list(args: argparse.Namespace) -> int:
    """Every workload at its defaults (or the selection) on every runtime; ``*`` marks the
    workloads the default run leaves to ``--ladder``."""
    runtimes, specs = plan(args, every_workload=True, every_runtime=True)
    width = max(len(spec.name) for spec in specs)
    cols = [max(9, len(r)) for r in runtimes]
    header = "  ".join(f"{r:<{c}}" for r, c in zip(runtimes, cols, strict=True))
    print(f"{'benchmark':<{width}}  {'unit':<6}  " + header)
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
        print(f"{spec.name:<{width}}{mark} {unit:<6}  " + "  ".join(cells))
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


def measurement_options(pyperf_args: Sequence[str]) -> list[str]:
    """The pyperf options that shape the values (a resumed run must use the same)."""
    return [a for a in pyperf_args if not re.fullmatch(r"-v+|--verbose|-q|--quiet", a)]


def check_pyperf_arguments(pyperf_args: Sequence[str]) -> None:
    """Reject options pyperf does not know before anything runs, in one line."""
    import pyperf

    parser = OneLineParser(prog="pyperf", add_help=False)
    pyperf.Runner(_argparser=parser)
    parser.parse_args(list(pyperf_args))


def failure_reason(stderr: str, returncode: int) -> str:
    """The most telling line of a failed runner's error output."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [
        line
        for line in lines
        if re.match(r"^[\w.]+(Error|Exception|Result|Tasks|Exit)\b:", line)
        and "failed with exit code" not in line
    ]
    if errors:
        return errors[-1]
    return lines[-1] if lines else f"runner exited with code {returncode}"


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    """'[k/M]' with an estimate of the time left, from the mean duration so far."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()

    def announce(self, label: str) -> None:
        if self.done:
            elapsed = time.monotonic() - self.started
            left = format_seconds(elapsed / self.done * (self.total - self.done))
            eta = f"about {left} left"
        else:
            eta = "estimating time left"
        print(f"[{self.done + 1}/{self.total}] {label} ({eta})", flush=True)

    def finish_one(self) -> None:
        self.done += 1


#: pyperf options that fix the loops themselves: then nothing is calibrated.
FIXED_LOOPS_OPTIONS = ("--loops", "-l", "--debug-single-value")
#: pyperf options that calibration must honour.
CALIBRATION_OPTIONS = ("--min-time",)


def needs_calibration(pyperf_args: Sequence[str]) -> bool:
    return not any(arg.split("=")[0] in FIXED_LOOPS_OPTIONS for arg in pyperf_args)


def calibration_arguments(pyperf_args: Sequence[str]) -> list[str]:
    """The options among ``pyperf_args`` that change how loops are calibrated."""
    kept: list[str] = []
    for index, arg in enumerate(pyperf_args):
        name = arg.split("=")[0]
        if name in CALIBRATION_OPTIONS:
            kept.append(arg)
            if "=" not in arg and index + 1 < len(pyperf_args):
                kept.append(pyperf_args[index + 1])
    return kept


def calibrate_loops(
    spec: catalog.BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    run_id: str,
    mode: str,
    pyperf_args: Sequence[str],
    scratch: Path,
) -> int | str:
    """Calibrate pyperf's ``loops`` once for a benchmark, in one worker on ``runtime``.

    Every runtime then runs with these loops (as pyperformance's ``--same-loops`` does), so the
    runtimes' values are made of the same number of workload runs. Returns the loops, or the
    failure reason.
    """
    import pyperf

    output = scratch / f"calibration-{abs(hash(spec.name))}.json"
    command = runner.runner_command(
        sys.executable, spec, runtime, fixture_dir, run_id, mode, output
    )
    command += ["--worker", "--calibrate-loops", *calibration_arguments(pyperf_args)]
    completed = interrupt.run_child(command, capture_stdout=True)
    if completed.returncode != 0 or not output.exists():
        sys.stderr.write(completed.stderr)
        return failure_reason(completed.stderr, completed.returncode)
    loops = pyperf.Benchmark.load(str(output)).get_runs()[-1].get_metadata().get("loops")
    output.unlink()
    return int(loops) if loops else "calibration recorded no loops"


def run_one(
    spec: catalog.BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    run_id: str,
    mode: str,
    pyperf_args: Sequence[str],
    measured_file: Path,
) -> str | None:
    """Measure one benchmark on one runtime into ``measured_file``; the failure reason, if any."""
    command = runner.runner_command(
        sys.executable, spec, runtime, fixture_dir, run_id, mode, measured_file
    )
    verbose = any(re.fullmatch(r"-v+|--verbose", arg) for arg in pyperf_args)
    if not verbose:
        command.append("--quiet")
    command.extend(pyperf_args)
    completed = interrupt.run_child(command, capture_stdout=not verbose)
    if completed.returncode != 0 or not measured_file.exists():
        sys.stdout.write(completed.stdout or "")
        sys.stderr.write(completed.stderr)
        return failure_reason(completed.stderr, completed.returncode)
    if completed.stderr:
        sys.stderr.write(completed.stderr)
    return None


def describe(measured_file: Path) -> str:
    """Median per item and relative standard deviation of a freshly measured benchmark."""
    import statistics

    import pyperf

    benchmark = pyperf.Benchmark.load(str(measured_file))
    values = benchmark.get_values()
    median = statistics.median(values)
    spread = statistics.stdev(values) / statistics.mean(values) * 100 if len(values) > 1 else 0.0
    unit = benchmark.get_metadata().get("item_unit", "item")
    what = f"per {unit}" if benchmark.get_unit() == "second" else "peak memory"
    return (
        f"median {benchmark.format_value(median)} {what}, rsd {spread:.1f}% ({len(values)} values)"
    )


def command_run(args: argparse.Namespace, pyperf_args: list[str]) -> int:
    runtimes, specs = plan(args)
    check_pyperf_arguments(pyperf_args)
    if args.fast:
        pyperf_args = ["--fast", *pyperf_args]
    if args.rigorous:
        pyperf_args = ["--rigorous", *pyperf_args]
    mode = suite_mode(args, pyperf_args)
    suite_identity = identity.checkout_identity()  # once; every runner gets it on its command line
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "run_id": "",
        "python": platform.python_version(),
        "mode": mode,
        "pyperf_options": measurement_options(pyperf_args),
        "command": [Path(sys.executable).name, "-m", "benchmarks", *sys.argv[1:]],
        "identity": suite_identity,
        "runtimes": runtimes,
        "benchmarks": [spec.name for spec in specs],
        "measures": list(counting.measures_of(args.measure)),
        "complete": False,
        "na": [],
        "loops": {},
    }
    pyperf_args = [*pyperf_args, "--identity", identity.encode(suite_identity)]
    if counting.INSTRUCTIONS in manifest["measures"]:
        manifest["count_settings"] = dataclasses.asdict(count_settings(args))
    folder = open_run_folder(args, manifest)
    with folder:
        return measure(
            folder, specs, runtimes, mode, pyperf_args, args.fixture_root, count_settings(args)
        )


def open_run_folder(args: argparse.Namespace, manifest: dict[str, Any]) -> RunFolder:
    """The locked run folder of ``-o`` (or a new one), or one line and exit code 2."""
    if args.resume and args.output is None:
        fail("--resume needs -o DIR, the folder of the run to continue")
    try:
        if args.output is None:
            python_version = ".".join(platform.python_version_tuple()[:2])
            run_dir = create_run_dir(DEFAULT_RESULTS_ROOT, python_version)
        else:
            run_dir = args.output
        manifest["run_id"] = run_dir.resolve().name
        return RunFolder.open(run_dir, manifest, resume=args.resume, force=args.force)
    except RunFolderError as exc:
        fail(str(exc))


def fixture_of(spec: catalog.BenchmarkSpec) -> Fixture | None:
    return None if spec.workload.fixture is None else spec.workload.fixture(Case(spec.params))


def rotated_cells(
    specs: Sequence[catalog.BenchmarkSpec], runtimes: Sequence[str]
) -> list[tuple[catalog.BenchmarkSpec, list[tuple[str, Cell]]]]:
    """Each benchmark with its runtimes in rotating order (and the cell each pair fills)."""
    rows = []
    for index, spec in enumerate(specs):
        rotation = index % len(runtimes)
        order = [*runtimes[rotation:], *runtimes[:rotation]]
        rows.append(
            (spec, [(r, Cell(spec.name, r, spec.workload.name, spec.params)) for r in order])
        )
    return rows


def shared_loops(
    folder: RunFolder,
    spec: catalog.BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    mode: str,
    pyperf_args: Sequence[str],
    scratch: Path,
) -> int | None:
    """The loops every runtime of ``spec`` uses: recorded in the run, else calibrated now on
    ``runtime`` and recorded; None when calibration failed."""
    loops = folder.loops(spec.name)
    if loops is None:
        run_id = folder.manifest["run_id"]
        calibrated = calibrate_loops(spec, runtime, fixture_dir, run_id, mode, pyperf_args, scratch)
        if not isinstance(calibrated, int):
            return None
        folder.record_loops(spec.name, calibrated, runtime)
        loops = calibrated
    return loops


def same_loops(
    folder: RunFolder,
    spec: catalog.BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    mode: str,
    pyperf_args: Sequence[str],
    scratch: Path,
) -> list[str]:
    """``--loops=N`` calibrated once for ``spec`` (on the first runtime to run it), or nothing
    when the user fixed the loops or calibration failed (pyperf then calibrates as usual)."""
    if not needs_calibration(pyperf_args):
        return []
    loops = shared_loops(folder, spec, runtime, fixture_dir, mode, pyperf_args, scratch)
    return [] if loops is None else [f"--loops={loops}"]


@dataclass(frozen=True)
class Job:
    """What every benchmark of a run is measured with."""

    folder: RunFolder
    mode: str
    pyperf_args: Sequence[str]
    #: The workers' settings when the runtimes run interleaved, else None (run apart).
    interleaved: runtime_blocks.WorkerSettings | None
    fixtures: FixtureCache
    scratch: Path
    progress: Progress


def measure_apart(
    job: Job, spec: catalog.BenchmarkSpec, runtimes: Sequence[str], index: int
) -> dict[str, Path | str]:
    """Each runtime as one pyperf master and its workers, one runtime after another (for
    pyperf options a single worker cannot honour, such as memory tracking)."""
    outcomes: dict[str, Path | str] = {}
    for runtime in runtimes:
        job.progress.announce(f"{spec.name} on {runtime}")
        measured_file = job.scratch / f"{runtime}-{index}.json"
        try:
            fixture_dir = job.fixtures.folder(fixture_of(spec))
        except FixtureError as exc:  # fails this benchmark only; the run goes on
            outcomes[runtime] = str(exc)
            job.progress.finish_one()
            continue
        loops_args = same_loops(
            job.folder, spec, runtime, fixture_dir, job.mode, job.pyperf_args, job.scratch
        )
        reason = run_one(
            spec, runtime, fixture_dir, job.folder.manifest["run_id"], job.mode,
            [*job.pyperf_args, *loops_args], measured_file,
        )  # fmt: skip
        outcomes[runtime] = measured_file if reason is None else reason
        job.progress.finish_one()
    return outcomes


def measure_interleaved(
    job: Job, spec: catalog.BenchmarkSpec, runtimes: Sequence[str], index: int
) -> dict[str, Path | str]:
    """Every runtime of ``spec`` at once, worker processes interleaved in blocks
    (:mod:`benchmarks.runtime_blocks`), with loops calibrated once."""
    settings = job.interleaved
    assert settings is not None
    job.progress.announce(f"{spec.name} on {', '.join(runtimes)}, interleaved")
    outcomes: dict[str, Path | str]
    try:
        fixture_dir = job.fixtures.folder(fixture_of(spec))
    except FixtureError as exc:  # fails this benchmark only; the run goes on
        outcomes = dict.fromkeys(runtimes, str(exc))
    else:
        loops = settings.loops
        for runtime in runtimes if loops is None else ():  # the first that can calibrate
            loops = shared_loops(
                job.folder, spec, runtime, fixture_dir, job.mode, job.pyperf_args, job.scratch
            )
            if loops is not None:
                break
        if loops is None:
            outcomes = dict.fromkeys(runtimes, "no runtime could calibrate loops")
        else:
            outcomes = runtime_blocks.measure_benchmark(
                spec, runtimes, fixture_dir, job.folder.manifest["run_id"], job.mode, settings,
                loops, job.pyperf_args, job.scratch, failure_reason,
            )  # fmt: skip
    for _ in runtimes:
        job.progress.finish_one()
    return outcomes


def measure(
    folder: RunFolder,
    specs: Sequence[catalog.BenchmarkSpec],
    runtimes: Sequence[str],
    mode: str,
    pyperf_args: Sequence[str],
    fixture_root: Path,
    counted: counting.CountSettings | None = None,
) -> int:
    """Measure every cell of the selection the folder still lacks; the exit code."""
    run_dir = folder.path
    measures = folder.manifest.get("measures", [counting.TIME])
    timed = counting.TIME in measures
    rows = rotated_cells(specs, runtimes) if timed else []
    instruction_cells = [
        (spec, Cell(spec.name, runtime, spec.workload.name, spec.params, counting.INSTRUCTIONS))
        for spec in specs
        for runtime in runtimes
    ] if counting.INSTRUCTIONS in measures else []  # fmt: skip
    every_cell = [cell for _, row in rows for _, cell in row] + [c for _, c in instruction_cells]
    todo = {cell.key for cell in folder.plan(every_cell)}
    unit = "bytes (peak memory)" if mode == "memory" else "seconds per item_unit"
    if not timed:
        unit = "CPU instructions per item_unit"
    print(f"results: {run_dir} (mode: {mode}; values are {unit})", flush=True)
    if folder.done:
        print(f"resuming: {len(folder.done)} cells already done, {len(todo)} left", flush=True)
    progress = Progress(
        sum(1 for spec, row in rows for runtime, cell in row
            if cell.key in todo and na_reason(spec, runtime) is None)
    )  # fmt: skip
    failures = not_applicable = 0
    fixtures = FixtureCache(fixture_root)
    interleaved = runtime_blocks.worker_settings(pyperf_args)
    folder.manifest["interleaved"] = interleaved is not None
    if interleaved is None:
        print("these pyperf options run each runtime apart (not interleaved)", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="aiter-bench-") as scratch:
            job = Job(folder, mode, pyperf_args, interleaved, fixtures, Path(scratch), progress)
            measure_one = measure_interleaved if interleaved is not None else measure_apart
            for index, (spec, row) in enumerate(rows):
                runnable: list[tuple[str, Cell]] = []
                for runtime, cell in row:
                    if cell.key not in todo:  # measured or recorded before --resume
                        continue
                    na = na_reason(spec, runtime)
                    if na is not None:
                        kind, reason = na
                        print(f"n/a  {spec.name} on {runtime}: {reason}", flush=True)
                        folder.record(cell, kind, reason)
                        not_applicable += 1
                        continue
                    runnable.append((runtime, cell))
                if not runnable:
                    continue
                outcomes = measure_one(job, spec, [runtime for runtime, _ in runnable], index)
                for runtime, cell in runnable:
                    outcome = outcomes[runtime]
                    if isinstance(outcome, Path):
                        print(f"    {runtime}: {describe(outcome)}", flush=True)
                        folder.merge(cell, outcome)
                        continue
                    failures += 1
                    print(f"FAILED {spec.name} on {runtime}: {outcome}", flush=True)
                    folder.record(cell, "failed", outcome)
        instruction_todo = [(spec, cell) for spec, cell in instruction_cells if cell.key in todo]
        if instruction_todo:
            with tempfile.TemporaryDirectory(prefix="aiter-count-") as scratch:
                tally = count_run.count_cells(
                    folder, instruction_todo, counted or counting.CountSettings(), fixtures,
                    na_reason, mode, folder.manifest.get("identity", {}), Path(scratch),
                )  # fmt: skip
            failures += tally.failed
            not_applicable += tally.not_applicable
            progress.done += tally.measured + tally.failed
    except interrupt.Interrupted as stop:
        print(
            f"interrupted by {stop.name}: {progress.done - failures} benchmarks measured and "
            f"kept in {run_dir}, {len(folder.missing)} missing (listed in its manifest); "
            f"continue with the same command plus --resume -o {run_dir}",
            file=sys.stderr,
        )
        return stop.exit_code
    except RunFolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    elapsed = format_seconds(time.monotonic() - progress.started)
    print(
        f"done in {elapsed}: {progress.done - failures} measured, {failures} failed, "
        f"{not_applicable} n/a; results in {run_dir}"
    )
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command in ("list", "ab") and rest:
        fail(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "list":
        return command_list(args)
    if args.command == "ab":
        return command_ab(args)
    try:
        with interrupt.signals_stop_the_run():
            return command_run(args, rest)
    except (KeyboardInterrupt, interrupt.Interrupted) as stop:
        code = stop.exit_code if isinstance(stop, interrupt.Interrupted) else 130
        print("interrupted", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
