"""Timer accuracy: how long each runtime really sleeps when asked for 0.1, 0.5, 1 or 2 ms.

Latency workloads (``timer_bound: 1`` in their metadata) measure the runtime's timer, not its
speed: asyncio and trio round a sleep up to their poller's millisecond timeout, and libuv
(uvloop) keeps a millisecond clock that can wake a timer early. This command measures it on the
machine that ran the benchmarks so the report can label those cells as timer behaviour:

    python -m benchmarks.running.timer_accuracy -o results/<run>        # writes timer_accuracy.json

For each runtime and each requested duration it awaits ``anyio.sleep(requested)`` ``SAMPLES``
times inside one running loop, timing each with ``time.perf_counter``, and records the median,
minimum and maximum achieved sleep (seconds). The file is plain JSON, not pyperf: its format is
described in results/FORMAT.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from analysis.staging import OutputError, check_output_folder
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.storage.results import write_atomically

#: Requested sleeps, in seconds.
REQUESTED_SECONDS: tuple[float, ...] = (0.0001, 0.0005, 0.001, 0.002)
#: Sleeps measured per requested duration and runtime (about 0.5 s per runtime).
SAMPLES = 100
FILE_NAME = "timer_accuracy.json"
FORMAT = 1


async def achieved_sleeps(requested: float, samples: int) -> list[float]:
    """Seconds each of ``samples`` ``anyio.sleep(requested)`` calls really took."""
    import anyio

    clock = time.perf_counter
    await anyio.sleep(requested)  # one untimed sleep: the timer machinery is warm
    achieved = []
    for _ in range(samples):
        started = clock()
        await anyio.sleep(requested)
        achieved.append(clock() - started)
    return achieved


def measure_runtime(name: str, samples: int = SAMPLES) -> list[dict[str, float]]:
    """One row per requested duration: requested, median, minimum and maximum achieved."""
    runtime = RUNTIMES[name]
    rows = []
    for requested in REQUESTED_SECONDS:
        achieved = runtime.run(achieved_sleeps, requested, samples)
        rows.append(
            {
                "requested_s": requested,
                "median_s": statistics.median(achieved),
                "min_s": min(achieved),
                "max_s": max(achieved),
                "early_fraction": sum(1 for a in achieved if a < requested) / len(achieved),
            }
        )
    return rows


def measure(runtimes: Sequence[str], samples: int = SAMPLES) -> dict[str, object]:
    """The whole document: every available runtime's rows, and the n/a runtimes with reasons."""
    measured: dict[str, object] = {}
    unavailable: dict[str, str] = {}
    for name in runtimes:
        reason = RUNTIMES[name].unavailable_reason()
        if reason is not None:
            unavailable[name] = reason
            continue
        measured[name] = measure_runtime(name, samples)
    return {
        "format": FORMAT,
        "what": "achieved anyio.sleep(requested) per runtime, seconds",
        "python": platform.python_version(),
        "machine": platform.node(),
        "platform": platform.platform(),
        "samples": samples,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runtimes": measured,
        "unavailable": unavailable,
    }


def write(folder: Path, runtimes: Sequence[str], samples: int = SAMPLES) -> Path:
    """Measure and write ``folder/timer_accuracy.json`` atomically; return its path."""
    check_output_folder(folder)  # before measuring: a bad -o is one line, nothing measured
    document = measure(runtimes, samples)
    target = folder / FILE_NAME
    try:
        write_atomically(target, json.dumps(document, indent=1) + "\n")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one ``error: ...`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m benchmarks.running.timer_accuracy", description=__doc__)
    parser.add_argument("-o", "--output", type=Path, required=True, help="the run folder")
    parser.add_argument("--runtime", nargs="+", default=list(RUNTIMES), metavar="RUNTIME")
    parser.add_argument("--samples", type=int, default=SAMPLES)
    args = parser.parse_args(argv)
    unknown = [name for name in args.runtime if name not in RUNTIMES]
    if unknown or args.samples < 1:
        problem = (
            f"unknown runtime {unknown[0]!r}; valid runtimes: {', '.join(RUNTIMES)}"
            if unknown
            else f"--samples must be at least 1, not {args.samples}"
        )
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        path = write(args.output, args.runtime, args.samples)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, rows in json.loads(path.read_text())["runtimes"].items():
        for row in rows:
            print(
                f"{name:<8} requested {row['requested_s'] * 1e3:.1f} ms: "
                f"median {row['median_s'] * 1e3:.3f} ms, min {row['min_s'] * 1e3:.3f} ms"
            )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
