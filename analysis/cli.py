"""``python -m analysis report RESULTS... [-o DIR]``: errors are one line and exit code 2.

Exit codes: 0 the report was written; 2 bad input, a usage error or an output folder that
cannot be written (one ``error: ...`` line, nothing written); 130 / 143 stopped by SIGINT
(Ctrl-C) / SIGTERM, nothing written.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from analysis.errors import AnalysisError
from analysis.significance import CORRECTIONS
from analysis.stats import Settings

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one ``error: ...`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def output_folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name; name the output folder")
    return Path(text)


def parser() -> argparse.ArgumentParser:
    main = OneLineParser(prog="python -m analysis", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    report = commands.add_parser(
        "report", help="tables, plots, report.md and report.html from pyperf JSON results"
    )
    report.add_argument(
        "results",
        nargs="+",
        metavar="RESULTS",
        help="pyperf JSON files or folders of them (searched recursively)",
    )
    report.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        type=output_folder,
        help="output folder (default: RESULTS/report for a single folder, else ./report)",
    )
    defaults = Settings()
    report.add_argument(
        "--baseline",
        default=defaults.baseline,
        help="runtime every other is compared with (default: %(default)s)",
    )
    report.add_argument(
        "--floor",
        type=float,
        default=defaults.floor,
        help="relative difference below which a significant difference is "
        "reported as not meaningful (default: %(default)s)",
    )
    report.add_argument(
        "--confidence",
        type=float,
        default=defaults.confidence,
        help="confidence level of intervals and tests (default: %(default)s)",
    )
    report.add_argument(
        "--bootstrap",
        type=int,
        default=defaults.n_bootstrap,
        metavar="N",
        help="bootstrap resamples (default: %(default)s)",
    )
    report.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help="bootstrap seed, for reproducible reports (default: %(default)s)",
    )
    report.add_argument(
        "--correction",
        choices=CORRECTIONS,
        default=defaults.correction,
        help="multiple-comparison control across the table: holm, bh "
        "(Benjamini-Hochberg) or none (default: %(default)s)",
    )
    report.add_argument(
        "--split-runs",
        action="store_true",
        help="compare each run on its own instead of pooling runs of the same machine and Python",
    )
    return main


def default_output(results: Sequence[str]) -> Path:
    if len(results) == 1 and Path(results[0]).is_dir():
        return Path(results[0]) / "report"
    return Path("report")


def run_report(args: argparse.Namespace) -> int:
    from analysis.report import build_report  # heavy imports (matplotlib) only when needed

    settings = Settings(
        baseline=args.baseline,
        confidence=args.confidence,
        floor=args.floor,
        n_bootstrap=args.bootstrap,
        seed=args.seed,
        correction=args.correction,
    )
    out = args.output or default_output(args.results)
    report = build_report(args.results, out, settings, split_runs=args.split_runs)
    for note in report.comparison.notes:
        print(f"note: {note}", file=sys.stderr)
    for run in report.comparison.results.incomplete:
        print(
            f"note: run {run} is incomplete (stopped before its end); the report says which "
            "cells are missing",
            file=sys.stderr,
        )
    print(
        f"wrote {report.markdown}, {report.html}, {len(report.data)} data files "
        f"and {len(report.plots)} plots (PNG + SVG) in {out}"
    )
    return 0


class Terminated(BaseException):
    """SIGTERM, raised so that the half-written report folder is removed on the way out."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return run_report(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (KeyboardInterrupt, Terminated) as stop:
        print("interrupted: no report written", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
