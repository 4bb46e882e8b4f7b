"""``compare``'s outputs: the document (Markdown / step summary), JSON, and size control.

The Markdown is a rendering of the shared document model (:mod:`analysis.rendering.document`): the
one-line verdict first, then regressions by severity, improvements, and everything else folded
in ``<details>``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import fmt
from analysis.rendering import render_md
from analysis.rendering.document import Block, Details, Heading, Items, Paragraph, TableBlock
from analysis.rendering.markup import literal
from analysis.rendering.tables import Table, css_class
from analysis.statistics import evidence
from analysis.statistics.verdict import IMPROVEMENT, INCONCLUSIVE, REGRESSION
from analysis.views.regression import DEFAULT_THRESHOLDS, Comparison

#: GitHub refuses a step summary above 1 MiB; stay clear of it.
STEP_SUMMARY_LIMIT = 1024 * 1024
SIZE_BUDGET = 1000 * 1000

TITLE = "Benchmark comparison: candidate against baseline"


def _cell(row: pd.Series) -> str:
    if math.isnan(row["ci_low"]):
        return f"{fmt.ratio(row['ratio'])} {row['verdict']}"
    text = f"{fmt.ratio(row['ratio'])} ({fmt.interval(row['ci_low'], row['ci_high'])})"
    if row["verdict"] == INCONCLUSIVE:
        text += f", detectable {fmt.percent(row['detectable'])}"
    return text


def rows_table(title: str, rows: pd.DataFrame, notes: list[str] | None = None) -> Table:
    """One line per comparison: benchmark, runtime, Python, times, ratio (interval), verdict."""
    text = pd.DataFrame(
        {
            "benchmark": rows["benchmark"].astype(str),
            "runtime": rows["runtime"].astype(str),
            "Python": rows["python"].astype(str),
            "metric": rows["metric"].astype(str),
            "baseline": [
                fmt.per_item(v, m)
                for v, m in zip(rows["time_baseline"], rows["metric"], strict=True)
            ],
            "candidate": [
                fmt.per_item(v, m)
                for v, m in zip(rows["time_candidate"], rows["metric"], strict=True)
            ],
            "ratio (interval)": [_cell(r) for _, r in rows.iterrows()],
            "threshold": rows["threshold"].map(fmt.percent),
            "verdict": rows["verdict"].astype(str),
        }
    ).reset_index(drop=True)
    css = pd.DataFrame("", index=text.index, columns=text.columns)
    css["verdict"] = [css_class(v) for v in text["verdict"]]
    return Table(title=title, text=text, css=css, notes=notes or [])


def method(comparison: Comparison) -> str:
    rows = comparison.rows
    size = int(rows["se"].notna().sum())
    level = rows["decision_confidence"].dropna()
    each = f"{level.iloc[0]:.4%}" if len(level) else "n/a"
    return (
        f"{_summarised(rows)} Intervals are "
        f"t intervals ({_pairing(rows)}), Bonferroni-simultaneous over all {size} "
        "comparisons "
        f"(each {each}, overall {comparison.confidence:.0%}). Regression: the interval lies "
        "wholly above 1 and its upper end above 1 + threshold (shown to be slower, and not "
        "shown to stay under the threshold); improvement: the mirror image; equivalent: the "
        "interval lies wholly inside [1/(1 + threshold), 1 + threshold]; inconclusive: neither. "
        "Thresholds: default "
        f"{fmt.percent(comparison.thresholds.default)} for time, "
        f"{fmt.percent(comparison.thresholds.instructions_default)} for instruction counts, "
        f"overrides from {literal(_shown(comparison.thresholds.source))}."
    )


def _shown(source: str) -> str:
    """The thresholds file as a reader can find it: the suite's own file by its path in the
    suite (not this machine's), any other file (or ``built-in``) as given."""
    path = Path(source)
    if path.is_absolute() and path.resolve() == DEFAULT_THRESHOLDS.resolve():
        return DEFAULT_THRESHOLDS.relative_to(Path(__file__).parents[2]).as_posix()
    return str(path)


def _summarised(rows: pd.DataFrame) -> str:
    """What a ratio is the ratio of, and how a process is summarised, for the metrics present."""
    metrics = set(rows["metric"].astype(str)) if "metric" in rows else {evidence.TIME}
    parts = []
    if metrics - {evidence.INSTRUCTIONS}:
        parts.append(
            "Ratio = candidate / baseline geometric-mean time per item (above 1 is slower); "
            "each worker process is summarised by the mean log time of its values."
        )
    if evidence.INSTRUCTIONS in metrics:
        parts.append(
            "For instruction counts the ratio is of instructions per item, and each "
            "instrumented process is summarised by the minimum of its layouts (a collision in "
            "the type attribute cache only adds instructions; docs/instructions.md)."
        )
    return " ".join(parts)


def build(comparison: Comparison, max_detail_rows: int | None = None) -> list[Block]:
    """The document; ``max_detail_rows`` caps the folded table (for the size limit)."""
    rows = comparison.rows
    blocks: list[Block] = [
        Heading(TITLE, 2),
        Paragraph(f"**{literal(comparison.headline())}**"),
        Paragraph(method(comparison)),
    ]
    regressions = comparison.regressions
    if len(regressions):
        blocks.append(TableBlock(rows_table("Regressions, worst first", regressions)))
    improvements = comparison.improvements
    if len(improvements):
        blocks.append(TableBlock(rows_table("Improvements", improvements)))
    rest = rows[~rows["verdict"].isin([REGRESSION, IMPROVEMENT])]
    rest = rest.sort_values(["verdict", "benchmark", "runtime"])
    if len(rest):
        notes = []
        if max_detail_rows is not None and len(rest) > max_detail_rows:
            notes.append(
                f"{len(rest) - max_detail_rows} more rows left out to keep this summary under "
                "GitHub's 1 MiB limit; the JSON output has every row."
            )
            rest = rest.iloc[:max_detail_rows]
        blocks.append(
            Details(
                f"{len(rows) - len(regressions) - len(improvements)} other comparisons "
                "(equivalent, inconclusive, too few processes)",
                [TableBlock(rows_table("Other comparisons", rest, notes))],
            )
        )
    extra = list(comparison.notes)
    if comparison.only_baseline:
        extra.append(f"only in the baseline: {', '.join(comparison.only_baseline)}")
    if comparison.only_candidate:
        extra.append(f"only in the candidate: {', '.join(comparison.only_candidate)}")
    if extra:
        blocks.append(Items(extra, title="Notes"))
    return blocks


def markdown(comparison: Comparison, out_dir: Path, budget: int = SIZE_BUDGET) -> str:
    """The Markdown summary, folded rows cut until it fits ``budget`` bytes."""
    cap: int | None = None
    while True:
        text = render_md.render(build(comparison, cap), out_dir)
        if len(text.encode("utf-8")) <= budget:
            return text
        others = len(comparison.rows)
        cap = others // 2 if cap is None else cap // 2
        if cap == 0:
            return render_md.render(build(comparison, 0), out_dir)


def to_json(comparison: Comparison, fail_on: str) -> dict[str, Any]:
    """Everything for machines: the verdict, the exit code, every row."""
    columns = [
        "metric", "workload_family", "workload", "params", "benchmark", "runtime", "python",
        "n_processes_baseline", "n_processes_candidate", "time_baseline", "time_candidate",
        "ratio", "ci_low", "ci_high", "ci95_low", "ci95_high", "threshold", "detectable", "paired",
        "decision_confidence", "verdict", "unit", "n_runs_baseline", "n_runs_candidate",
        "family_size", "multiplicity", "p_value", "p_adjusted",
    ]  # fmt: skip
    rows = comparison.rows[columns].astype(object)
    records = rows.where(rows.notna(), None).to_dict(orient="records")
    return {
        "headline": comparison.headline(),
        "exit_code": comparison.exit_code(fail_on),
        "fail_on": fail_on,
        "confidence": comparison.confidence,
        "rule": f"regression: {evidence.RULE_MEANING[evidence.GATE]}",
        "comparisons": len(comparison.rows),
        "counts": comparison.rows["verdict"].value_counts().to_dict(),
        "thresholds": {
            "default": comparison.thresholds.default,
            "overrides": dict(comparison.thresholds.overrides),
            "instructions_default": comparison.thresholds.instructions_default,
            "instructions_overrides": dict(comparison.thresholds.instructions_overrides),
            "source": _shown(comparison.thresholds.source),
        },
        "only_baseline": comparison.only_baseline,
        "only_candidate": comparison.only_candidate,
        "notes": comparison.notes,
        "baseline_sources": [str(p) for p in comparison.baseline_sources],
        "candidate_sources": [str(p) for p in comparison.candidate_sources],
        "rows": records,
    }


def json_text(comparison: Comparison, fail_on: str) -> str:
    return json.dumps(to_json(comparison, fail_on), indent=2) + "\n"


def _pairing(rows: pd.DataFrame) -> str:
    """The units of evidence the comparisons rested on (see evidence.cell_contrast)."""
    units = rows["unit"].value_counts() if "unit" in rows else pd.Series(dtype=int)
    words = {
        evidence.UNIT_BLOCK: "Yuen's trimmed paired t within interleaved blocks",
        evidence.UNIT_RUN: "Welch's or paired t with runs as replicates (runs made apart)",
        evidence.UNIT_PROCESS: "Welch's t on worker processes",
        evidence.UNIT_NONE: f"{evidence.NOT_INTERLEAVED} (one or two runs per side)",
    }
    parts = [f"{words.get(str(u), str(u))} for {n}" for u, n in units.items()]
    return "; ".join(parts) if parts else "no comparison"
