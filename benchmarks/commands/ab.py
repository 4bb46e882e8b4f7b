"""``python -m benchmarks ab``: an interleaved A/B run of two environments.

This module only parses arguments; :mod:`benchmarks.running.interleave` builds the two sides and
measures them as the arms of the one scheduler.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.commands.selection import add_selection_arguments, plan
from benchmarks.commands.usage import fail
from benchmarks.measured.fixtures import DEFAULT_FIXTURE_ROOT
from benchmarks.running import counting
from benchmarks.running.measure_options import add_measure_arguments
from benchmarks.running.run_command import na_reason


def add_parser(commands: Any) -> None:
    ab = commands.add_parser(
        "ab", help="interleaved A/B run of two environments (git ref, Python, pip overrides)"
    )
    add_selection_arguments(ab)
    add_arguments(ab)
    ab.add_argument("--fixture-root", type=Path, default=DEFAULT_FIXTURE_ROOT)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ab`` besides the selection (which ``run`` shares)."""
    from benchmarks.running import interleave  # on first use: list starts without it

    parser.add_argument("--baseline", required=True, metavar="SPEC", help="side A (see README)")
    parser.add_argument("--candidate", required=True, metavar="SPEC", help="side B")
    parser.add_argument(
        "-o", "--output", type=Path, help="folder for baseline/, candidate/ and the comparison"
    )
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="only measure (a CI shard: compare runs once after the shards are merged)",
    )
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted A/B in -o DIR: measure only what its sides lack",
    )
    existing.add_argument("--force", action="store_true", help="replace the A/B already in -o DIR")
    add_measure_arguments(parser, counting.GATE_LAYOUTS)
    interleave.add_settings_arguments(parser)


def command(args: argparse.Namespace) -> int:
    from benchmarks.running import interleave

    runtimes, specs = plan(args)
    try:
        return interleave.command(args, runtimes, specs, na_reason)
    except ValueError as exc:
        fail(str(exc))
