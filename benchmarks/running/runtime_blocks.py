"""``run``'s pyperf options as the settings of single worker processes in blocks.

``run`` measures each benchmark in interleaved blocks (:mod:`benchmarks.running.scheduler`) unless
pyperf options it cannot split into single workers are given (memory tracking,
``--debug-single-value``, anything beyond the settings below): then each runtime runs as one
pyperf master with its worker processes, one runtime after another.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence

from benchmarks.running import runner
from benchmarks.running.scheduler import Settings

#: pyperf options that set the measurement (a run with them is "custom"); a single worker takes
#: them as they are, with or without a value.
SETTING_OPTIONS = ("--processes", "--values", "--warmups", "--loops", "--min-time",
                   "-p", "-n", "-w", "-l")  # fmt: skip
_FLAGS = ("--fast", "--rigorous", "-v", "--verbose", "-q", "--quiet")


#: What every worker process of an interleaved benchmark runs with.
WorkerSettings = Settings


def worker_settings(pyperf_args: Sequence[str]) -> WorkerSettings | None:
    """The settings ``pyperf_args`` ask for (``--fast``/``--rigorous`` applied as pyperf does),
    or None when they hold an option a single worker cannot honour on its own."""
    index = 0
    args = list(pyperf_args)
    while index < len(args):
        arg = args[index]
        name = arg.split("=")[0]
        if name == "--identity":  # ours, forwarded to every worker
            index += 2
            continue
        if name in SETTING_OPTIONS:
            index += 1 if "=" in arg else 2
            continue
        if arg in _FLAGS or re.fullmatch(r"-v+", arg):
            index += 1
            continue
        return None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--processes", "-p", type=int, default=None)
    parser.add_argument("--values", "-n", type=int, default=None)
    parser.add_argument("--warmups", "-w", type=int, default=runner.WARMUPS)
    parser.add_argument("--loops", "-l", type=int, default=None)
    parser.add_argument("--min-time", type=float, default=runner.MIN_TIME)
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--rigorous", action="store_true")
    parser.add_argument("--identity")
    parsed, _ = parser.parse_known_args(args)  # only -v/-q are left
    # pyperf's own rule for --fast and --rigorous (Runner._process_args), on our defaults.
    processes, values = runner.PROCESSES, runner.VALUES
    if parsed.rigorous:
        processes = runner.PROCESSES * 2
    elif parsed.fast:
        processes, values = max(runner.PROCESSES // 2, 3), max(runner.VALUES * 2 // 3, 2)
    return WorkerSettings(
        processes=max(parsed.processes or processes, 1),
        values=parsed.values or values,
        warmups=parsed.warmups,
        min_time=parsed.min_time,
        loops=parsed.loops or None,
    )
