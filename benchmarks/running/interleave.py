"""Interleaved A/B runs: who runs when (``python -m benchmarks ab``).

For every benchmark x runtime of the selection, the number of ``loops`` is calibrated once (one
pyperf worker of the baseline side), then single pyperf worker processes of the two sides run
alternately on this machine in blocks of two (AB or BA, in the balanced random order of
:func:`benchmarks.running.blocks.worker_order`, its seed in the manifests), all with those loops,
the same values and warm-ups; the two sides are the arms of :mod:`benchmarks.running.scheduler`.
Slow drift of the machine (thermal state, other load) then falls on both sides alike instead of on
whichever ran second. Each side's worker results are merged into
one pyperf benchmark (``Benchmark.add_runs``) and written into that side's results folder,
``DIR/baseline`` and ``DIR/candidate``, in the layout of ``run`` (one file per runtime plus a
manifest). Finally ``python -m analysis compare DIR/baseline DIR/candidate`` weighs the evidence
(this module knows no statistics). Each worker's run is stamped with its block
(:mod:`benchmarks.running.blocks`): compare pairs the two workers of a block, so the machine's slow
changes of speed cancel. An existing A/B in ``-o DIR`` is refused unless ``--resume`` or
``--force`` is given; the output and compare options are checked before anything is built.

Environments come from :mod:`benchmarks.platform.environments`.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyperf

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureCache
from benchmarks.platform.environments import (
    DEFAULT_CACHE,
    Environment,
    build_environment,
    parse_spec,
)
from benchmarks.running import (
    count_run,
    counting,
    experiment,
    na_probe,
    preflight,
    run_command,
    runner,
    scheduler,
)
from benchmarks.running.experiment import FolderSink
from benchmarks.running.measure_options import count_settings
from benchmarks.running.scheduler import Arm, Group
from benchmarks.storage import identity, interrupt
from benchmarks.storage.results import (
    LOCK_NAME,
    MANIFEST_FORMAT,
    Cell,
    RunFolder,
    RunFolderError,
    RunLock,
    default_run_dir,
    new_run_id,
    prepare_output_dir,
)
from benchmarks.storage.scratch import scratch_folder

SIDES: tuple[str, str] = ("baseline", "candidate")
#: What ``compare`` writes next to the two sides.
COMPARE_FILES: tuple[str, str] = ("compare.md", "compare.json")
#: ``mode`` of both sides' manifests and metadata.
AB_MODE = "ab"
#: Exit code of ``ab`` when a benchmark failed on a side and compare did not run.
EXIT_FAILED = 1
USAGE_ERROR = 2

NaReason = Callable[[catalog.BenchmarkSpec, str], "tuple[str, str] | None"]
#: pyperf settings of every worker, identical on both sides.
Settings = scheduler.Settings


def settings_options(settings: Settings) -> list[str]:
    """The settings as the options a resumed A/B must repeat (``pyperf_options``)."""
    loops = [] if settings.loops is None else [f"--loops={settings.loops}"]
    return [
        f"--processes={settings.processes}",
        f"--values={settings.values}",
        f"--warmups={settings.warmups}",
        f"--min-time={settings.min_time}",
        *loops,
    ]


def side_manifest(
    name: str,
    environment: Environment,
    runtimes: Sequence[str],
    specs: Sequence[catalog.BenchmarkSpec],
    settings: Settings,
    command: Sequence[str],
    measures: Sequence[str] = (counting.TIME,),
) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "run_id": "",
        "python": environment.python_version,
        "mode": AB_MODE,
        "pyperf_options": settings_options(settings),
        "command": list(command),
        "identity": environment.identity,
        "runtimes": list(runtimes),
        "benchmarks": [spec.name for spec in specs],
        "measures": list(measures),
        "complete": False,
        "na": [],
        "loops": {},
        "ab": {
            "side": name,
            "spec": environment.spec.text,
            "injected_slowdown": environment.spec.slowdown,
            "order": run_command.DESIGN_NAME,
        },
    }


def side_benchmark(environment: Environment, merged_file: Path) -> Path | str:
    """The side's merged benchmark with its identity (an older side's runner cannot record it),
    or why its results cannot be used."""
    suite = pyperf.BenchmarkSuite.load(str(merged_file))
    (merged,) = suite.get_benchmarks()
    metadata = merged.get_metadata()
    if environment.spec.slowdown and "injected_slowdown" not in metadata:
        return "this side's harness cannot inject a slowdown (it predates injected_slowdown)"
    missing = {k: v for k, v in environment.identity.items() if k not in metadata}
    merged.update_metadata(missing)
    pyperf.BenchmarkSuite([merged]).dump(str(merged_file), replace=True)
    return merged_file


@contextlib.contextmanager
def ab_folder(output: Path, resume: bool, force: bool) -> Iterator[RunLock]:
    """The locked A/B folder: refused when it holds anything and neither ``resume`` nor
    ``force`` is given; with ``force`` an earlier comparison is removed."""
    if resume and not output.is_dir():
        raise RunFolderError(f"nothing to resume in {output}: it holds no A/B run")
    created = not output.exists()
    prepare_output_dir(output)
    lock = RunLock(output).acquire()
    kept = False
    try:
        contents = sorted(p.name for p in output.iterdir() if p.name != LOCK_NAME)
        if contents and not (resume or force):
            what = "holds an A/B run" if set(SIDES) & set(contents) else "is not empty"
            raise RunFolderError(
                f"{output} {what} ({', '.join(contents)}); use --resume to continue it, "
                "--force to replace it, or choose a new folder"
            )
        if force:
            for name in COMPARE_FILES:
                (output / name).unlink(missing_ok=True)
        yield lock
        kept = True
    finally:
        lock.release()
        if created and not kept and {p.name for p in output.iterdir()} <= {LOCK_NAME}:
            shutil.rmtree(output, ignore_errors=True)  # a failed start leaves no empty folder


def open_sides(
    output: Path,
    environments: Sequence[Environment],
    runtimes: Sequence[str],
    specs: Sequence[catalog.BenchmarkSpec],
    settings: Settings,
    command: Sequence[str],
    stack: contextlib.ExitStack,
    *,
    resume: bool = False,
    force: bool = False,
    measures: Sequence[str] = (counting.TIME,),
) -> dict[str, RunFolder]:
    """Each side's locked run folder (``output/baseline``, ``output/candidate``)."""
    folders: dict[str, RunFolder] = {}
    ab_id = new_run_id()  # the experiment's id, unique; --resume restores each side's own
    for name, environment in zip(SIDES, environments, strict=True):
        manifest = side_manifest(name, environment, runtimes, specs, settings, command, measures)
        manifest["run_id"] = f"{ab_id}-{name}"
        folder = RunFolder.open(output / name, manifest, resume=resume, force=force)
        folders[name] = stack.enter_context(folder)
    return folders


