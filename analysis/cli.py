"""``python -m analysis report|history RESULTS... [-o DIR]``: errors are one line, exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.stats import Settings

EXIT_ERROR = 2


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)
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
        type=Path,
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
        help="practical floor f: a ratio within [1/(1+f), 1+f] is equivalent "
        "(default: %(default)s)",
    )
    report.add_argument(
        "--confidence",
        type=float,
        default=defaults.confidence,
        help="overall confidence of the simultaneous intervals of one machine and Python "
        "(default: %(default)s)",
    )
    report.add_argument(
        "--split-runs",
        action="store_true",
        help="compare each run on its own instead of pooling runs of the same machine and Python",
    )
    add_history_parser(commands)
    return main


def add_history_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from analysis import history_report

    history_report.add_parser(commands)


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
    )
    out = args.output or default_output(args.results)
    report = build_report(args.results, out, settings, split_runs=args.split_runs)
    for note in report.comparison.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"wrote {report.markdown}, {report.html}, {len(report.data)} data files "
        f"and {len(report.plots)} plots (PNG + SVG) in {out}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "history":
            from analysis import history_report  # heavy imports (ruptures, matplotlib)

            return history_report.run(args)
        return run_report(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
