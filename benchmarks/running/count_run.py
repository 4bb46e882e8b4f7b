"""``run --measure instructions``: count a run's instruction cells into its run folder.

One instrumented process set per runtime (:mod:`benchmarks.running.counting`) runs every benchmark
the folder still lacks on that runtime; each benchmark is merged into
``DIR/<runtime>.instructions.json`` as soon as its runtime's processes are done. Input data is
built first, untimed and uncounted, through the same fixture cache as the time measure.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyperf

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureCache, FixtureError
from benchmarks.measured.workload import Case
from benchmarks.running import counting
from benchmarks.storage.results import Cell, RunFolder

NaReason = Callable[[catalog.BenchmarkSpec, str], "tuple[str, str] | None"]


@dataclass
class Tally:
    """What counting a run's instruction cells came to."""

    measured: int = 0
    failed: int = 0
    not_applicable: int = 0


def describe(benchmark: pyperf.Benchmark) -> str:
    """Median instructions per item and the spread between the instrumented processes."""
    means = [statistics.fmean(run.values) for run in benchmark.get_runs() if run.values]
    median = statistics.median(means)
    spread = (max(means) - min(means)) / median * 100 if median else 0.0
    unit = benchmark.get_metadata().get("item_unit", "item")
    return (
        f"median {median:,.0f} instructions per {unit}, processes within {spread:.3f}% "
        f"({len(means)} processes)"
    )


def count_cells(
    folder: RunFolder,
    cells: Sequence[tuple[catalog.BenchmarkSpec, Cell]],
    settings: counting.CountSettings,
    fixtures: FixtureCache,
    na_reason: NaReason,
    mode: str,
    identity: Mapping[str, str],
    scratch: Path,
    *,
    python: str = sys.executable,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Tally:
    """Count the given instruction cells (those the folder lacks) into the folder, with the
    interpreter ``python`` run in ``cwd`` with ``environ`` (an A/B side's), by default this one."""
    tally = Tally()
    unavailable = counting.unavailable_reason()
    by_runtime: dict[str, list[tuple[catalog.BenchmarkSpec, Cell]]] = {}
    fixture_dirs: dict[str, Path | None] = {}
    for spec, cell in cells:
        na = na_reason(spec, cell.runtime)
        if na is None and unavailable is not None:
            na = ("unavailable", unavailable)
        if na is not None:
            print(f"n/a  {spec.name} on {cell.runtime} (instructions): {na[1]}", flush=True)
            folder.record(cell, *na)
            tally.not_applicable += 1
            continue
        try:
            fixture = (
                None if spec.workload.fixture is None else spec.workload.fixture(Case(spec.params))
            )
            fixture_dirs[spec.name] = fixtures.folder(fixture)
        except FixtureError as exc:
            folder.record(cell, "failed", str(exc))
            tally.failed += 1
            continue
        by_runtime.setdefault(cell.runtime, []).append((spec, cell))
    if not by_runtime:
        return tally
    arms = [
        counting.CountArm(
            label=runtime,
            python=python,
            runtime=runtime,
            specs=[spec for spec, _ in pairs],
            fixture_dirs={spec.name: fixture_dirs[spec.name] for spec, _ in pairs},
            run_id=folder.manifest["run_id"],
            suite_mode=mode,
            identity=identity,
            cwd=cwd,
            environ=environ,
        )
        for runtime, pairs in by_runtime.items()
    ]
    total = sum(len(pairs) for pairs in by_runtime.values())
    print(
        f"counting instructions: {total} cells on {', '.join(by_runtime)}, "
        f"{settings.processes} instrumented processes each, {settings.jobs} at a time "
        f"({counting.valgrind_version()})",
        flush=True,
    )

    def merge(arm: counting.CountArm, results: dict[str, pyperf.Benchmark | str]) -> None:
        for spec, cell in by_runtime[arm.runtime]:
            outcome = results[spec.name]
            if isinstance(outcome, str):
                print(f"FAILED {spec.name} on {arm.runtime} (instructions): {outcome}", flush=True)
                folder.record(cell, "failed", outcome)
                tally.failed += 1
                continue
            staged = scratch / f"counted-{arm.runtime}-{tally.measured}.json"
            pyperf.BenchmarkSuite([outcome]).dump(str(staged), replace=True)
            print(f"    {spec.name} on {arm.runtime}: {describe(outcome)}", flush=True)
            folder.merge(cell, staged)
            staged.unlink()
            tally.measured += 1

    counting.count_arms(arms, settings, scratch, merge)
    return tally
