"""``python -m analysis report|compare|history ...``: errors are one line and exit code 2.

Exit codes: 0 the report was written; 2 bad input, a usage error or an output folder that
cannot be written (one ``error: ...`` line, nothing written); 130 / 143 stopped by SIGINT
(Ctrl-C) / SIGTERM, nothing written.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from analysis.errors import AnalysisError
from analysis.statistics.settings import Settings

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
        default=None,
        help=f"runtime every other is compared with (default: {defaults.baseline}, or the "
        "first runtime measured when the results have none of it)",
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
    add_compare_parser(commands)
    add_history_parser(commands)
    return main


def add_history_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from analysis.views import history_options  # light: no ruptures, scipy or matplotlib

    history_options.add_parser(commands)


def add_compare_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    compare = commands.add_parser(
        "compare",
        help="candidate against baseline: regression / improvement / equivalent / inconclusive",
        description="Exit codes: 0 no regression, 1 regression, 2 bad input or usage, "
        "3 inconclusive (with --fail-on inconclusive).",
    )
    compare.add_argument("baseline", metavar="BASELINE", help="results folder or pyperf file")
    compare.add_argument("candidate", metavar="CANDIDATE", help="results folder or pyperf file")
    compare.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="default regression threshold, e.g. 0.05 (default: the thresholds file's, 0.05)",
    )
    compare.add_argument(
        "--thresholds",
        type=Path,
        default=None,
        metavar="FILE",
        help="TOML file of per-benchmark thresholds (default: analysis/views/thresholds.toml)",
    )
    compare.add_argument(
        "--fail-on",
        choices=("regression", "inconclusive", "never"),
        default="regression",
        help="what makes the exit code non-zero (default: %(default)s)",
    )
    compare.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="overall confidence of the simultaneous intervals (default: %(default)s)",
    )
    compare.add_argument(
        "--family-size",
        type=int,
        default=None,
        metavar="N",
        help="judge as one of N comparisons (Bonferroni over N; default: the comparisons given; "
        "a calibration judges a few as the PR gate judges its whole family)",
    )
    compare.add_argument("--json", type=Path, metavar="PATH", help="write the JSON result here")
    compare.add_argument(
        "--markdown", type=Path, metavar="PATH", help="write the Markdown summary here"
    )
    compare.add_argument(
        "--allow-different-machines",
        action="store_true",
        help="pair results of different machines or CPU models (the ratio then includes them)",
    )


def run_compare(args: argparse.Namespace) -> int:
    from analysis import staging
    from analysis.rendering import github
    from analysis.views import regression_doc
    from analysis.views.regression import compare_paths, load_thresholds

    if args.threshold is not None and not 0 <= args.threshold < 1:
        raise AnalysisError(f"--threshold must be in [0, 1), e.g. 0.05; got {args.threshold}")
    if not 0.5 <= args.confidence < 1:
        raise AnalysisError(f"--confidence must be in [0.5, 1), got {args.confidence}")
    if args.family_size is not None and args.family_size < 1:
        raise AnalysisError(f"--family-size must be at least 1, got {args.family_size}")
    summary = github.step_summary_path()
    # Every output is checked before anything is loaded: a bad path is one line, exit 2.
    for path in (args.markdown, args.json, summary):
        if path is not None:
            staging.check_output_file(path)
    both = args.markdown is not None and args.json is not None
    if both and os.path.abspath(args.markdown) == os.path.abspath(args.json):
        raise AnalysisError(f"--json and --markdown name the same file ({args.json})")
    if summary is not None and not summary.parent.is_dir():
        raise AnalysisError(f"GITHUB_STEP_SUMMARY {summary}: its folder does not exist")
    comparison = compare_paths(
        [args.baseline],
        [args.candidate],
        thresholds=load_thresholds(args.thresholds, args.threshold),
        confidence=args.confidence,
        allow_different_machines=args.allow_different_machines,
        family_size=args.family_size,
    )
    out_dir = args.markdown.parent if args.markdown else Path.cwd()
    markdown = regression_doc.markdown(comparison, out_dir)
    outputs = {
        args.markdown: markdown,
        args.json: regression_doc.json_text(comparison, args.fail_on),
    }
    staging.write_files({path: text for path, text in outputs.items() if path is not None})
    if summary is not None:
        github.append_step_summary(summary, markdown)
    if github.in_actions():
        for line in github.annotations(comparison.rows):
            print(line)
    for note in comparison.notes:
        print(f"note: {note}", file=sys.stderr)
    print(comparison.headline())
    return comparison.exit_code(args.fail_on)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; any failure is one line (exit 2)."""
    from analysis import staging

    staging.write_files({path: text})


def default_output(results: Sequence[str]) -> Path:
    if len(results) == 1 and Path(results[0]).is_dir():
        return Path(results[0]) / "report"
    return Path("report")


def run_report(args: argparse.Namespace) -> int:
    from analysis.views.report import build_report  # heavy imports (matplotlib) only when needed

    settings = Settings(
        baseline=args.baseline or Settings().baseline,
        confidence=args.confidence,
        floor=args.floor,
    )
    out = args.output or default_output(args.results)
    report = build_report(
        args.results,
        out,
        settings,
        split_runs=args.split_runs,
        baseline_fallback=args.baseline is None,
    )
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
    # Both stop signals are handled first, before the parser imports the heavy modules
    # (pandas, matplotlib: seconds), and even where the shell started us with SIGINT ignored
    # (a background job), as `benchmarks run` does: a stop never leaves half a report.
    previous_term = signal.signal(signal.SIGTERM, _terminate)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        args = parser().parse_args(argv)
        if args.command == "compare":
            return run_compare(args)
        if args.command == "history":
            from analysis.views import history_report  # heavy imports (ruptures, matplotlib)

            return history_report.run(args)
        return run_report(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OverflowError:  # finite values so far apart that an interval's bound is infinite
        print(
            "error: the values are too far apart for finite intervals (values such as 1e300 and "
            "1e-300 per item overflow): the input files are corrupt or edited",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except (KeyboardInterrupt, Terminated) as stop:
        print("interrupted: no report written", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
