"""``python -m benchmarks run``: measuring a selection into a run folder, or a version matrix
into one run folder per Python version (``--python 3.10 3.11 ...``).

Plain values in, an exit code out: :mod:`benchmarks.cli` only parses the arguments, so a test
can call :func:`run` and :func:`run_matrix` in its own process. The arms are the runtimes on
this interpreter (``run``) or every (version x runtime) (the matrix); each benchmark is one
group of :mod:`benchmarks.running.scheduler`, its arms' workers interleaved in shared blocks.
"""

from __future__ import annotations

import dataclasses
import platform
import re
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureCache
from benchmarks.measured.workload import Case
from benchmarks.platform import interpreters
from benchmarks.platform.environments import (
    DEFAULT_CACHE,
    Environment,
    Spec,
    SpecError,
    build_environment,
)
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running import (
    blocks,
    count_run,
    counting,
    experiment,
    na_probe,
    runtime_blocks,
    scheduler,
)
from benchmarks.running.experiment import FolderSink, Progress, format_seconds
from benchmarks.running.scheduler import Arm, Group
from benchmarks.storage import identity, interrupt
from benchmarks.storage.results import (
    DEFAULT_RESULTS_ROOT,
    MANIFEST_FORMAT,
    Cell,
    RunFolder,
    RunFolderError,
    create_run_dir,
    new_run_id,
)
from benchmarks.storage.scratch import scratch_folder

USAGE_ERROR = 2
#: The name of the order design in manifests (:func:`benchmarks.running.blocks.worker_order`).
DESIGN_NAME = blocks.ORDER_DESIGN


class UsageError(Exception):
    """Bad input found before anything is measured; the message is one line."""


@dataclass(frozen=True)
class Request:
    """What the user asked ``run`` for, as plain values."""

    runtimes: Sequence[str]
    specs: Sequence[catalog.BenchmarkSpec]
    mode: str
    #: pyperf options, ``--fast``/``--rigorous`` included, ``--identity`` not.
    pyperf_args: Sequence[str]
    output: Path | None
    resume: bool
    force: bool
    fixture_root: Path
    command: Sequence[str]
    #: ``time``, ``instructions`` or both (:func:`benchmarks.running.counting.measures_of`).
    measures: Sequence[str] = (counting.TIME,)
    count_settings: counting.CountSettings = dataclasses.field(
        default_factory=counting.CountSettings
    )


def na_reason(spec: catalog.BenchmarkSpec, runtime: str) -> tuple[str, str] | None:
    """(kind, reason) when the benchmark cannot run on the runtime here, else None."""
    reason = RUNTIMES[runtime].unavailable_reason()
    if reason is not None:
        return "unavailable", reason
    reason = spec.workload.unsupported(runtime, Case(spec.params))
    if reason is not None:
        return "unsupported", reason
    return None


def measurement_options(pyperf_args: Sequence[str]) -> list[str]:
    """The pyperf options that shape the values (a resumed run must use the same)."""
    return [a for a in pyperf_args if not re.fullmatch(r"-v+|--verbose|-q|--quiet", a)]


#: pyperf options that fix the loops themselves: then nothing is calibrated.
FIXED_LOOPS_OPTIONS = ("--loops", "-l", "--debug-single-value")


def needs_calibration(pyperf_args: Sequence[str]) -> bool:
    return not any(arg.split("=")[0] in FIXED_LOOPS_OPTIONS for arg in pyperf_args)


def calibration_min_time(pyperf_args: Sequence[str]) -> float:
    """``--min-time`` among ``pyperf_args`` (what calibration must honour), else the default."""
    for index, arg in enumerate(pyperf_args):
        name, sep, value = arg.partition("=")
        if name == "--min-time":
            text = (
                value if sep else (pyperf_args[index + 1] if index + 1 < len(pyperf_args) else "")
            )
            try:
                return float(text)
            except ValueError:
                break
    return scheduler.Settings().min_time


