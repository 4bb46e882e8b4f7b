"""``python -m benchmarks list``: print the workload x runtime matrix of a selection."""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.commands.selection import add_selection_arguments, plan
from benchmarks.measured.listing import matrix_lines
from benchmarks.running.run_command import na_reason


def add_parser(commands: Any) -> None:
    listing = commands.add_parser("list", help="print the workload x runtime matrix")
    add_selection_arguments(listing)


def command(args: argparse.Namespace) -> int:
    """Every workload at its defaults (or the selection) on every runtime; ``*`` marks the
    workloads the default run leaves to ``--ladder``."""
    runtimes, specs = plan(args, every_workload=True, every_runtime=True)
    for line in matrix_lines(specs, runtimes, na_reason, runtimes_named=bool(args.runtime)):
        print(line)
    return 0
