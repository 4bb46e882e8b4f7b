"""pyperf entry point for one benchmark on one runtime: ``python -m benchmarks.running.runner``.

The command line (``python -m benchmarks run``, ``ab``) starts this module as single pyperf
worker processes (``--worker``), interleaved across runtimes or sides; with pyperf options only a
master understands, it starts it once per benchmark x runtime and pyperf re-runs it as its
workers (``program_args``). Each worker imports pyperf, anyio, the one runtime and the one
workload module it measures: nothing else.

Default pyperf settings (see the README for the reasoning):
``PROCESSES`` worker processes x (``WARMUPS`` + ``VALUES``) values of at least ``MIN_TIME`` s.
``--fast`` halves the processes (at least 3); ``--rigorous`` doubles them.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import pyperf

from benchmarks.measured.catalog import BenchmarkSpec, load_workload, parse_param
from benchmarks.measured.workload import Case, ParamValue, Workload
from benchmarks.platform.native import API_ANYIO, API_NATIVE
from benchmarks.platform.runtimes import RUNTIMES, Runtime, environment_metadata
from benchmarks.running.harness import SLOWDOWN_ENV, injected_slowdown, time_batch
from benchmarks.storage import identity

#: Worker processes per benchmark: each draws its own hash seed and memory layout, and each is
#: one unit of evidence in the analysis. 12 per side let the process-level interval detect a 5%
#: difference on a typical cell (process sd about 1.4%) after multiplicity control (README).
PROCESSES = 12
#: Measured values per worker process: values of one process share its layout, so a few suffice.
VALUES = 3
#: Unmeasured warm-up values per worker process.
WARMUPS = 1
#: Minimum duration of one value, in seconds (pyperf calibrates ``loops`` to reach it).
MIN_TIME = 0.03


def benchmark_metadata(
    runtime_name: str,
    workload: Workload,
    case: Case,
    run_id: str,
    suite_mode: str,
    suite_identity: Mapping[str, str] | None = None,
) -> dict[str, str | int | float]:
    runtime = RUNTIMES[runtime_name]
    metadata: dict[str, str | int | float] = {
        "runtime": runtime.name,
        "runtime_backend": runtime.backend,
        "workload": workload.name,
        "workload_family": workload.family,
        "item_unit": workload.item_unit,
        "param_names": ",".join(workload.params) or "none",
        "suite_run_id": run_id,
        "suite_mode": suite_mode,
    }
    metadata.update({f"param_{name}": value for name, value in case.params.items()})
    if workload.bytes_per_item is not None:
        metadata["bytes_per_item"] = workload.bytes_per_item(case)
    if workload.extra_metadata is not None:
        metadata.update(workload.extra_metadata(case))
    metadata.update(fairness_metadata(runtime, workload, case))
    metadata.update(environment_metadata())
    if suite_identity:  # absent otherwise: ab stamps it later, analysis reads "unknown"
        metadata.update(suite_identity)
    metadata["injected_slowdown"] = injected_slowdown()
    return metadata


def fairness_metadata(
    runtime: Runtime, workload: Workload, case: Case
) -> dict[str, str | int | float]:
    """``timer_bound`` on every benchmark; ``primitives`` (whose primitives an ``api=anyio|native``
    case measures: ``anyio``, ``asyncio`` or ``trio``) where the case has such an ``api``."""
    metadata: dict[str, str | int | float] = {"timer_bound": int(workload.timer_bound(case))}
    if case.params.get("api") == API_NATIVE:
        metadata["primitives"] = runtime.native().name
    elif case.params.get("api") == API_ANYIO and API_NATIVE in workload.params.get("api", ()):
        metadata["primitives"] = API_ANYIO
    return metadata


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.running.runner",
        description="Measure one benchmark on one runtime with pyperf (used by 'run').",
    )
    parser.add_argument("--runtime", required=True, choices=sorted(RUNTIMES))
    parser.add_argument("--workload", required=True)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--fixture-dir", type=Path, default=None)
    parser.add_argument("--run-id", default="adhoc")
    parser.add_argument("--suite-mode", default="custom")
    parser.add_argument(
        "--identity",
        metavar="JSON",
        help="the suite's identity (commit, dirty flag), computed once by the caller; "
        "by default from the git checkout this module is in",
    )
    return parser


def forward_arguments(cmd: list[str], args: argparse.Namespace) -> None:
    """Pass this benchmark's selection on to the pyperf worker processes."""
    cmd.extend(["--runtime", args.runtime, "--workload", args.workload])
    for param in args.param:
        cmd.extend(["--param", param])
    if args.fixture_dir is not None:
        cmd.extend(["--fixture-dir", str(args.fixture_dir)])
    cmd.extend(["--run-id", args.run_id, "--suite-mode", args.suite_mode])
    if args.identity is not None:
        cmd.extend(["--identity", args.identity])


def runner_command(
    python: str,
    spec: BenchmarkSpec,
    runtime: str,
    fixture_dir: Path | None,
    run_id: str,
    suite_mode: str,
    output: Path,
) -> list[str]:
    """The command line that measures ``spec`` on ``runtime`` with this module, run by
    ``python`` (the current interpreter, or an A/B side's). It passes only options every version
    of this module knows, so an older commit's runner accepts it."""
    command = [
        python, "-m", "benchmarks.running.runner",
        "--runtime", runtime,
        "--workload", spec.workload.name,
        "--run-id", run_id,
        "--suite-mode", suite_mode,
        "--output", str(output),
    ]  # fmt: skip
    for name, value in spec.params.items():
        command.extend(["--param", f"{name}={value}"])
    if fixture_dir is not None:
        command.extend(["--fixture-dir", str(fixture_dir)])
    return command


def main() -> None:
    runner = pyperf.Runner(
        processes=PROCESSES,
        values=VALUES,
        warmups=WARMUPS,
        min_time=MIN_TIME,
        program_args=("-m", "benchmarks.running.runner"),
        add_cmdline_args=forward_arguments,
        _argparser=build_parser(),
    )
    args = runner.parse_args()
    if args.identity is None and not args.worker:  # once here, not in every worker
        args.identity = identity.encode(identity.checkout_identity())
    # pyperf passes workers a minimal environment: keep the injected slowdown.
    args.inherit_environ = [*(args.inherit_environ or []), SLOWDOWN_ENV]
    suite_identity = identity.decode(args.identity) if args.identity else None
    workload = load_workload(args.workload)
    params: Mapping[str, ParamValue] = dict(parse_param(workload, p) for p in args.param)
    missing = [name for name in workload.params if name not in params]
    if missing:
        raise SystemExit(f"error: {workload.name} needs --param for {', '.join(missing)}")
    params = {name: params[name] for name in workload.params}
    case = Case(params, args.fixture_dir)
    runner.bench_time_func(
        workload.benchmark_name(params),
        time_batch,
        RUNTIMES[args.runtime],
        workload,
        case,
        inner_loops=workload.inner_loops(case),
        metadata=benchmark_metadata(
            args.runtime, workload, case, args.run_id, args.suite_mode, suite_identity
        ),
    )


if __name__ == "__main__":
    main()
