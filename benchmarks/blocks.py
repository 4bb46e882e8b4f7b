"""Interleaving blocks: who runs when, and the label that lets the analysis pair them.

A shared machine changes speed slowly: on this project's 2-core VM a whole stretch of a run can
be 20-40% slower for seconds at a time (another tenant, frequency, thermal state), far more than
the differences worth reporting. So worker processes are never run as one runtime's (or one
side's) batch after another's. They run in **blocks**: one process of each runtime (``run``) or
of each side (``ab``), back to back, the order inside the block rotating from block to block.
Each process's pyperf run is stamped with its block (run metadata ``interleave_block``), and
:func:`analysis.evidence.contrast` pairs processes within blocks, so a slow stretch falls on both
members of a pair and cancels.

This module knows orders, labels and merging only; ``runtime_blocks`` and ``interleave`` run
the processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import pyperf

#: The run metadata key (read by the analysis as ``analysis.evidence.BLOCK``).
BLOCK_KEY = "interleave_block"

T = TypeVar("T")


def rotation(lanes: Sequence[T], block: int) -> list[T]:
    """The order of ``lanes`` in block number ``block``: a cyclic Latin square, so over
    ``len(lanes)`` consecutive blocks every lane runs once in every position."""
    if not lanes:
        return []
    shift = block % len(lanes)
    return [*lanes[shift:], *lanes[:shift]]


def block_label(run_id: str, benchmark: str, block: int) -> str:
    """A block's label, unique to the run and benchmark (so different benchmarks never pair)."""
    return f"{run_id}|{benchmark}|{block}"


def stamp(worker_file: Path, label: str) -> None:
    """Record ``label`` as the block of every run in a worker's pyperf file (in place)."""
    suite = pyperf.BenchmarkSuite.load(str(worker_file))
    for benchmark in suite.get_benchmarks():
        benchmark.update_metadata({BLOCK_KEY: label})
    suite.dump(str(worker_file), replace=True)


def merged_benchmark(files: Sequence[Path]) -> pyperf.Benchmark:
    """One pyperf benchmark holding the runs of every worker file, in order (as pyperf's master
    merges its workers)."""
    merged = pyperf.Benchmark.load(str(files[0]))
    for path in files[1:]:
        merged.add_runs(pyperf.Benchmark.load(str(path)))
    return merged
