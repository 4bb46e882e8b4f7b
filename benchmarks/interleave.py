"""Interleaved A/B runs: who runs when (``python -m benchmarks ab``).

For every benchmark x runtime of the selection, the number of ``loops`` is calibrated once (one
pyperf worker of the baseline side), then single pyperf worker processes of the two sides run
alternately on this machine in blocks of A B or B A (a balanced random order,
:func:`benchmarks.blocks.worker_order`), all with those loops, the same values and warm-ups.
Slow drift of the machine (thermal state, other load) then falls on both sides alike instead
of on whichever ran second. Each side's worker results are merged into one pyperf benchmark
(``Benchmark.add_runs``) and written into that side's results folder,
``DIR/baseline`` and ``DIR/candidate``, in the layout of ``run`` (one file per runtime plus a
manifest). Finally ``python -m analysis compare DIR/baseline DIR/candidate`` weighs the evidence
(this module knows no statistics). Each worker's run is stamped with its block
(:mod:`benchmarks.blocks`): compare pairs the two workers of a block, so the machine's slow
changes of speed cancel.

Environments come from :mod:`benchmarks.environments`.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyperf

from benchmarks import blocks, catalog, identity, runner
from benchmarks.blocks import merged_benchmark
from benchmarks.environments import DEFAULT_CACHE, Environment, build_environment, parse_spec
from benchmarks.fixtures import FixtureCache, FixtureError
from benchmarks.results import MANIFEST_FORMAT, default_run_dir, merge_benchmark, write_manifest
from benchmarks.workload import Case

SIDES: tuple[str, str] = ("baseline", "candidate")
#: ``mode`` of both sides' manifests and metadata.
AB_MODE = "ab"
#: Exit code of ``ab`` when a benchmark failed on a side and compare did not run.
EXIT_FAILED = 1

NaReason = Callable[[catalog.BenchmarkSpec, str], "tuple[str, str] | None"]


@dataclass(frozen=True)
class Settings:
    """pyperf settings of every worker, identical on both sides."""

    processes: int = runner.PROCESSES
    values: int = runner.VALUES
    warmups: int = runner.WARMUPS
    min_time: float = runner.MIN_TIME
    #: Fixed loops (skips calibration), or None to calibrate once per benchmark x runtime.
    loops: int | None = None


@dataclass
class SideRun:
    """One side's results folder and its manifest, kept up to date as benchmarks finish."""

    name: str
    environment: Environment
    folder: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    def start(
        self, runtimes: list[str], specs: list[catalog.BenchmarkSpec], command: list[str]
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manifest = {
            "format": MANIFEST_FORMAT,
            "run_id": self.run_id,
            "python": self.environment.python_version,
            "mode": AB_MODE,
            "command": command,
            "identity": self.environment.identity,
            "runtimes": runtimes,
            "benchmarks": [spec.name for spec in specs],
            "complete": False,
            "na": [],
            "ab": {
                "side": self.name,
                "spec": self.environment.spec.text,
                "injected_slowdown": self.environment.spec.slowdown,
                "order": blocks.ORDER_DESIGN,
                "loops": {},
            },
        }
        self.save()

    @property
    def run_id(self) -> str:
        return f"{self.folder.parent.resolve().name}-{self.name}"

    def save(self) -> None:
        write_manifest(self.folder, self.manifest)

    def record_na(self, spec: catalog.BenchmarkSpec, runtime: str, kind: str, reason: str) -> None:
        self.manifest["na"].append(
            {
                "runtime": runtime,
                "workload": spec.workload.name,
                "benchmark": spec.name,
                "params": dict(spec.params),
                "kind": kind,
                "reason": reason,
            }
        )
        self.save()


def worker_command(
    side: SideRun,
    spec: catalog.BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    output: Path,
) -> list[str]:
    """A ``benchmarks.runner`` command with this side's interpreter; the side's identity is
    stamped on its results by :func:`side_benchmark`."""
    return runner.runner_command(
        str(side.environment.python), spec, runtime, fixture_dir, side.run_id, AB_MODE, output
    )


def run_worker(side: SideRun, command: list[str], output: Path) -> str | None:
    """Run one pyperf worker of ``side``; the failure's last line, or None."""
    completed = subprocess.run(
        command,
        cwd=side.environment.source,
        env=side.environment.worker_environ(),
        capture_output=True,
        text=True,
    )
    if completed.returncode == 0 and output.exists():
        return None
    lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"worker exited with code {completed.returncode}"


def calibrate(side: SideRun, command: list[str], output: Path, settings: Settings) -> int | str:
    """``loops`` for one benchmark x runtime from one calibrating worker, or the failure."""
    reason = run_worker(
        side,
        [*command, "--worker", "--calibrate-loops", f"--min-time={settings.min_time}"],
        output,
    )
    if reason is not None:
        return reason
    loops = pyperf.Benchmark.load(str(output)).get_runs()[-1].get_metadata().get("loops")
    output.unlink()
    return int(loops) if loops else "calibration recorded no loops"


def side_benchmark(side: SideRun, files: Sequence[Path]) -> pyperf.Benchmark | str:
    """The side's merged benchmark with its identity, or why its results cannot be used."""
    merged = merged_benchmark(files)
    metadata = merged.get_metadata()
    if side.environment.spec.slowdown and "injected_slowdown" not in metadata:
        return "this side's harness cannot inject a slowdown (it predates injected_slowdown)"
    missing = {k: v for k, v in side.environment.identity.items() if k not in metadata}
    merged.update_metadata(missing)
    return merged


def run_cell(
    sides: Sequence[SideRun],
    spec: catalog.BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    settings: Settings,
    scratch: Path,
) -> list[str | None]:
    """Measure one benchmark x runtime on both sides, interleaved; each side's failure or None."""
    stem = f"{runtime}-{abs(hash(spec.name))}"
    loops = settings.loops
    if loops is None:
        output = scratch / f"{stem}-calibration.json"
        command = worker_command(sides[0], spec, runtime, fixture_dir, output)
        calibrated = calibrate(sides[0], command, output, settings)
        if isinstance(calibrated, str):
            return [f"calibration failed: {calibrated}"] * len(sides)
        loops = calibrated
    for side in sides:
        side.manifest["ab"]["loops"][f"{spec.name} on {runtime}"] = loops
    pyperf_options = [
        "--worker",
        f"--loops={loops}",
        f"--values={settings.values}",
        f"--warmups={settings.warmups}",
        f"--min-time={settings.min_time}",
    ]
    ab_id = sides[0].folder.parent.resolve().name
    files: list[list[Path]] = [[] for _ in sides]
    failures: list[str | None] = [None for _ in sides]
    seed = blocks.design_seed(f"{ab_id}|{spec.name} on {runtime}")
    for index, side_index in enumerate(blocks.worker_sequence(2, settings.processes, seed)):
        if failures[side_index] is not None:
            continue
        side = sides[side_index]
        output = scratch / f"{stem}-{side.name}-{index}.json"
        command = worker_command(side, spec, runtime, fixture_dir, output) + pyperf_options
        failures[side_index] = run_worker(side, command, output)
        if failures[side_index] is None:
            # Workers 2k and 2k+1 (AB or BA, balanced random) form block k: the analysis pairs them.
            blocks.stamp(output, blocks.block_label(ab_id, f"{spec.name} on {runtime}", index // 2))
            files[side_index].append(output)
    for index, (side, side_files) in enumerate(zip(sides, files, strict=True)):
        if failures[index] is not None:
            continue
        benchmark = side_benchmark(side, side_files)
        if isinstance(benchmark, str):
            failures[index] = benchmark
            continue
        staged = scratch / f"{stem}-{side.name}-merged.json"
        pyperf.BenchmarkSuite([benchmark]).dump(str(staged))
        merge_benchmark(side.folder, runtime, staged)
    return failures


def fixture_dir_for(spec: catalog.BenchmarkSpec, fixtures: FixtureCache) -> Path | None:
    """The benchmark's input data folder (built once, shared by both sides), or None."""
    if spec.workload.fixture is None:
        return None
    return fixtures.folder(spec.workload.fixture(Case(spec.params)))


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
) -> int:
    """Measure the selection on both sides into ``output/baseline`` and ``output/candidate``.

    Returns the number of benchmark x runtime cells that failed on either side.
    """
    sides = [
        SideRun(name, env, output / name) for name, env in zip(SIDES, environments, strict=True)
    ]
    for side in sides:
        side.start(runtimes, specs, command)
    cells = [
        (spec, runtime)
        for index, spec in enumerate(specs)
        for runtime in runtimes[index % len(runtimes) :] + runtimes[: index % len(runtimes)]
    ]
    fixtures = FixtureCache(fixture_root)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="aiter-ab-") as scratch:
        for number, (spec, runtime) in enumerate(cells, start=1):
            na = na_reason(spec, runtime)
            if na is not None:
                log(f"n/a  {spec.name} on {runtime}: {na[1]}")
                for side in sides:
                    side.record_na(spec, runtime, *na)
                continue
            log(f"[{number}/{len(cells)}] {spec.name} on {runtime}: A/B x{settings.processes}")
            try:
                fixture_dir = fixture_dir_for(spec, fixtures)
            except FixtureError as exc:
                failures: list[str | None] = [str(exc)] * len(sides)
            else:
                failures = run_cell(sides, spec, runtime, fixture_dir, settings, Path(scratch))
            for side, failure in zip(sides, failures, strict=True):
                if failure is not None:
                    log(f"FAILED {spec.name} on {runtime} ({side.name}): {failure}")
                    side.record_na(spec, runtime, "failed", failure)
            failed += any(f is not None for f in failures)
            for side in sides:
                side.save()
    for side in sides:
        side.manifest["complete"] = True
        side.save()
    return failed


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ab`` besides the selection (which ``run`` shares)."""
    parser.add_argument("--baseline", required=True, metavar="SPEC", help="side A (see README)")
    parser.add_argument("--candidate", required=True, metavar="SPEC", help="side B")
    parser.add_argument(
        "-o", "--output", type=Path, help="folder for baseline/, candidate/ and the comparison"
    )
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="only measure (a CI shard: compare runs once after the shards are merged)",
    )
    add_settings_arguments(parser)


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
    processes = args.processes or runner.PROCESSES
    if args.fast and args.processes is None:
        processes = max(3, processes // 2)
    for name in ("values", "warmups"):
        if getattr(args, name) < (1 if name == "values" else 0):
            raise ValueError(f"--{name} must be at least {1 if name == 'values' else 0}")
    if processes < 1 or (args.loops is not None and args.loops < 1) or args.min_time <= 0:
        raise ValueError("--processes and --loops must be at least 1, --min-time above 0")
    return Settings(processes, args.values, args.warmups, args.min_time, args.loops)


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
    """``python -m benchmarks ab``; bad input raises ValueError (one line)."""
    settings = settings_from(args)
    side_specs = [parse_spec(args.baseline), parse_spec(args.candidate)]
    output: Path = args.output or default_run_dir(Path("results") / "ab", python_version_tag())
    cache: Path = args.cache or repository / DEFAULT_CACHE
    environments = [build_environment(spec, repository, cache) for spec in side_specs]
    for name, environment in zip(SIDES, environments, strict=True):
        print(describe_side(name, environment), flush=True)
    print(
        f"results: {output} (balanced random AB/BA, {settings.processes} worker processes "
        "per side)",
        flush=True,
    )
    failed = run_ab(
        environments,
        output,
        runtimes,
        specs,
        na_reason,
        settings,
        args.fixture_root,
        [Path(sys.executable).name, "-m", "benchmarks", *sys.argv[1:]],
        log=lambda line: print(line, flush=True),
    )
    code = None if args.no_compare else run_compare(output, args.compare_option)
    if failed:
        print(f"{failed} benchmark x runtime cell(s) failed on a side (see the manifests)")
        return EXIT_FAILED
    return 0 if code is None else code
