"""The one experiment scheduler behind ``run``, ``run --python``, ``ab`` and the calibration.

An **experiment** is a set of **arms**; an arm is one environment (interpreter, source folder,
environment variables) x one runtime. ``run`` has one arm per runtime on this interpreter,
``ab`` two (baseline, candidate) per runtime, and a version matrix one per (version x runtime).
The arms measured together form a :class:`Group`: one benchmark (``run``, the matrix) or one
benchmark x runtime (``ab``). For each group the scheduler

1. builds the benchmark's input data once (:class:`~benchmarks.measured.fixtures.FixtureCache`);
2. calibrates ``loops`` once (:func:`calibrate`, on the first arm that can), so every arm's
   values are made of the same number of workload runs;
3. runs ``processes`` **blocks**: one worker process of every arm per block, in the order
   :func:`benchmarks.running.blocks.worker_order` draws from the experiment's seed, each worker
   stamped with its block label, arm, position and the seed
   (:func:`benchmarks.running.blocks.stamp`);
4. merges each arm's workers into one pyperf benchmark and hands it, or the reason the arm
   failed, to the :class:`Sink` (a run folder of :mod:`benchmarks.storage.results`).

How an arm is measured is a :class:`Measure`: pyperf wall time in blocks (:data:`TIME`) or one
pyperf master per arm for options a single worker cannot honour (:data:`TIME_APART`). A measure
whose natural shape is "one process per arm runs every benchmark in turn" (an instrumented
interpreter) implements :class:`ArmMeasure` instead and is called once per arm with every
benchmark of the experiment (:func:`run_arm_measures`).

Every child runs through :func:`spawn` (its own process group, ended with everything it started
if the scheduler is stopped: :mod:`benchmarks.storage.interrupt`).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyperf

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureCache, FixtureError
from benchmarks.measured.workload import Case
from benchmarks.running import blocks, runner
from benchmarks.storage import interrupt


@dataclass(frozen=True)
class Settings:
    """pyperf settings of every worker process of an experiment."""

    processes: int = runner.PROCESSES
    values: int = runner.VALUES
    warmups: int = runner.WARMUPS
    min_time: float = runner.MIN_TIME
    #: Fixed by the user (``--loops``), else None: calibrated once per group.
    loops: int | None = None


@dataclass(frozen=True)
class Arm:
    """One environment x one runtime: what one worker process of a block runs with."""

    #: Unique within the experiment: ``asyncio``, ``baseline``, ``py3.12/trio``.
    name: str
    #: The interpreter that runs ``benchmarks.running.runner``.
    python: str
    runtime: str
    #: ``suite_run_id`` the workers record (the run folder the arm's results go to).
    run_id: str
    #: ``suite_mode`` the workers record.
    mode: str
    #: The environment's label (``""`` for this interpreter, ``baseline``, ``py3.12``).
    environment: str = ""
    #: Folder the workers run in (an A/B side's source), or None for the current one.
    cwd: Path | None = None
    #: Environment variables of the workers, or None to inherit ours.
    env: Mapping[str, str] | None = None
    #: Extra runner options every worker of the arm gets (``--identity JSON``).
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """Arms measured together in shared blocks, with shared loops."""

    spec: catalog.BenchmarkSpec
    arms: Sequence[Arm]
    #: The group's name in block labels and in the manifest's ``loops``.
    label: str


@dataclass(frozen=True)
class Design:
    """The order design of an experiment: its id (in every block label) and its seed."""

    experiment: str
    seed: int

    def label(self, group: Group, block: int) -> str:
        return blocks.block_label(self.experiment, group.label, block)

    def order(self, arm_count: int, block: int) -> list[int]:
        return blocks.worker_order(arm_count, block, self.seed)


#: What became of one arm of a group: its merged pyperf file, or why it failed.
Outcome = Path | str


class Sink(Protocol):
    """Where outcomes go (a run folder per environment); see
    :mod:`benchmarks.running.run_command`."""

    def known_loops(self, group: Group) -> int | None:
        """Loops already calibrated for ``group`` (a resumed run), else None."""

    def record_loops(self, group: Group, loops: int, arm: Arm) -> None:
        """Keep the loops calibrated for ``group`` on ``arm``."""

    def outcome(self, group: Group, arm: Arm, outcome: Outcome) -> None:
        """Merge the arm's measured file, or record its failure."""


class Measure(Protocol):
    """A way to measure a group: every arm's outcome, given its input data and loops."""

    name: str
    #: Whether the group's loops must be calibrated first.
    needs_loops: bool

    def measure_group(
        self, group: Group, context: Context, fixture_dir: Path | None, loops: int | None
    ) -> dict[str, Outcome]: ...


class ArmMeasure(Protocol):
    """A measure run once per arm over every benchmark (e.g. instruction counts under an
    instrumented interpreter): its files, per benchmark name, or why each failed."""

    name: str

    def run_arm(
        self,
        arm: Arm,
        specs: Sequence[catalog.BenchmarkSpec],
        fixture_dirs: Mapping[str, Path | None],
        out_dir: Path,
    ) -> dict[str, Outcome]: ...


