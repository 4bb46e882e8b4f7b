"""Interleaving blocks: who runs when, and the label that lets the analysis pair them.

A shared machine changes speed slowly: on this project's 2-core VM a whole stretch of a run can
be 20-40% slower for seconds at a time (another tenant, frequency, thermal state), far more than
the differences worth reporting. So worker processes are never run as one runtime's (or one
side's) batch after another's. They run in **blocks**: one process of each runtime (``run``) or
of each side (``ab``), back to back, the order inside the block changing from block to block.
Each process's pyperf run is stamped with its block (run metadata ``interleave_block``), and
:func:`analysis.evidence.contrast` pairs processes within blocks, so a slow stretch falls on both
members of a pair and cancels.

The order of the workers inside each block is :func:`worker_order`, the one order function of
the suite: a Williams design (a Latin square balanced for first-order carry-over: every arm
runs in every position, and follows every other arm, equally often over one square), its rows
drawn at random from a seed that the run records in its manifest. This module knows orders,
labels and merging only; :mod:`benchmarks.scheduler` runs the processes.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from pathlib import Path

import pyperf

#: The run metadata key (read by the analysis as ``analysis.evidence.BLOCK``).
BLOCK_KEY = "interleave_block"
#: Run metadata: the arm a worker belongs to (``asyncio``, ``baseline``, ``py3.12/trio``).
ARM_KEY = "interleave_arm"
#: Run metadata: the worker's position in its block (0 ran first).
POSITION_KEY = "interleave_position"
#: Run metadata: the seed of the order design the worker's block was drawn from.
SEED_KEY = "interleave_seed"


def new_design_seed() -> int:
    """A fresh seed for :func:`worker_order` (recorded in the manifest, so a run can be redone
    in the same order and a resumed run keeps its design)."""
    return secrets.randbits(63)


def williams_square(arm_count: int) -> list[list[int]]:
    """The rows of a Williams design for ``arm_count`` arms: ``arm_count`` rows when it is even
    (or 1), ``2 * arm_count`` when odd (the square and its mirror). Every arm holds every
    position equally often, and every ordered pair of different arms is adjacent equally
    often (Williams 1949, "Experimental designs balanced for the estimation of residual effects
    of treatments")."""
    if arm_count < 1:
        raise ValueError(f"a block needs at least one arm, not {arm_count}")
    first = [0]
    low, high = 1, arm_count - 1
    while len(first) < arm_count:
        first.append(low)
        low += 1
        if len(first) < arm_count:
            first.append(high)
            high -= 1
    rows = [[(arm + shift) % arm_count for arm in first] for shift in range(arm_count)]
    if arm_count % 2 == 1 and arm_count > 1:
        rows += [list(reversed(row)) for row in rows]
    return rows


def worker_order(arm_count: int, block: int, seed: int) -> list[int]:
    """The arms (indexes ``0 .. arm_count - 1``) in the order their workers run in ``block``.

    Blocks come in squares of :func:`williams_square` rows. The seed relabels the arms once
    (a random permutation), and each square runs its rows in its own random order, so the order
    is balanced over every complete square, varies from block to block, and is a pure function
    of its arguments: the same seed gives the same design.
    """
    rows = williams_square(arm_count)
    square, row = divmod(block, len(rows))
    labels = list(range(arm_count))
    random.Random(f"{seed}:labels").shuffle(labels)
    order = list(range(len(rows)))
    random.Random(f"{seed}:square:{square}").shuffle(order)
    return [labels[arm] for arm in rows[order[row]]]


def block_label(run_id: str, benchmark: str, block: int) -> str:
    """A block's label, unique to the run and benchmark (so different benchmarks never pair)."""
    return f"{run_id}|{benchmark}|{block}"


def stamp(
    worker_file: Path,
    label: str,
    arm: str | None = None,
    position: int | None = None,
    seed: int | None = None,
) -> None:
    """Record ``label`` as the block of every run in a worker's pyperf file (in place), with
    the worker's arm, its position in the block and the design seed when given."""
    metadata: dict[str, str | int] = {BLOCK_KEY: label}
    if arm is not None:
        metadata[ARM_KEY] = arm
    if position is not None:
        metadata[POSITION_KEY] = position
    if seed is not None:
        metadata[SEED_KEY] = str(seed)
    suite = pyperf.BenchmarkSuite.load(str(worker_file))
    for benchmark in suite.get_benchmarks():
        benchmark.update_metadata(metadata)
    suite.dump(str(worker_file), replace=True)


def merged_benchmark(files: Sequence[Path]) -> pyperf.Benchmark:
    """One pyperf benchmark holding the runs of every worker file, in order (as pyperf's master
    merges its workers)."""
    merged = pyperf.Benchmark.load(str(files[0]))
    for path in files[1:]:
        merged.add_runs(pyperf.Benchmark.load(str(path)))
    return merged
