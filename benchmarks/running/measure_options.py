"""``--measure`` and the settings of the instructions measure, shared by ``run`` and ``ab``."""

from __future__ import annotations

import argparse

from benchmarks.running import counting


def add_measure_arguments(parser: argparse.ArgumentParser, layouts: int) -> None:
    """``--measure`` and the settings of the instructions measure (``run`` and ``ab``), with
    ``layouts`` the default of ``--count-layouts``."""
    parser.add_argument(
        "--measure",
        choices=counting.MEASURES,
        default="time",
        help="time (wall time per item, the default), instructions (CPU instructions per item "
        "under callgrind, deterministic) or both",
    )
    add_count_processes_argument(parser, "runtime", layouts)


def add_count_processes_argument(parser: argparse.ArgumentParser, per: str, layouts: int) -> None:
    """``--count-processes``: instrumented processes per ``per`` (a runtime, a side), and
    ``--count-layouts``, ``layouts`` by default."""
    parser.add_argument(
        "--count-processes",
        type=positive_int,
        default=counting.PROCESSES,
        metavar="N",
        help=f"instrumented processes per {per} for instructions (default: {counting.PROCESSES})",
    )
    parser.add_argument(
        "--count-layouts",
        type=positive_int,
        default=layouts,
        metavar="K",
        help="layouts per benchmark and process for instructions: each process forks K layout "
        "processes, each shifting the version tags and heap addresses of what it imports, and "
        f"a process's value is their minimum (default: {layouts}; docs/instructions.md, Layouts)",
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def count_settings(args: argparse.Namespace) -> counting.CountSettings:
    return counting.CountSettings(processes=args.count_processes, layouts=args.count_layouts)
