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


@dataclass(frozen=True)
class CountJob:
    """One run folder's instruction cells, and where they are counted: the interpreter, the
    folder its processes run in and their environment (an A/B side's or a version's)."""

    folder: RunFolder
    cells: Sequence[tuple[catalog.BenchmarkSpec, Cell]]
    identity: Mapping[str, str]
    na_reason: NaReason
    python: str = sys.executable
    cwd: Path | None = None
    environ: Mapping[str, str] | None = None
    #: What the log calls this folder (``baseline``, ``py3.12``; empty for a single run).
    name: str = ""


def count_jobs(
    jobs: Sequence[CountJob],
    settings: counting.CountSettings,
    fixtures: FixtureCache,
    mode: str,
    scratch: Path,
    tallies: Sequence[Tally] | None = None,
) -> Sequence[Tally]:
    """Count every job's cells into its folder, all jobs' instrumented processes in one pool
    (``settings.jobs`` at a time), so that no core waits at the end of one folder for the next
    (both sides of an A/B, every version of a matrix); a tally per job, kept up to date in
    ``tallies`` when given (so that a stopped run can say what it kept)."""
    tallies = [Tally() for _ in jobs] if tallies is None else tallies
    unavailable = counting.unavailable_reason()
    arms: list[counting.CountArm] = []
    owner: dict[str, tuple[CountJob, Tally, list[tuple[catalog.BenchmarkSpec, Cell]]]] = {}
    for number, (job, tally) in enumerate(zip(jobs, tallies, strict=True)):
        prefix = f"{job.name}: " if job.name else ""
        by_runtime: dict[str, list[tuple[catalog.BenchmarkSpec, Cell]]] = {}
        fixture_dirs: dict[str, Path | None] = {}
        for spec, cell in job.cells:
            na = job.na_reason(spec, cell.runtime)
            if na is None and unavailable is not None:
                na = ("unavailable", unavailable)
            if na is not None:
                print(f"n/a  {prefix}{spec.name} on {cell.runtime} (instructions): {na[1]}",
                      flush=True)  # fmt: skip
                job.folder.record(cell, *na)
                tally.not_applicable += 1
                continue
            try:
                fixture = (
                    None
                    if spec.workload.fixture is None
                    else spec.workload.fixture(Case(spec.params))
                )
                fixture_dirs[spec.name] = fixtures.folder(fixture)
            except FixtureError as exc:
                job.folder.record(cell, "failed", str(exc))
                tally.failed += 1
                continue
            by_runtime.setdefault(cell.runtime, []).append((spec, cell))
        if not by_runtime:
            continue
        for runtime, pairs in by_runtime.items():
            # The label names scratch folders only; its width is fixed, so that no path an
            # instrumented process could see differs in length between runs.
            label = f"job{number:03d}-{len(arms):03d}"
            arms.append(
                counting.CountArm(
                    label=label,
                    python=job.python,
                    runtime=runtime,
                    specs=[spec for spec, _ in pairs],
                    fixture_dirs={spec.name: fixture_dirs[spec.name] for spec, _ in pairs},
                    run_id=job.folder.manifest["run_id"],
                    suite_mode=mode,
                    identity=job.identity,
                    cwd=job.cwd,
                    environ=job.environ,
                )
            )
            owner[label] = (job, tally, pairs)
        total = sum(len(pairs) for pairs in by_runtime.values())
        print(
            f"counting instructions: {prefix}{total} cells on {', '.join(by_runtime)}, "
            f"{settings.processes} instrumented processes each, {settings.jobs} at a time "
            f"({counting.valgrind_version()})",
            flush=True,
        )
    if not arms:
        return tallies

    def merge(arm: counting.CountArm, results: dict[str, pyperf.Benchmark | str]) -> None:
        job, tally, pairs = owner[arm.label]
        prefix = f"{job.name}: " if job.name else ""
        for spec, cell in pairs:
            outcome = results[spec.name]
            if isinstance(outcome, str):
                print(f"FAILED {prefix}{spec.name} on {arm.runtime} (instructions): {outcome}",
                      flush=True)  # fmt: skip
                job.folder.record(cell, "failed", outcome)
                tally.failed += 1
                continue
            staged = scratch / f"counted-{arm.label}-{tally.measured}.json"
            pyperf.BenchmarkSuite([outcome]).dump(str(staged), replace=True)
            print(f"    {prefix}{spec.name} on {arm.runtime}: {describe(outcome)}", flush=True)
            job.folder.merge(cell, staged)
            staged.unlink()
            tally.measured += 1

    counting.count_arms(arms, settings, scratch, merge)
    return tallies
