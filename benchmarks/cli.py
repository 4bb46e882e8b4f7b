"""``python -m benchmarks``: list the workload x runtime matrix, or run a selection of it.

Each verb has its module under :mod:`benchmarks.commands`, holding its argument handling only;
:mod:`benchmarks.running.run_command` and :mod:`benchmarks.running.interleave` do the work,
through the one scheduler (:mod:`benchmarks.running.scheduler`).

``run`` measures benchmark by benchmark. For each, ``loops`` is calibrated once, then the
runtimes' pyperf worker processes (``python -m benchmarks.running.runner --worker``) run
interleaved in blocks, one process of each runtime per block in a balanced random order
(``benchmarks.running.blocks.worker_order``, its seed in the manifest), so a noisy machine's
slow changes of speed fall on every runtime alike and the analysis can pair processes within
blocks. ``run --python 3.10 3.12`` does the same with one arm per (version x runtime), each
version in an environment of its own, into ``DIR/py3.10``, ``DIR/py3.12``. pyperf options a
single worker cannot honour (memory tracking, ``--debug-single-value``, ...) run each runtime as
one pyperf master instead, one after another. Each result is merged into
``DIR/<runtime>.json`` as soon as it is measured (the run folder, its lock and manifest:
``benchmarks.storage.results``). A benchmark that fails, or whose input data cannot be built,
is recorded in the manifest and the run goes on. SIGINT and SIGTERM stop the run cleanly
(``benchmarks.storage.interrupt``) with exit code 130 or 143.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from benchmarks.commands import ab, calibrate, run
from benchmarks.commands import list as listing
from benchmarks.commands.usage import OneLineParser, fail
from benchmarks.storage import interrupt


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    listing.add_parser(commands)
    run.add_parser(commands)
    ab.add_parser(commands)
    calibrate.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command in ("list", "ab", "calibrate") and rest:
        fail(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "list":
        return listing.command(args)
    try:  # run and ab stop alike: children ended, scratch removed, manifests list what is missing
        with interrupt.signals_stop_the_run():
            if args.command == "ab":
                return ab.command(args)
            if args.command == "calibrate":
                return calibrate.command(args)
            return run.command(args, rest)
    except (KeyboardInterrupt, interrupt.Interrupted) as stop:
        code = stop.exit_code if isinstance(stop, interrupt.Interrupted) else 130
        print("interrupted", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