def side_arms(
    folders: dict[str, RunFolder], environments: Sequence[Environment], runtime: str
) -> list[Arm]:
    return [
        Arm(name, str(environment.python), runtime, folders[name].manifest["run_id"], AB_MODE,
            name, environment.source, environment.worker_environ())
        for name, environment in zip(SIDES, environments, strict=True)
    ]  # fmt: skip


def run_ab(
    environments: Sequence[Environment],
    output: Path,
    runtimes: list[str],
    specs: list[catalog.BenchmarkSpec],
    na_reason: NaReason,
    settings: Settings,
    fixture_root: Path,
    command: list[str],
    log: Callable[[str], None] = print,
    *,
    resume: bool = False,
    force: bool = False,
    locked: bool = False,
    measures: Sequence[str] = (counting.TIME,),
    count_settings: counting.CountSettings | None = None,
) -> int:
    """Measure the selection on both sides into ``output/baseline`` and ``output/candidate``:
    one group per benchmark x runtime, the two sides its arms. ``output`` is locked here
    (:func:`ab_folder`) unless the caller holds it (``locked``).

    Returns the number of benchmark x runtime cells that failed on either side.
    """
    with contextlib.ExitStack() as stack:
        if not locked:
            stack.enter_context(ab_folder(output, resume, force))
        folders = open_sides(output, environments, runtimes, specs, settings, command, stack,
                             resume=resume, force=force, measures=measures)  # fmt: skip
        by_side = dict(zip(SIDES, environments, strict=True))
        sink = FolderSink(
            folders, log, prepare=lambda arm, path: side_benchmark(by_side[arm.environment], path)
        )
        groups = [
            Group(spec, side_arms(folders, environments, runtime), f"{spec.name} on {runtime}")
            for spec in specs
            for runtime in runtimes
        ]
        # The experiment id is the sides' shared run-id stem (unique: time + random part);
        # block labels carry it, so only these two sides can ever be paired.
        experiment_id = str(folders[SIDES[0]].manifest["run_id"]).rsplit("-", 1)[0]
        design = run_command.design_of(list(folders.values()), experiment_id, list(SIDES))
        counted = {
            name: [
                Cell(spec.name, runtime, spec.workload.name, spec.params, counting.INSTRUCTIONS)
                for spec in specs
                for runtime in runtimes
            ]
            if counting.INSTRUCTIONS in measures
            else []
            for name in SIDES
        }
        # Each side's own interpreter says what cannot run there (python=3.10 lacks
        # asyncio.TaskGroup); a side of a suite commit without the probe gets this one's answer.
        tables = {
            name: na_probe.probe(environment, runtimes, specs, fallback=na_reason)
            for name, environment in zip(SIDES, environments, strict=True)
        }
        todo, _ = experiment.plan_groups(
            groups if counting.TIME in measures else [],
            sink,
            lambda spec, arm: tables[arm.environment].reason(spec, arm.runtime),
            log,
            counted,
        )
        failed_counts = 0
        with scratch_folder("aiter-ab-") as scratch:
            context = scheduler.Context(settings, design, Path(scratch))
            fixtures = FixtureCache(fixture_root)
            for number, group in enumerate(todo, start=1):
                log(f"[{number}/{len(todo)}] {group.label}: A/B x{settings.processes}")
                scheduler.measure_group(group, context, fixtures, sink)
            by_name = {spec.name: spec for spec in specs}
            jobs = []
            for name, environment in zip(SIDES, environments, strict=True):
                folder = folders[name]
                cells = [
                    (by_name[c.benchmark], c) for c in counted[name] if c.key not in folder.done
                ]
                if cells:  # both sides' instrumented processes share one pool
                    jobs.append(count_run.CountJob(
                        folder, cells, environment.identity, tables[name].reason,
                        str(environment.python), environment.source,
                        environment.worker_environ(), name,
                    ))  # fmt: skip
            tallies = count_run.count_jobs(
                jobs, count_settings or counting.CountSettings(), fixtures, AB_MODE,
                Path(scratch) / "count",
            )  # fmt: skip
            failed_counts += sum(tally.failed for tally in tallies)
        return len({group.label for group, _, _ in sink.failed}) + failed_counts