def choose_measure(pyperf_args: Sequence[str]) -> tuple[scheduler.Measure, scheduler.Settings]:
    """Workers in blocks when a single worker can honour the options, else a master per arm."""
    settings = runtime_blocks.worker_settings(pyperf_args)
    if settings is not None:
        return scheduler.TIME, settings
    apart = scheduler.TimeApart(needs_loops=needs_calibration(pyperf_args))
    return apart, scheduler.Settings(min_time=calibration_min_time(pyperf_args))


def base_manifest(request: Request, python: str) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "run_id": "",
        "python": python,
        "mode": request.mode,
        "pyperf_options": measurement_options(request.pyperf_args),
        "command": list(request.command),
        "identity": {},
        "runtimes": list(request.runtimes),
        "benchmarks": [spec.name for spec in request.specs],
        "measures": list(request.measures),
        "complete": False,
        "na": [],
        "loops": {},
    }
    if counting.INSTRUCTIONS in request.measures:
        manifest["count_settings"] = dataclasses.asdict(request.count_settings)
    return manifest


def open_folder(path: Path, manifest: dict[str, Any], request: Request) -> RunFolder:
    """The locked run folder ``path`` with a new unique run id (``--resume`` keeps the id of the
    run it continues), keeping a resumed design."""
    manifest["run_id"] = new_run_id()
    return RunFolder.open(path, manifest, resume=request.resume, force=request.force)


def design_of(
    folders: Sequence[RunFolder], experiment_id: str, arms: Sequence[str]
) -> scheduler.Design:
    """The experiment's order design: a resumed run's own, else a new seed, recorded in every
    folder's manifest."""
    recorded = folders[0].manifest.get("design")
    if isinstance(recorded, dict) and "seed" in recorded:
        seed = int(recorded["seed"])
        experiment_id = str(recorded.get("experiment", experiment_id))
    else:
        seed = blocks.new_design_seed()
    for folder in folders:
        folder.manifest["design"] = {
            "order": DESIGN_NAME,
            "seed": seed,
            "experiment": experiment_id,
            "arms": list(arms),
        }
    return scheduler.Design(experiment_id, seed)


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


def log(line: str) -> None:
    print(line, flush=True)


@dataclass(frozen=True)
class CountTarget:
    """Where a folder's instruction cells are counted: the interpreter, the folder its
    processes run in and their environment (a version's), and why a cell is n/a there."""

    python: str = sys.executable
    cwd: Path | None = None
    environ: dict[str, str] | None = None
    na: count_run.NaReason = na_reason


