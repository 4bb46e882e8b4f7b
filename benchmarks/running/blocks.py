"""Interleaving blocks: who runs when, and the label that lets the analysis pair them.

A shared machine changes speed slowly: on this project's 2-core VM a whole stretch of a run can
be 20-40% slower for seconds at a time (another tenant, frequency, thermal state), far more than
the differences worth reporting. So worker processes are never run as one runtime's (or one
side's) batch after another's. They run in **blocks**: one process of each runtime (``run``) or
of each side (``ab``), back to back, in a balanced random order (:func:`worker_order`).
Each process's pyperf run is stamped with its block (run metadata ``interleave_block``), and
:func:`analysis.statistics.evidence.contrast` pairs processes within blocks, so a slow stretch falls
on both members of a pair and cancels.

This module knows orders, labels and merging only; ``runtime_blocks`` and ``interleave`` run
the processes.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Sequence
from pathlib import Path

import pyperf

#: Fewest blocks of one balanced cycle of :func:`worker_order` (the suite's 12 processes).
CYCLE_BLOCKS = 12
#: How the order inside blocks is drawn (recorded in manifests).
ORDER_DESIGN = "williams"
#: The run metadata key (read by the analysis as ``analysis.statistics.evidence.BLOCK``).
BLOCK_KEY = "interleave_block"
#: Run metadata: the arm a worker belongs to (``asyncio``, ``baseline``, ``py3.12/trio``).
ARM_KEY = "interleave_arm"
#: Run metadata: the worker's position in its block (0 ran first).
POSITION_KEY = "interleave_position"
#: Run metadata: the seed of the order design the worker's block was drawn from.
SEED_KEY = "interleave_seed"


def williams_square(arm_count: int) -> list[list[int]]:
    """Williams' design for ``arm_count`` arms (Williams, *Aust. J. Sci. Res.* 2, 1949): rows
    are orders; every arm sits once in every position per ``arm_count`` rows, and every arm
    follows every other arm equally often (first-order carry-over balanced). An odd number of
    arms needs the square and its mirror image: ``2 * arm_count`` rows."""
    if arm_count < 1:
        return []
    first = [0]
    low, high = 1, arm_count - 1
    while len(first) < arm_count:
        first.append(low)
        low += 1
        if len(first) < arm_count:
            first.append(high)
            high -= 1
    rows = [[(arm + shift) % arm_count for arm in first] for shift in range(arm_count)]
    if arm_count % 2:
        rows += [row[::-1] for row in rows]
    return rows


def new_design_seed() -> int:
    """A fresh seed for :func:`worker_order` (record it with the run)."""
    return secrets.randbits(32)


def design_seed(text: str) -> int:
    """A seed derived from ``text`` (a run id and benchmark), stable across processes and
    Pythons: the seed of a run's orders is then recorded by its run id and block labels."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def worker_order(arm_count: int, block: int, seed: int) -> list[int]:
    """The arms (indexes ``0..arm_count-1``) in the order they run in block ``block``.

    Blocks come in cycles of at least :data:`CYCLE_BLOCKS` blocks, made of copies of one
    Williams square (:func:`williams_square`). Each cycle relabels the arms at random and runs
    the rows of its copies in a random order, drawn from ``seed`` and the cycle number. Over a
    complete cycle each arm runs equally often in every position and after every other arm;
    within it, neighbouring blocks have nearly independent orders, so no pattern can line up
    with a periodic drift of the machine (with one square per cycle, ABBA or BAAB, a drift of
    four workers' period would fall on both blocks of a cycle alike). For two arms a cycle is
    six AB and six BA in a random order.
    """
    square = williams_square(arm_count)
    if not square:
        return []
    copies = max(1, -(-CYCLE_BLOCKS // len(square)))
    cycle, row = divmod(block, len(square) * copies)
    draw = random.Random(f"{seed}:{cycle}")
    labels = list(range(arm_count))
    draw.shuffle(labels)
    rows = [index for index in range(len(square)) for _ in range(copies)]
    draw.shuffle(rows)
    return [labels[arm] for arm in square[rows[row]]]


def worker_sequence(arm_count: int, block_count: int, seed: int) -> list[int]:
    """The arms of ``block_count`` blocks, one block after the other."""
    return [arm for block in range(block_count) for arm in worker_order(arm_count, block, seed)]


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
