"""Harness fidelity: does the suite's per-item figure match a hand-written timing loop?

For the no-suspension async generator workload, on each runtime, in ``ROUNDS`` rounds, two
processes run back to back (in alternating order):

* **suite**: one pyperf worker of ``python -m benchmarks.running.runner`` (``inner_loops``, the
timer
  inside the loop), ``HAND_ITERATIONS`` workload runs per value, ``VALUES`` values;
* **hand**: a fresh interpreter timing ``HAND_ITERATIONS`` iterations of a hand-written async
  generator with a ``time.perf_counter`` pair inside one ``anyio.run``, ``VALUES`` times.

Each process gives its median per item; the ratio suite / hand of one round compares two
processes that ran seconds apart, so the machine's slow changes of speed cancel (a shared VM
can change speed by 40% between one minute and the next, which comparing a suite run with a
hand run made at another time would read as a harness error). The figure is the median ratio
over the rounds, printed with its range; the suite passes when every runtime's median is within
``TOLERANCE`` of 1. Run it with ``python -m benchmarks.running.fidelity`` or ``nox -s fidelity``;
exit code 1 on a miss.
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

from benchmarks.measured.workloads.protocol._common import weighted_checksum
from benchmarks.platform.runtimes import RUNTIMES, Runtime

WORKLOAD = "protocol.async_generator"
MODE = "nosuspend"
ITEMS = 1_000
#: Workload runs per measured value, in both figures (about 0.1-0.2 s of work).
HAND_ITERATIONS = 1_000
#: Values per process, after one warm-up.
VALUES = 3
#: Rounds of (suite process, hand process) per runtime.
ROUNDS = 8
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
    """Median seconds per item of one hand-timed process (this one)."""
    return statistics.median(runtime.run(hand_loop, ITEMS, HAND_ITERATIONS, VALUES))


def hand_process(runtime: Runtime) -> float:
    """:func:`hand_figure` in a fresh interpreter, as the suite's worker is."""
    command = [sys.executable, "-m", "benchmarks.running.fidelity", "--hand", runtime.name]
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return float(completed.stdout.strip())


def suite_process(runtime: Runtime, scratch: Path, round_index: int) -> float:
    """Median seconds per item of one pyperf worker of the suite."""
    import pyperf

    output = scratch / f"{runtime.name}-{round_index}.json"
    command = [
        sys.executable, "-m", "benchmarks.running.runner",
        "--runtime", runtime.name,
        "--workload", WORKLOAD,
        "--param", f"mode={MODE}", "--param", "api=anyio", "--param", f"items={ITEMS}",
        "--worker", f"--loops={HAND_ITERATIONS}", f"--values={VALUES}", "--warmups=1",
        "--output", str(output),
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    values = pyperf.Benchmark.load(str(output)).get_values()
    output.unlink()
    return statistics.median(values)


def round_ratios(runtime: Runtime, rounds: int) -> list[tuple[float, float]]:
    """(suite, hand) medians per round, the two processes of a round back to back."""
    pairs: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(rounds):
            if index % 2 == 0:
                suite = suite_process(runtime, Path(scratch), index)
                hand = hand_process(runtime)
            else:
                hand = hand_process(runtime)
                suite = suite_process(runtime, Path(scratch), index)
            pairs.append((suite, hand))
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.running.fidelity", description=__doc__
    )
    parser.add_argument("--runtime", action="extend", nargs="+", choices=list(RUNTIMES))
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--hand", choices=list(RUNTIMES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.hand:  # one hand-timed process, for round_ratios
        print(repr(hand_figure(RUNTIMES[args.hand])))
        return 0
    names = args.runtime or [n for n, r in RUNTIMES.items() if r.unavailable_reason() is None]
    print(
        f"{WORKLOAD}[mode={MODE},api=anyio,items={ITEMS}]: seconds per item, "
        f"{args.rounds} rounds of (suite process, hand process) back to back"
    )
    print(f"{'runtime':<9} {'suite':>10} {'hand':>10} {'suite/hand':>11}  range of rounds")
    worst = 0.0
    for name in names:
        pairs = round_ratios(RUNTIMES[name], args.rounds)
        ratios = [suite / hand for suite, hand in pairs]
        ratio = statistics.median(ratios)
        suite = statistics.median(s for s, _ in pairs)
        hand = statistics.median(h for _, h in pairs)
        worst = max(worst, abs(ratio - 1))
        print(
            f"{name:<9} {suite * 1e9:8.1f}ns {hand * 1e9:8.1f}ns {ratio - 1:+10.1%}  "
            f"{min(ratios) - 1:+.1%} to {max(ratios) - 1:+.1%}",
            flush=True,
        )
    verdict = "PASS" if worst <= TOLERANCE else "FAIL"
    print(f"{verdict}: largest median difference {worst:.1%} (tolerance {TOLERANCE:.0%})")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