@dataclass
class Context:
    """What every group of one experiment is measured with."""

    settings: Settings
    design: Design
    scratch: Path
    #: pyperf options of ``run`` passed to a master (:data:`TIME_APART`) as they are.
    master_options: Sequence[str] = ()
    #: Where a failed child's error output goes (the terminal by default).
    echo: Callable[[str], object] = field(default=lambda text: sys.stderr.write(text))


def failure_reason(stderr: str, returncode: int) -> str:
    """The most telling line of a failed child's error output."""
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


def spawn(
    arm: Arm, command: Sequence[str], *, capture_stdout: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run one child of ``arm`` in its own process group, in the arm's folder and environment
    (the whole group is ended if the scheduler is stopped)."""
    return interrupt.run_child(command, capture_stdout=capture_stdout, cwd=arm.cwd, env=arm.env)


def worker_command(
    arm: Arm,
    spec: catalog.BenchmarkSpec,
    settings: Settings,
    loops: int | None,
    fixture_dir: Path | None,
    output: Path,
) -> list[str]:
    """The one builder of a worker's command line: one pyperf worker process of ``arm``
    measuring ``spec`` with ``loops`` (None: a worker that calibrates the loops instead)."""
    command = runner.runner_command(
        arm.python, spec, arm.runtime, fixture_dir, arm.run_id, arm.mode, output
    )
    if loops is None:
        return [*command, "--worker", "--calibrate-loops", f"--min-time={settings.min_time}"]
    return [
        *command,
        "--worker",
        f"--loops={loops}",
        f"--values={settings.values}",
        f"--warmups={settings.warmups}",
        f"--min-time={settings.min_time}",
        *arm.options,
    ]


def run_worker(arm: Arm, command: Sequence[str], output: Path, context: Context) -> str | None:
    """Run one worker; None when it wrote ``output``, else the reason it failed."""
    completed = spawn(arm, command)
    if completed.returncode == 0 and output.exists():
        return None
    context.echo(completed.stderr)
    return failure_reason(completed.stderr, completed.returncode)


def calibrate(
    arm: Arm,
    spec: catalog.BenchmarkSpec,
    fixture_dir: Path | None,
    context: Context,
) -> int | str:
    """The one calibration of ``loops``: one calibrating worker of ``arm``; the loops or the
    reason it failed."""
    output = context.scratch / f"calibration-{abs(hash((spec.name, arm.name)))}.json"
    command = worker_command(arm, spec, context.settings, None, fixture_dir, output)
    reason = run_worker(arm, command, output, context)
    if reason is not None:
        return reason
    loops = pyperf.Benchmark.load(str(output)).get_runs()[-1].get_metadata().get("loops")
    output.unlink()
    return int(loops) if loops else "calibration recorded no loops"


def checked_benchmark(files: Sequence[Path], loops: int) -> pyperf.Benchmark | str:
    """The arm's workers merged into one benchmark (:func:`blocks.merged_benchmark`), or why
    they cannot be: every worker must hold one benchmark of one run with the group's loops,
    as pyperf's master checks its workers (``create_worker_bench``)."""
    for path in files:
        suite = pyperf.BenchmarkSuite.load(str(path))
        benchmarks = suite.get_benchmarks()
        if len(benchmarks) != 1 or benchmarks[0].get_nrun() != 1:
            return f"worker file {path.name} holds {len(benchmarks)} benchmarks, not one run"
        recorded = benchmarks[0].get_runs()[0].get_metadata().get("loops")
        if recorded is not None and int(recorded) != loops:
            return f"worker file {path.name} ran {recorded} loops, not {loops}"
    return blocks.merged_benchmark(files)


@dataclass(frozen=True)
class TimeInBlocks:
    """pyperf wall time: single workers of every arm, interleaved in blocks."""

    name: str = "time"
    needs_loops: bool = True

    def measure_group(
        self, group: Group, context: Context, fixture_dir: Path | None, loops: int | None
    ) -> dict[str, Outcome]:
        assert loops is not None
        files: dict[str, list[Path]] = {arm.name: [] for arm in group.arms}
        failures: dict[str, str] = {}
        stem = f"blocks-{abs(hash(group.label))}"
        for block in range(context.settings.processes):
            label = context.design.label(group, block)
            order = context.design.order(len(group.arms), block)
            for position, index in enumerate(order):
                arm = group.arms[index]
                if arm.name in failures:  # an arm whose worker failed runs no more workers
                    continue
                output = context.scratch / f"{stem}-{index}-{block}.json"
                command = worker_command(arm, group.spec, context.settings, loops, fixture_dir,
                                         output)  # fmt: skip
                reason = run_worker(arm, command, output, context)
                if reason is not None:
                    failures[arm.name] = reason
                    continue
                blocks.stamp(output, label, arm.name, position, context.design.seed)
                files[arm.name].append(output)
        outcomes: dict[str, Outcome] = {}
        for index, arm in enumerate(group.arms):
            if arm.name in failures:
                outcomes[arm.name] = failures[arm.name]
                continue
            merged = checked_benchmark(files[arm.name], loops)
            if isinstance(merged, str):
                outcomes[arm.name] = merged
                continue
            target = context.scratch / f"{stem}-{index}-merged.json"
            pyperf.BenchmarkSuite([merged]).dump(str(target), replace=True)
            for path in files[arm.name]:
                path.unlink(missing_ok=True)
            outcomes[arm.name] = target
        return outcomes


@dataclass(frozen=True)
class TimeApart:
    """pyperf wall time, each arm as one pyperf master with its own workers, one arm after
    another (pyperf options a single worker cannot honour: memory tracking, ...)."""

    name: str = "time-apart"
    #: False when the user fixed the loops among the master's options.
    needs_loops: bool = True

    def measure_group(
        self, group: Group, context: Context, fixture_dir: Path | None, loops: int | None
    ) -> dict[str, Outcome]:
        options = list(context.master_options)
        verbose = any(re.fullmatch(r"-v+|--verbose", arg) for arg in options)
        if not verbose:
            options.append("--quiet")
        if loops is not None:
            options.append(f"--loops={loops}")
        outcomes: dict[str, Outcome] = {}
        for arm in group.arms:
            output = context.scratch / f"apart-{abs(hash((group.label, arm.name)))}.json"
            command = runner.runner_command(
                arm.python, group.spec, arm.runtime, fixture_dir, arm.run_id, arm.mode, output
            )
            completed = spawn(arm, [*command, *options], capture_stdout=not verbose)
            if completed.returncode != 0 or not output.exists():
                sys.stdout.write(completed.stdout or "")
                context.echo(completed.stderr)
                outcomes[arm.name] = failure_reason(completed.stderr, completed.returncode)
                continue
            if completed.stderr:
                context.echo(completed.stderr)
            outcomes[arm.name] = output
        return outcomes


TIME = TimeInBlocks()
TIME_APART = TimeApart()


def fixture_of(spec: catalog.BenchmarkSpec, fixtures: FixtureCache) -> Path | None:
    """The benchmark's input data folder (built once, shared by every arm), or None."""
    if spec.workload.fixture is None:
        return None
    return fixtures.folder(spec.workload.fixture(Case(spec.params)))


def group_loops(group: Group, context: Context, sink: Sink, fixture_dir: Path | None) -> int | str:
    """The loops every arm of ``group`` uses: fixed, recorded by the sink (``--resume``), or
    calibrated now on the first arm that can; else why none could."""
    if context.settings.loops is not None:
        return context.settings.loops
    known = sink.known_loops(group)
    if known is not None:
        return known
    reason = "no arm to calibrate on"
    for arm in group.arms:
        calibrated = calibrate(arm, group.spec, fixture_dir, context)
        if isinstance(calibrated, int):
            sink.record_loops(group, calibrated, arm)
            return calibrated
        reason = calibrated
    return f"calibration failed: {reason}"


def measure_group(
    group: Group, context: Context, fixtures: FixtureCache, sink: Sink, measure: Measure = TIME
) -> dict[str, Outcome]:
    """Measure one group with ``measure`` and hand every arm's outcome to ``sink``."""
    outcomes: dict[str, Outcome]
    try:
        fixture_dir = fixture_of(group.spec, fixtures)
    except FixtureError as exc:  # fails this group only; the experiment goes on
        outcomes = dict.fromkeys((arm.name for arm in group.arms), str(exc))
    else:
        loops: int | str | None = None
        if measure.needs_loops:
            loops = group_loops(group, context, sink, fixture_dir)
        if isinstance(loops, str):
            outcomes = dict.fromkeys((arm.name for arm in group.arms), loops)
        else:
            outcomes = measure.measure_group(group, context, fixture_dir, loops)
    with interrupt.deferred():  # what was measured is merged before a stop takes effect
        for arm in group.arms:
            sink.outcome(group, arm, outcomes[arm.name])
    return outcomes


def run_arm_measures(
    measures: Sequence[ArmMeasure],
    arms: Sequence[Arm],
    specs: Sequence[catalog.BenchmarkSpec],
    fixtures: FixtureCache,
    out_dir: Callable[[Arm, ArmMeasure], Path],
) -> dict[tuple[str, str], dict[str, Outcome]]:
    """Every per-arm measure on every arm, with every benchmark's input data built once:
    ``(measure, arm) -> {benchmark: outcome}``."""
    fixture_dirs: dict[str, Path | None] = {}
    for spec in specs:
        try:
            fixture_dirs[spec.name] = fixture_of(spec, fixtures)
        except FixtureError:
            continue  # such a benchmark is left out; its failure is the group's to report
    runnable = [spec for spec in specs if spec.name in fixture_dirs]
    results: dict[tuple[str, str], dict[str, Outcome]] = {}
    for measure in measures:
        for arm in arms:
            results[(measure.name, arm.name)] = measure.run_arm(
                arm, runnable, fixture_dirs, out_dir(arm, measure)
            )
    return results
