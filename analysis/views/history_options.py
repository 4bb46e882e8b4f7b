"""The ``history`` subcommand's options and their defaults, without the history's imports.

:mod:`analysis.views.history` (ruptures, scipy, statsmodels) and
:mod:`analysis.views.history_report` (matplotlib) take seconds to import; the command line builds
its parser from this module alone, so ``python -m analysis --help`` and a usage error need none
of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: Costs of the candidate search: ``l2`` runs in ruptures' compiled kernel PELT (``KernelCPD``
#: with its ``linear`` kernel, the same segmentation), ``l1``, ``rank`` and ``normal`` in its PELT.
MODELS: tuple[str, ...] = ("l2", "l1", "rank", "normal")
#: The defaults, chosen in :mod:`analysis.views.history_simulation` (see ``docs/verdicts.md``).
DEFAULT_MODEL = "l2"
DEFAULT_PENALTY = 2.5
#: Fewest runs in a segment: a change must persist this many runs to be reported.
DEFAULT_MIN_SIZE = 4
#: Family-wise level of the confirming tests over one line's candidate points (0.05, chosen at
#: seed 7 of the simulation: 0.1 raised false changes in 5.3% of flat AR(1) lines at seed 2026).
DEFAULT_ALPHA = 0.05


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``history`` subcommand of ``python -m analysis``."""
    history = commands.add_parser(
        "history", help="trends and change points over many runs (ordered by commit date)"
    )
    history.add_argument(
        "results", nargs="+", metavar="RESULTS", help="pyperf JSON files or folders of runs"
    )
    history.add_argument(
        "-o", "--output", type=output_folder, default=Path("history"), help="default: ./history"
    )
    history.add_argument(
        "--model",
        choices=MODELS,
        default=DEFAULT_MODEL,
        help="ruptures cost of the candidate search (default: %(default)s)",
    )
    history.add_argument(
        "--penalty",
        type=float,
        default=DEFAULT_PENALTY,
        help="factor on the BIC penalty (default: %(default)s; higher finds fewer changes)",
    )
    history.add_argument(
        "--min-size",
        type=int,
        default=DEFAULT_MIN_SIZE,
        help="fewest runs in a segment: how long a change must persist (default: %(default)s)",
    )
    history.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help="family-wise level of the confirming tests over a line's candidates "
        "(default: %(default)s)",
    )


def output_folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name; name the output folder")
    return Path(text)
