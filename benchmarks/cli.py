"""``python -m benchmarks``: list the workload x runtime matrix, or run a selection of it.

``run`` starts ``python -m benchmarks.runner`` (pyperf) once per benchmark x runtime, benchmark
by benchmark with the runtimes in rotating order, so slow drift of a noisy machine spreads over
all runtimes alike. Each result is merged into ``DIR/<runtime>.json`` as soon as it is measured.
A benchmark that fails is recorded in the manifest and the run goes on.
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from benchmarks import catalog, identity
from benchmarks.fixtures import DEFAULT_FIXTURE_ROOT, ensure_fixture
from benchmarks.results import (
    DEFAULT_RESULTS_ROOT,
    MANIFEST_FORMAT,
    default_run_dir,
    merge_benchmark,
    write_manifest,
)
from benchmarks.runtimes import RUNTIMES
from benchmarks.workload import Case, ParamValue

USAGE_ERROR = 2

#: pyperf options that change the measurement settings: with them the run is "custom".
PYPERF_SETTING_OPTIONS = (
    "--processes",
    "--values",
    "--warmups",
    "--loops",
    "--min-time",
    "-p",
    "-n",
    "-w",
    "-l",
)


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
        "-o", "--output", type=Path, help="results folder (default: a new one under results/)"
    )
    run.add_argument(
        "--fixture-root",
        type=Path,
        default=DEFAULT_FIXTURE_ROOT,
        help=f"where input data is built and cached (default: {DEFAULT_FIXTURE_ROOT})",
    )
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


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runtime",
        action="extend",
        nargs="+",
        metavar="NAME",
        help=f"runtimes to use (default: all of {', '.join(RUNTIMES)})",
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


def selected_runtimes(names: Sequence[str] | None) -> list[str]:
    if not names:
        return list(RUNTIMES)
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
        chosen: list[ParamValue] = []
        for raw in raw_values.split(","):
            match = [v for v in ladders[name] if str(v) == raw.strip()]
            if not match:
                valid = ", ".join(str(v) for v in ladders[name])
                fail(f"{name}={raw} is on no selected ladder; valid values: {valid}")
            chosen.extend(match[:1])
        overrides[name] = tuple(chosen)
    return overrides


def plan(args: argparse.Namespace) -> tuple[list[str], list[catalog.BenchmarkSpec]]:
    runtimes = selected_runtimes(args.runtime)
    try:
        workloads = catalog.select_workloads(args.workload)
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
    runtimes, specs = plan(args)
    width = max(len(spec.name) for spec in specs)
    print(f"{'benchmark':<{width}}  {'unit':<6}  " + "  ".join(f"{r:<9}" for r in runtimes))
    reasons: dict[str, int] = {}
    for spec in specs:
        cells = []
        for runtime in runtimes:
            na = na_reason(spec, runtime)
            if na is None:
                cells.append(f"{'ok':<9}")
            else:
                number = reasons.setdefault(na[1], len(reasons) + 1)
                cells.append(f"{f'n/a [{number}]':<9}")
        unit = spec.workload.item_unit
        print(f"{spec.name:<{width}}  {unit:<6}  " + "  ".join(cells))
    for reason, number in reasons.items():
        print(f"[{number}] {reason}")
    print(f"{len(specs)} benchmarks x {len(runtimes)} runtimes; values are seconds per unit")
    return 0


def suite_mode(args: argparse.Namespace, pyperf_args: Sequence[str]) -> str:
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


def runner_command(
    spec: catalog.BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    run_id: str,
    mode: str,
    output: Path,
) -> list[str]:
    """The ``benchmarks.runner`` command line of one benchmark on one runtime."""
    command = [
        sys.executable, "-m", "benchmarks.runner",
        "--runtime", runtime,
        "--workload", spec.workload.name,
        "--run-id", run_id,
        "--suite-mode", mode,
        "--output", str(output),
    ]  # fmt: skip
    for name, value in spec.params.items():
        command.extend(["--param", f"{name}={value}"])
    if fixture_dir is not None:
        command.extend(["--fixture-dir", str(fixture_dir)])
    return command


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
    command = runner_command(spec, runtime, fixture_dir, run_id, mode, output)
    command += ["--worker", "--calibrate-loops", *calibration_arguments(pyperf_args)]
    completed = subprocess.run(command, capture_output=True, text=True)
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
    command = runner_command(spec, runtime, fixture_dir, run_id, mode, measured_file)
    verbose = any(re.fullmatch(r"-v+|--verbose", arg) for arg in pyperf_args)
    if not verbose:
        command.append("--quiet")
    command.extend(pyperf_args)
    completed = subprocess.run(
        command, stdout=None if verbose else subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
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
    return (
        f"median {benchmark.format_value(median)} per {unit}, "
        f"rsd {spread:.1f}% ({len(values)} values)"
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
    pyperf_args = [*pyperf_args, "--identity", identity.encode(suite_identity)]
    python_version = ".".join(platform.python_version_tuple()[:2])
    run_dir = args.output or default_run_dir(DEFAULT_RESULTS_ROOT, python_version)
    run_dir.mkdir(parents=True, exist_ok=True)
    run_id = run_dir.resolve().name
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "run_id": run_id,
        "python": platform.python_version(),
        "mode": mode,
        "command": [Path(sys.executable).name, "-m", "benchmarks", *sys.argv[1:]],
        "identity": suite_identity,
        "runtimes": runtimes,
        "benchmarks": [spec.name for spec in specs],
        "complete": False,
        "na": [],
        "loops": {},
    }
    write_manifest(run_dir, manifest)
    print(f"results: {run_dir} (mode: {mode}; values are seconds per item_unit)", flush=True)

    cells = [(spec, runtime) for spec in specs for runtime in runtimes]
    progress = Progress(sum(1 for spec, runtime in cells if na_reason(spec, runtime) is None))
    failures = 0
    fixture_dirs: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="aiter-bench-") as scratch:
        for index, spec in enumerate(specs):
            rotation = index % len(runtimes)
            for runtime in runtimes[rotation:] + runtimes[:rotation]:
                na = na_reason(spec, runtime)
                if na is not None:
                    kind, reason = na
                    print(f"n/a  {spec.name} on {runtime}: {reason}", flush=True)
                    manifest["na"].append(na_cell(spec, runtime, kind, reason))
                    write_manifest(run_dir, manifest)
                    continue
                progress.announce(f"{spec.name} on {runtime}")
                fixture_dir = None
                if spec.workload.fixture is not None:
                    fixture = spec.workload.fixture(Case(spec.params))
                    if fixture.key not in fixture_dirs:
                        fixture_dirs[fixture.key] = ensure_fixture(fixture, args.fixture_root)
                    fixture_dir = fixture_dirs[fixture.key].resolve()
                measured_file = Path(scratch) / f"{runtime}-{index}.json"
                loops_args: list[str] = []
                if needs_calibration(pyperf_args):
                    if spec.name not in manifest["loops"]:
                        calibrated = calibrate_loops(
                            spec, runtime, fixture_dir, run_id, mode, pyperf_args, Path(scratch)
                        )
                        if isinstance(calibrated, int):
                            manifest["loops"][spec.name] = {"loops": calibrated, "on": runtime}
                            write_manifest(run_dir, manifest)
                    same = manifest["loops"].get(spec.name)
                    if same is not None:
                        loops_args = [f"--loops={same['loops']}"]
                reason = run_one(
                    spec, runtime, fixture_dir, run_id, mode, [*pyperf_args, *loops_args],
                    measured_file,
                )  # fmt: skip
                progress.finish_one()
                if reason is None:
                    print(f"    {describe(measured_file)}", flush=True)
                    merge_benchmark(run_dir, runtime, measured_file)
                    continue
                failures += 1
                print(f"FAILED {spec.name} on {runtime}: {reason}", flush=True)
                manifest["na"].append(na_cell(spec, runtime, "failed", reason))
                write_manifest(run_dir, manifest)
    manifest["complete"] = True
    write_manifest(run_dir, manifest)
    elapsed = format_seconds(time.monotonic() - progress.started)
    print(
        f"done in {elapsed}: {progress.done - failures} measured, {failures} failed, "
        f"{len(manifest['na']) - failures} n/a; results in {run_dir}"
    )
    return 1 if failures else 0


def na_cell(spec: catalog.BenchmarkSpec, runtime: str, kind: str, reason: str) -> dict[str, Any]:
    return {
        "runtime": runtime,
        "workload": spec.workload.name,
        "benchmark": spec.name,
        "params": dict(spec.params),
        "kind": kind,
        "reason": reason,
    }


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
        return command_run(args, rest)
    except KeyboardInterrupt:
        print("interrupted: the benchmarks measured so far are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
