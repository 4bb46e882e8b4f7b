"""How far instruction counts move with a change outside the measured code: ``python -m
analysis.views.history_shift BASE VARIANT [VARIANT ...]``.

Counts repeat exactly for one history of a process (the same code, environment and plan), but
a change that the measured code never runs (one more import anywhere in the process) moves
allocation-heavy cells by about 1%: pymalloc's pools, the type attribute cache and the string
hashes of ``sys.modules`` start from another state (docs/instructions.md, "Counts and the
process's history"). A pull request that touches an unrelated module makes exactly such a
change, so an instruction threshold below that shift is a false alarm waiting to happen.

This view pairs one instruction run (``BASE``) with runs of the same code under other histories
(``VARIANT``: ``run --measure instructions`` with ``AITER_BENCH_HISTORY_IMPORTS`` naming a
module the suite never imports; ``--group`` adds another base and its variants, another
selection for one) and gives, per benchmark (over its runtimes), the largest shift
of the per-item count, where it was, and the threshold it calls for: ``margin`` times the
largest shift (by default 2: with shifts spread like a normal law, the largest of ten is about
2 standard deviations, twice it about 4, which hardly one cell in 10 000 exceeds), rounded up
to a tenth of a percent, and never below the threshold ``thresholds.toml`` gives it already. Its
output is the table in docs/instructions.md and the ``[instructions.overrides]`` lines of
``analysis/views/thresholds.toml``, with the result folders they came from.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.loading.load import Results, load_results
from analysis.statistics.evidence import INSTRUCTIONS, process_summaries
from analysis.views.regression import Thresholds, load_thresholds

#: The default margin over the largest shift measured.
DEFAULT_MARGIN = 2.0
#: Thresholds are rounded up to this step.
STEP = 0.001
COLUMNS = ["benchmark", "runtime"]
#: What must be the same for two counts to differ only by the process's history.
SAME_CODE = ("suite_commit", "python_executable", "valgrind")


def per_item_counts(results: Results, source: str) -> pd.Series:
    """The count per item of every benchmark x runtime of instruction results, summarised as
    ``compare`` summarises it: each process by the minimum of its layouts
    (:func:`~analysis.statistics.evidence.process_summaries`), the cell by the geometric mean of
    its processes. The mean of every value would add a collision that falls in one layout to
    the shift, which the gate never sees."""
    values = results.values
    if "metric" in values:
        values = values[values["metric"] == INSTRUCTIONS]
    if values.empty:
        raise AnalysisError(f"{source}: no instruction counts in it (run --measure instructions)")
    processes = process_summaries(values, COLUMNS)
    return np.exp(processes.groupby(COLUMNS)["log_mean"].mean())


def code_of(results: Results) -> dict[str, str]:
    """The commit, interpreter and Valgrind a folder's counts come from."""
    values = results.values
    return {
        column: ", ".join(sorted(set(values[column].dropna().astype(str))))
        for column in SAME_CODE
        if column in values
    }


def check_same_code(base: Results, base_source: str, results: Results, source: str) -> None:
    """Refuse a variant counted from other code (or interpreter, or Valgrind) than its base: its
    shift would not be the history's alone."""
    mine, theirs = code_of(results), code_of(base)
    for column in SAME_CODE:
        if mine.get(column) != theirs.get(column):
            raise AnalysisError(
                f"{source}: {column} {mine.get(column) or 'unknown'} differs from the base's "
                f"({base_source}: {theirs.get(column) or 'unknown'}); a history shift compares "
                "counts of the same code from the same interpreter"
            )


def history_label(results: Results, source: str) -> str:
    """What a run's processes imported before the regions' imports (``-`` for none)."""
    values = results.values
    if "count_history_imports" not in values:
        return "-"
    labels = set(values["count_history_imports"].dropna().astype(str))
    return ", ".join(sorted(labels)) or "-"


def pattern_of(benchmark: str) -> str:
    """A ``thresholds.toml`` pattern that matches exactly this benchmark name (its brackets,
    which a glob reads as a character class, matched by ``?``)."""
    return benchmark.replace("[", "?").replace("]", "?")


def rounded_up(value: float, step: float = STEP) -> float:
    """``value`` rounded up to a multiple of ``step``."""
    return round(math.ceil(value / step - 1e-9) * step, 6)