def compare_available(python: str = sys.executable) -> bool:
    """Whether this checkout's analysis has the ``compare`` command."""
    completed = subprocess.run(
        [python, "-m", "analysis", "compare", "--help"], capture_output=True, text=True
    )
    return completed.returncode == 0


def run_compare(output: Path, compare_args: Sequence[str], quiet: bool = False) -> int | None:
    """``python -m analysis compare`` on the two sides; its exit code, or None if unavailable."""
    if not compare_available():
        print("compare skipped: 'python -m analysis compare' is not available in this checkout")
        return None
    command = [
        sys.executable, "-m", "analysis", "compare",
        str(output / SIDES[0]), str(output / SIDES[1]),
        "--markdown", str(output / "compare.md"),
        "--json", str(output / "compare.json"),
        *compare_args,
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=quiet, text=True)
    return completed.returncode


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """pyperf settings, cache and compare options shared by ``ab`` and the calibration."""
    parser.add_argument(
        "-p", "--processes", type=int, default=None, help="worker processes per side"
    )
    parser.add_argument("-n", "--values", type=int, default=runner.VALUES, help="values/worker")
    parser.add_argument("-w", "--warmups", type=int, default=runner.WARMUPS, help="warm-ups")
    parser.add_argument("--min-time", type=float, default=runner.MIN_TIME, help="s per value")
    parser.add_argument("-l", "--loops", type=int, default=None, help="fixed loops, no calibration")
    parser.add_argument(
        "--fast", action="store_true", help="half the worker processes per side (at least 3)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="where sources and virtualenvs are kept (default: .ab-cache)",
    )
    parser.add_argument(
        "--compare-option",
        action="append",
        default=[],
        metavar="OPT",
        help="passed to 'analysis compare' (repeat; e.g. --compare-option=--threshold=0.1)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """The workers' settings; ValueError (one line) for a value no worker can run with."""
    if args.processes is not None and args.processes < 1:
        raise ValueError(f"--processes must be at least 1, not {args.processes}")
    processes = args.processes or runner.PROCESSES
    if args.fast and args.processes is None:
        processes = max(3, processes // 2)
    for name, least in (("values", 1), ("warmups", 0), ("loops", 1)):
        value = getattr(args, name)
        if value is not None and value < least:
            raise ValueError(f"--{name} must be at least {least}, not {value}")
    if not math.isfinite(args.min_time) or args.min_time <= 0:
        raise ValueError(f"--min-time must be a number of seconds above 0, not {args.min_time}")
    return Settings(processes, args.values, args.warmups, args.min_time, args.loops)


def check_compare_options(compare_args: Sequence[str], python: str = sys.executable) -> None:
    """Refuse ``--compare-option`` values ``analysis compare`` would reject, before measuring
    (ValueError with compare's own one line)."""
    if not compare_args:
        return
    code = (
        "import sys; from analysis.cli import parser; "
        "parser().parse_args(['compare', 'baseline', 'candidate', *sys.argv[1:]])"
    )
    completed = subprocess.run([python, "-c", code, *compare_args], capture_output=True, text=True)
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit code {completed.returncode}"
        if detail.startswith("error: "):
            detail = detail[len("error: ") :]
        if "No module named" in detail:
            return  # no analysis here: compare is skipped anyway
        raise ValueError(f"bad --compare-option {' '.join(compare_args)}: {detail}")


def describe_side(name: str, environment: Environment) -> str:
    commit = environment.identity.get("suite_commit", identity.UNKNOWN)[:12]
    dirty = " (dirty)" if environment.identity.get("suite_dirty") == "true" else ""
    slowdown = environment.spec.slowdown
    injected = f", injected slowdown {slowdown:.1%}" if slowdown else ""
    return (
        f"{name}: {environment.spec.text or '.'} -> commit {commit}{dirty}, "
        f"Python {environment.python_version}{injected}"
    )


def python_version_tag() -> str:
    return ".".join(platform.python_version_tuple()[:2])


def command(
    args: argparse.Namespace,
    runtimes: list[str],
    specs: list[catalog.BenchmarkSpec],
    na_reason: NaReason,
    repository: Path = identity.SUITE_SOURCE,
) -> int:
    """``python -m benchmarks ab``; bad input raises ValueError (one line).

    Everything that can be refused is checked before the environments are built: the settings,
    the SPECs, the compare options and the output folder (locked from then on)."""
    settings = settings_from(args)
    side_specs = [parse_spec(args.baseline), parse_spec(args.candidate)]
    if not args.no_compare:
        check_compare_options(args.compare_option)
    output: Path = args.output or default_run_dir(Path("results") / "ab", python_version_tag())
    cache: Path = args.cache or repository / DEFAULT_CACHE
    preflight.check_measures(counting.measures_of(args.measure), [s.name for s in specs])
    preflight.check_cache(cache)
    try:
        with ab_folder(output, args.resume, args.force):
            environments = [build_environment(spec, repository, cache) for spec in side_specs]
            for name, environment in zip(SIDES, environments, strict=True):
                print(describe_side(name, environment), flush=True)
            print(
                f"results: {output} ({run_command.DESIGN_NAME} order, {settings.processes} "
                "worker processes per side)",
                flush=True,
            )
            failed = run_ab(
                environments, output, runtimes, specs, na_reason, settings, args.fixture_root,
                [Path(sys.executable).name, "-m", "benchmarks", *sys.argv[1:]],
                log=lambda line: print(line, flush=True), resume=args.resume, force=args.force,
                locked=True, measures=counting.measures_of(args.measure),
                count_settings=count_settings(args),
            )  # fmt: skip
    except RunFolderError as exc:
        raise ValueError(str(exc)) from None
    except interrupt.Interrupted as stop:
        print(
            f"interrupted by {stop.name}: what was measured is kept in {output} (the manifests "
            f"list what is missing); continue with the same command plus --resume -o {output}",
            file=sys.stderr,
        )
        return stop.exit_code
    code = None if args.no_compare else run_compare(output, args.compare_option)
    if failed:
        print(f"{failed} benchmark x runtime cell(s) failed on a side (see the manifests)")
        return EXIT_FAILED
    return 0 if code is None else code