def measure(
    folders: dict[str, RunFolder],
    groups: Sequence[Group],
    design: scheduler.Design,
    request: Request,
    na_of: experiment.NaReason,
    master_options: Sequence[str],
    count_targets: dict[str, CountTarget] | None = None,
) -> int:
    """Measure every group the folders still lack, then count the instruction cells of each
    folder named in ``count_targets`` (by default the one unnamed folder, on this
    interpreter); the exit code."""
    targets = {"": CountTarget()} if count_targets is None else count_targets
    measure_with, settings = choose_measure(request.pyperf_args)
    interleaved = measure_with is scheduler.TIME
    for folder in folders.values():
        folder.manifest["interleaved"] = interleaved
    sink = FolderSink(folders, log, describe)
    names = ", ".join(str(folder.path) for folder in folders.values())
    timed = counting.TIME in request.measures
    unit = "bytes (peak memory)" if request.mode == "memory" else "seconds per item_unit"
    if not timed:
        unit = "CPU instructions per item_unit"
    log(f"results: {names} (mode: {request.mode}; values are {unit})")
    counted = {label: instruction_cells(request) for label in targets if label in folders}
    # Counted before planning: planning records this run's n/a cells as settled too.
    done = sum(len(folder.done) for folder in folders.values())
    todo, not_applicable = experiment.plan_groups(
        groups if timed else [],
        sink,
        na_of,
        log,
        {label: [cell for _, cell in cells] for label, cells in counted.items()},
    )
    if done:
        left = sum(len(folder.missing) for folder in folders.values())
        log(f"resuming: {done} cells already done, {left} left")
    progress = Progress(
        sum(len(group.arms) for group in todo) + sum(len(cells) for cells in counted.values()),
        log,
    )
    counted_failures = 0
    tallies: list[count_run.Tally] = []  # one per folder counted, filled as cells are merged
    if not interleaved:
        log("these pyperf options run each runtime apart (not interleaved)")
    try:
        with scratch_folder("aiter-bench-") as scratch:
            context = scheduler.Context(settings, design, scratch, master_options)
            fixtures = FixtureCache(request.fixture_root)
            experiment.measure_groups(todo, context, fixtures, sink, progress, measure_with)
        jobs = []
        for label, cells in counted.items():
            folder, target = folders[label], targets[label]
            left = [(spec, cell) for spec, cell in cells if cell.key not in folder.done]
            if left:
                jobs.append(count_run.CountJob(
                    folder, left, folder.manifest.get("identity", {}), target.na,
                    target.python, target.cwd, target.environ, label,
                ))  # fmt: skip
        tallies += [count_run.Tally() for _ in jobs]
        if jobs:
            with scratch_folder("aiter-count-") as scratch:
                count_run.count_jobs(jobs, request.count_settings, fixtures, request.mode,
                                     scratch, tallies)  # fmt: skip
        for tally in tallies:
            counted_failures += tally.failed
            not_applicable += tally.not_applicable
            progress.done += tally.measured + tally.failed
    except interrupt.Interrupted as stop:
        missing = sum(len(folder.missing) for folder in folders.values())
        kept = sink.kept + sum(t.measured for t in tallies)
        print(
            f"interrupted by {stop.name}: {kept} benchmarks measured "
            f"and kept in {names}, {missing} missing (listed in its manifest); continue with the "
            f"same command plus --resume -o {request.output or names}",
            file=sys.stderr,
        )
        return interrupt.handled(stop)
    except RunFolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    failures = len(sink.failed) + counted_failures
    elapsed = format_seconds(time.monotonic() - progress.started)
    kept = sink.kept + sum(t.measured for t in tallies)
    log(
        f"done in {elapsed}: {kept} measured, {failures} failed, "
        f"{not_applicable} n/a; results in {names}"
    )
    return 1 if failures else 0


def instruction_cells(request: Request) -> list[tuple[catalog.BenchmarkSpec, Cell]]:
    """The cells of the instructions measure (one instrumented process set per runtime counts
    every benchmark in turn: :mod:`benchmarks.running.count_run`), or none."""
    if counting.INSTRUCTIONS not in request.measures:
        return []
    return [
        (spec, Cell(spec.name, runtime, spec.workload.name, spec.params, counting.INSTRUCTIONS))
        for spec in request.specs
        for runtime in request.runtimes
    ]


def run(request: Request) -> int:
    """``run`` on this interpreter: one arm per runtime, one folder."""
    suite_identity = identity.checkout_identity()  # once; every runner gets it on its command line
    manifest = base_manifest(request, platform.python_version())
    manifest["identity"] = suite_identity
    identity_args = ("--identity", identity.encode(suite_identity))
    try:
        if request.output is None:
            python_version = ".".join(platform.python_version_tuple()[:2])
            path = create_run_dir(DEFAULT_RESULTS_ROOT, python_version)
        else:
            path = request.output
        folder = open_folder(path, manifest, request)
    except RunFolderError as exc:
        raise UsageError(str(exc)) from None
    with folder:
        run_id = folder.manifest["run_id"]
        arms = [Arm(r, sys.executable, r, run_id, request.mode, options=identity_args)
                for r in request.runtimes]  # fmt: skip
        groups = [Group(spec, arms, spec.name) for spec in request.specs]
        design = design_of([folder], run_id, [arm.name for arm in arms])
        return measure(
            {"": folder}, groups, design, request,
            lambda spec, arm: na_reason(spec, arm.runtime),
            [*request.pyperf_args, *identity_args],
        )  # fmt: skip


# -- the version matrix ----------------------------------------------------------------------