def shift_table(
    groups: list[tuple[pd.Series, dict[str, pd.Series]]],
    thresholds: Thresholds,
    margin: float = DEFAULT_MARGIN,
) -> pd.DataFrame:
    """Per benchmark: the largest relative shift of a variant's count from its group's base,
    over every group, runtime and variant, where it was, and the threshold it calls for."""
    shifts = []
    for base, variants in groups:
        for label, counts in variants.items():
            common = base.index.intersection(counts.index)
            ratio = counts[common] / base[common] - 1.0
            shifts.append(pd.DataFrame({"shift": ratio, "variant": label}).reset_index())
    frame = pd.concat(shifts, ignore_index=True)
    frame["size"] = frame["shift"].abs()
    largest = frame.loc[frame.groupby("benchmark")["size"].idxmax()]
    rows = []
    for row in largest.itertuples(index=False):
        current = thresholds.for_benchmark(str(row.benchmark), INSTRUCTIONS)
        needed = rounded_up(margin * float(row.size))
        rows.append({
            "benchmark": row.benchmark,
            "largest_shift": float(row.shift),
            "runtime": row.runtime,
            "variant": row.variant,
            "threshold_now": current,
            "threshold_needed": max(current, needed),
        })  # fmt: skip
    return pd.DataFrame(rows).sort_values("benchmark", ignore_index=True)


def markdown(table: pd.DataFrame, sources: list[tuple[str, dict[str, str]]], margin: float) -> str:
    lines = [
        *(
            f"Base `{base}`, variants "
            + ", ".join(f"`{path}` ({label})" for label, path in variants.items())
            + "."
            for base, variants in sources
        ),
        "",
        f"Threshold = {margin:g} x the largest shift, rounded up to {STEP:.1%}, at least today's.",
        "",
        "| benchmark | largest shift | on | variant | threshold now | threshold needed |",
        "|---|---:|---|---|---:|---:|",
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"| `{row.benchmark}` | {row.largest_shift:+.2%} | {row.runtime} | {row.variant} | "
            f"{row.threshold_now:.1%} | {row.threshold_needed:.1%} |"
        )
    return "\n".join(lines) + "\n"


def overrides(table: pd.DataFrame) -> str:
    """The ``[instructions.overrides]`` lines of the benchmarks whose threshold must rise."""
    raised = table[table["threshold_needed"] > table["threshold_now"]]
    return "".join(
        f'"{pattern_of(str(row.benchmark))}" = {row.threshold_needed:g}'
        f"  # largest shift {row.largest_shift:+.2%} ({row.runtime}, {row.variant})\n"
        for row in raised.itertuples(index=False)
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.views.history_shift",
        description="the largest shift of instruction counts between a base run and runs of the "
        "same code under other process histories, per benchmark, and the threshold it calls for",
    )
    parser.add_argument("base", type=Path, help="instruction results of the base history")
    parser.add_argument("variants", type=Path, nargs="+", help="the same code, other histories")
    parser.add_argument(
        "--group",
        nargs="+",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="another base and its variants (another selection, say): BASE VARIANT ...",
    )
    parser.add_argument(
        "--margin",
        type=float,
        default=DEFAULT_MARGIN,
        help=f"threshold = margin x largest shift (default {DEFAULT_MARGIN:g})",
    )
    parser.add_argument("--thresholds", type=Path, help="default: analysis/views/thresholds.toml")
    parser.add_argument("--json", type=Path, help="write the table as JSON here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not (math.isfinite(args.margin) and args.margin > 0):
            raise AnalysisError(f"--margin must be a positive number such as 2, got {args.margin}")
        thresholds = load_thresholds(args.thresholds)
        folders = [[args.base, *args.variants], *args.group]
        if any(len(group) < 2 for group in folders):
            raise AnalysisError("--group needs a base and at least one variant")
        groups, sources = [], []
        for number, (base_folder, *variant_folders) in enumerate(folders):
            base_results = load_results([base_folder])
            base = per_item_counts(base_results, str(base_folder))
            variants, paths = {}, {}
            for folder in variant_folders:
                results = load_results([folder])
                check_same_code(base_results, str(base_folder), results, str(folder))
                label = history_label(results, str(folder))
                if number:
                    label = f"{label}, group {number + 1}"
                if label in variants:
                    label = f"{label} ({folder.name})"
                variants[label] = per_item_counts(results, str(folder))
                paths[label] = str(folder)
            groups.append((base, variants))
            sources.append((str(base_folder), paths))
        table = shift_table(groups, thresholds, args.margin)
        text = markdown(table, sources, args.margin)
        if args.json is not None:
            document = {
                "groups": [{"base": base, "variants": paths} for base, paths in sources],
                "margin": args.margin,
                "benchmarks": table.to_dict(orient="records"),
            }
            try:
                args.json.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
            except OSError as exc:
                raise AnalysisError(f"{args.json}: cannot write ({exc.strerror})") from None
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    raised = overrides(table)
    if raised:
        sys.stdout.write("\n[instructions.overrides] lines for thresholds.toml:\n" + raised)
    return 0


if __name__ == "__main__":
    sys.exit(main())
