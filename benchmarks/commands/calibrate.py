"""``python -m benchmarks calibrate`` (``nox -s calibrate``): the sensitivity self-check of the
A/B gate, A/A pairs and pairs with a known slowdown, judged at the gate's family size.

This module only parses arguments; :mod:`benchmarks.running.sensitivity` measures the pairs
through the A/B machinery and writes the figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.commands.selection import add_selection_arguments
from benchmarks.measured.fixtures import DEFAULT_FIXTURE_ROOT
from benchmarks.running.measure_options import add_count_processes_argument


def add_parser(commands: Any) -> None:
    from benchmarks.running import sensitivity  # the defaults its help text states

    calibrate = commands.add_parser(
        "calibrate",
        help="sensitivity of the A/B gate: A/A pairs and pairs with a known slowdown",
        description=sensitivity.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_selection_arguments(calibrate)
    add_arguments(calibrate)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``calibrate`` besides the selection."""
    from benchmarks.running import counting, interleave, sensitivity

    interleave.add_settings_arguments(parser)
    parser.add_argument("--pairs", type=int, default=10, help="pairs of each kind (default 10)")
    parser.add_argument(
        "--first-pair",
        type=int,
        default=0,
        metavar="N",
        help="number the pairs from N (default 0): a later batch of one calibration, whose A/A' "
        "pairs go on with the next history modules, into a folder of its own",
    )
    parser.add_argument(
        "--slowdowns",
        default=None,
        help="injected slowdowns, fractions (default: "
        f"{','.join(f'{s:g}' for s in sensitivity.DEFAULT_SLOWDOWNS)} for time, "
        f"{','.join(f'{s:g}' for s in sensitivity.INSTRUCTION_SLOWDOWNS)} for instructions)",
    )
    parser.add_argument(
        "--measure",
        choices=sensitivity.MEASURES,
        default=counting.TIME,
        help="time (wall time, an injected busy wait) or instructions (callgrind counts, "
        "injected deterministic work); default: time",
    )
    parser.add_argument(
        "--kinds",
        default=None,
        metavar="KIND,...",
        help="run only these kinds of pair: A/A, A/A' (instructions: another process history) "
        'and the slowdowns as percentages, e.g. "A/A\'" or "A/A,1%%"; with instructions also '
        'a slowdown under another process history, e.g. "A/A,1%%\'" (only when named; '
        "default: A/A, A/A' and the slowdowns)",
    )
    add_count_processes_argument(parser, "side", counting.GATE_LAYOUTS)
    parser.add_argument(
        "--spec", default=".", metavar="SPEC", help="the environment of both sides (default: .)"
    )
    parser.add_argument(
        "--family-size",
        type=int,
        default=None,
        metavar="N",
        help="judge each pair as one of N comparisons (default: the PR gate's count)",
    )
    parser.add_argument("-o", "--output", type=Path, help="default: results/calibration-<date>")
    parser.add_argument("--fixture-root", type=Path, default=DEFAULT_FIXTURE_ROOT)


def command(args: argparse.Namespace) -> int:
    from benchmarks.running import sensitivity

    return sensitivity.calibrate(args)