def version_label(version: str) -> str:
    """The environment label and folder name of a Python version: ``py3.12``."""
    return f"py{version}"


def find_interpreters(versions: Sequence[str]) -> dict[str, str]:
    """The executable of each requested version (:mod:`benchmarks.platform.interpreters`); one line
    for a version that is unknown or not installed."""
    found: dict[str, str] = {}
    for version in dict.fromkeys(versions):
        if version not in interpreters.VERSIONS:
            valid = ", ".join(interpreters.VERSIONS)
            raise UsageError(f"unknown Python version {version!r}; valid versions: {valid}")
        interpreter = interpreters.find(version)
        if interpreter.executable is None:
            raise UsageError(interpreter.skip_line().replace("skip ", "cannot use ", 1))
        found[version] = interpreter.executable
    if len(found) < 2:
        raise UsageError("a version matrix needs at least two Python versions (--python A B)")
    return found


def matrix_root(request: Request) -> Path:
    if request.output is not None:
        return request.output
    return DEFAULT_RESULTS_ROOT / time.strftime("matrix-%Y-%m-%dT%H%M%S")


def run_matrix(request: Request, versions: Sequence[str], cache: Path | None = None) -> int:
    """Every (version x runtime) arm of each benchmark in shared blocks; ``DIR/py3.X`` each."""
    measure_with, _ = choose_measure(request.pyperf_args)
    if measure_with is not scheduler.TIME and counting.TIME in request.measures:
        raise UsageError(
            "a version matrix runs its workers interleaved; these pyperf options need each "
            "version run apart (run one 'run' per interpreter instead)"
        )
    executables = find_interpreters(versions)
    root = matrix_root(request)
    suite_identity = identity.checkout_identity()
    identity_args = ("--identity", identity.encode(suite_identity))
    with ExitStack() as stack:
        folders: dict[str, RunFolder] = {}
        try:
            for version in executables:  # every output is checked before anything is built
                label = version_label(version)
                manifest = base_manifest(request, version)
                manifest["identity"] = suite_identity
                manifest["matrix"] = {"versions": list(executables), "folder": label}
                folders[label] = stack.enter_context(open_folder(root / label, manifest, request))
        except RunFolderError as exc:
            raise UsageError(str(exc)) from None
        environments: dict[str, Environment] = {}
        for version, executable in executables.items():
            spec = Spec(text=f"python={executable}", python=executable)
            try:
                environments[version] = build_environment(
                    spec, identity.SUITE_SOURCE, cache or identity.SUITE_SOURCE / DEFAULT_CACHE, log
                )
            except SpecError as exc:
                raise UsageError(str(exc)) from None
            folders[version_label(version)].manifest["python"] = environments[
                version
            ].python_version
        arms: list[Arm] = []
        # n/a is decided by each version's own interpreter (asyncio.TaskGroup needs 3.11, ...).
        tables: dict[str, na_probe.NaTable] = {}
        for version, environment in environments.items():
            label = version_label(version)
            tables[label] = na_probe.probe(environment, request.runtimes, request.specs)
            run_id = folders[label].manifest["run_id"]
            for runtime in request.runtimes:
                arms.append(Arm(
                    f"{label}/{runtime}", str(environment.python), runtime, run_id, request.mode,
                    label, environment.source, environment.worker_environ(), identity_args,
                ))  # fmt: skip

        def na_of(spec: catalog.BenchmarkSpec, arm: Arm) -> tuple[str, str] | None:
            return tables[arm.environment].reason(spec, arm.runtime)

        def counted_na(label: str) -> count_run.NaReason:
            return tables[label].reason

        targets = {
            version_label(version): CountTarget(
                str(environment.python),
                environment.source,
                environment.worker_environ(),
                counted_na(version_label(version)),
            )
            for version, environment in environments.items()
        }
        groups = [Group(spec, arms, spec.name) for spec in request.specs]
        design = design_of(list(folders.values()), new_run_id(), [a.name for a in arms])
        return measure(folders, groups, design, request, na_of, (), targets)
