"""Harness fidelity: does the suite's per-item figure match a hand-written timing loop?

For the no-suspension async generator workload, on each runtime, this prints two figures:

* **suite**: the median per item that ``python -m benchmarks run`` reports (pyperf workers,
  ``inner_loops``, the timer inside the loop);
* **hand**: the median of ``HAND_REPEATS`` measurements, each a ``time.perf_counter`` pair
  around ``HAND_ITERATIONS`` iterations of a hand-written async generator inside one
  ``anyio.run``, divided by the item count.

and their difference. The suite passes when every difference is within ``TOLERANCE``.
Run it with ``python -m benchmarks.fidelity`` or ``nox -s fidelity``; exit code 1 on a miss.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from benchmarks.runtimes import RUNTIMES, Runtime
from benchmarks.workloads.protocol._common import weighted_checksum

WORKLOAD = "protocol.async_generator"
MODE = "nosuspend"
ITEMS = 1_000
#: Items timed by one hand measurement (one perf_counter pair), about 70 ms of work.
HAND_ITERATIONS = 1_000
HAND_REPEATS = 30
TOLERANCE = 0.05


async def hand_written_range(end: int) -> AsyncIterator[int]:
    for value in range(end):
        yield value


async def hand_loop(items: int, iterations: int, repeats: int) -> list[float]:
    """Seconds per item, ``repeats`` times, timed by hand inside the running loop."""
    per_item: list[float] = []
    for _ in range(repeats + 1):  # the first repeat is a warm-up
        started = time.perf_counter()
        for _ in range(iterations):
            # The same consumer as the workload: a position-weighted sum.
            total = position = 0
            async for value in hand_written_range(items):
                position += 1
                total += position * value
        elapsed = time.perf_counter() - started
        if (position, total) != weighted_checksum(items):
            raise AssertionError(f"hand loop summed {total}")
        per_item.append(elapsed / (iterations * items))
    return per_item[1:]


def hand_figure(runtime: Runtime) -> float:
    return statistics.median(runtime.run(hand_loop, ITEMS, HAND_ITERATIONS, HAND_REPEATS))


def suite_figure(runtime: Runtime, pyperf_args: Sequence[str]) -> float:
    import pyperf

    with tempfile.TemporaryDirectory() as scratch:
        command = [
            sys.executable, "-m", "benchmarks", "run",
            "--runtime", runtime.name,
            "--workload", WORKLOAD,
            "--param", f"mode={MODE}", "--param", "api=anyio", "--param", f"items={ITEMS}",
            "-o", scratch, *pyperf_args,
        ]  # fmt: skip
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        suite = pyperf.BenchmarkSuite.load(str(Path(scratch) / f"{runtime.name}.json"))
        return statistics.median(suite.get_benchmarks()[0].get_values())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fidelity", description=__doc__)
    parser.add_argument("--runtime", action="extend", nargs="+", choices=list(RUNTIMES))
    args, pyperf_args = parser.parse_known_args(argv)
    names = args.runtime or [n for n, r in RUNTIMES.items() if r.unavailable_reason() is None]
    print(f"{WORKLOAD}[mode={MODE},api=anyio,items={ITEMS}], median seconds per item")
    print(f"{'runtime':<9} {'suite':>10} {'hand':>10} {'diff':>7}")
    worst = 0.0
    for name in names:
        runtime = RUNTIMES[name]
        suite = suite_figure(runtime, pyperf_args)
        hand = hand_figure(runtime)
        diff = suite / hand - 1
        worst = max(worst, abs(diff))
        print(f"{name:<9} {suite * 1e9:8.1f}ns {hand * 1e9:8.1f}ns {diff:+7.1%}", flush=True)
    verdict = "PASS" if worst <= TOLERANCE else "FAIL"
    print(f"{verdict}: largest difference {worst:.1%} (tolerance {TOLERANCE:.0%})")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
