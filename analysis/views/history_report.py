"""``python -m analysis history``: trend plots, CSV and a Markdown/HTML page from many runs.

Files written to the output folder:

- ``history.md`` and ``history.html``: the method and penalty, the change points (largest first),
  every line with its number of runs and latest level, and the trend plots;
- ``history.csv``: one row per line x run (level, segment level, change flag, noise);
- ``changes.csv``: one row per change point;
- ``plots/trend-<machine>-<python>-<runtime>-<workload>.png`` (and ``.svg``): each line's run
  levels relative to its median, in run order, with its change points marked.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import fmt
from analysis.errors import AnalysisError
from analysis.loading.load import load_results
from analysis.rendering import render_html, render_md
from analysis.rendering.document import (
    Block,
    Facts,
    FigureBlock,
    Heading,
    Items,
    Paragraph,
    TableBlock,
)
from analysis.rendering.plots import Plot, save, slug
from analysis.rendering.tables import Table
from analysis.staging import check_output_folder, staged_folder
from analysis.views import history_simulation
from analysis.views.history import (
    LINE_KEYS,
    History,
    Method,
    build_history,
    lines_of,
)

TITLE = "Async runtime benchmarks: history"
#: One figure per machine x Python x runtime x workload: its parameter variants are its lines.
FIGURE_KEYS: tuple[str, ...] = ("metric", "platform", "python_version", "runtime", "workload")
_PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3")


@dataclass(frozen=True)
class HistoryReport:
    """What :func:`build_history_report` wrote."""

    history: History
    markdown: Path
    html: Path
    csv: Path
    changes_csv: Path
    plots: list[Plot]
    #: What loading had to say (files skipped, processes read twice, ...).
    notes: tuple[str, ...] = ()


def trend_figure(group: pd.DataFrame, title: str) -> Figure:
    """Each line's run levels relative to its median; change points as dashed verticals."""
    fig = Figure(figsize=(8, 3.6))
    ax = fig.add_subplot()
    positions = sorted(set(group["position"]))
    for index, (params, line) in enumerate(group.groupby("params", sort=True, dropna=False)):
        colour = _PALETTE[index % len(_PALETTE)]
        median = float(np.median(line["level"]))
        ax.plot(
            line["position"],
            line["level"] / median,
            marker="o",
            markersize=3,
            color=colour,
            label=str(params) or "default",
        )
        ax.step(
            line["position"],
            line["segment_level"] / median,
            where="post",
            color=colour,
            alpha=0.4,
            linewidth=2,
        )
        for position in line.loc[line["change_point"], "position"]:
            ax.axvline(position - 0.5, color=colour, linestyle="--", linewidth=1)
    ax.set_xticks(positions)
    labels = group.drop_duplicates("position").set_index("position")["suite_commit"]
    ax.set_xticklabels([str(labels[p])[:7] for p in positions], rotation=60, fontsize=7)
    metric = str(group["metric"].iloc[0]) if "metric" in group else "time"
    ax.set_ylabel(f"{'instructions' if metric == 'instructions' else 'time'} per item / median")
    ax.set_xlabel("run (suite commit), in commit-date order")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="best")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def draw_trends(history: History, folder: Path) -> list[Plot]:
    plots: list[Plot] = []
    for key, group in history.points.groupby(list(FIGURE_KEYS), sort=True, dropna=False):
        title = " · ".join(str(k) for k in key)
        stem = "trend-" + slug("-".join(str(k) for k in key))
        fig = trend_figure(group, title)
        family = str(group["workload_family"].iloc[0])
        plots.append(save(fig, folder, stem, title, kind="trend", family=family))
    return plots


def _table(title: str, frame: pd.DataFrame, notes: list[str] | None = None) -> Table:
    text = frame.reset_index(drop=True).fillna("").astype(str)
    css = pd.DataFrame("", index=text.index, columns=text.columns)
    return Table(title=title, text=text, css=css, notes=notes or [])


def changes_table(history: History) -> Table:
    changes = history.changes
    frame = pd.DataFrame(
        {
            "metric": changes["metric"],
            "platform": changes["platform"],
            "Python": changes["python_version"],
            "runtime": changes["runtime"],
            "benchmark": changes["benchmark"],
            "from commit": changes["commit_before"].astype(str).str[:10],
            "to commit": changes["commit"].astype(str).str[:10],
            "ratio (new/old)": [fmt.ratio(r) for r in changes["ratio"]],
            "direction": ["slower" if r > 1 else "faster" for r in changes["ratio"]],
        }
    )
    return _table("Change points, largest first", frame)


def lines_table(history: History) -> Table:
    rows = []
    for key, line in lines_of(history):
        named = dict(zip(LINE_KEYS, key, strict=True))
        last = line.iloc[-1]
        rows.append(
            {
                "metric": named["metric"],
                "platform": named["platform"],
                "Python": named["python_version"],
                "runtime": named["runtime"],
                "benchmark": named["benchmark"],
                "runs": str(len(line)),
                "latest": latest(named["metric"], float(last["level"])),
                "noise (sd of a run level)": f"{float(last['noise_sd']):.2%}",
                "change points": str(int(line["change_point"].sum())),
            }
        )
    return _table("Every line", pd.DataFrame(rows))


def latest(metric: object, level: float) -> str:
    """A line's latest level in its unit."""
    if metric == "instructions":
        return f"{level:,.0f} instructions"
    return fmt.seconds(level)


def simulated_rates(method: Method) -> Block:
    """The false-change and detection rates of the method in use, from the seeded simulation of
    :mod:`analysis.views.history_simulation` (stored by it in ``history_figures.json``)."""
    stored = history_simulation.stored_figures()
    if method != Method() or stored is None:
        return Paragraph(
            "**Measured rates.** This method was not simulated; "
            "`python -m analysis.views.history_simulation` measures the default one."
        )
    frame = pd.DataFrame(
        stored["rows"], columns=["run noise", "flat lines with a false change", "5% steps found"]
    )
    return TableBlock(
        _table(
            "Measured rates of this method (simulation)",
            frame,
            notes=[str(stored["settings"])],
        )
    )


def blocks(history: History, plots: Sequence[Plot], sources: Sequence[Path]) -> list[Block]:
    order = history.runs
    by_commit = int((order["ordered_by"] == "commit date").sum())
    result: list[Block] = [
        Heading(TITLE, 1),
        Paragraph("Runs with an injected slowdown (sensitivity checks) are left out."),
        Facts(
            [
                ("runs", f"{len(order)} ({by_commit} ordered by commit date, others by run date)"),
                ("lines", str(history.points.groupby(list(LINE_KEYS), dropna=False).ngroups)),
                ("change points", str(len(history.changes))),
            ]
        ),
        Paragraph(
            "A line is one metric x benchmark x runtime x Python x platform: for wall time the "
            "machine and its CPU model, for instruction counts the CPU architecture and the "
            "Valgrind that counted. A run's level is the geometric mean time (or instruction "
            "count) per item with the worker process as the unit (the mean of each process's "
            "mean log value). Each line's penalty and tests scale with the line's own noise."
        ),
        Paragraph(f"**Method.** {history.method.describe()}"),
        simulated_rates(history.method),
    ]
    if len(history.changes):
        result.append(TableBlock(changes_table(history)))
    else:
        result.append(Paragraph("No change point was found."))
    result.append(TableBlock(lines_table(history)))
    if plots:
        result.append(Heading("Trends", 2))
        result += [FigureBlock(p) for p in plots]
    result.append(Heading("Source files", 2))
    result.append(Items([str(s) for s in sources], code=True))
    return result


def build_history_report(
    paths: Sequence[str | Path], out_dir: str | Path, method: Method | None = None
) -> HistoryReport:
    """Load runs, find change points and write the page, CSV files and plots to ``out_dir``."""
    out = Path(out_dir)
    check_output_folder(out)  # before loading: a bad -o is one line and nothing is done
    results = load_results(paths)
    values = results.values
    injected = values["injected_slowdown"].astype(float) > 0
    if injected.all():
        raise AnalysisError("every run given has an injected slowdown; history needs real runs")
    history = build_history(values[~injected].reset_index(drop=True), method)
    columns = [*LINE_KEYS, "position", "suite_run_id", "suite_commit", "order_time", "ordered_by"]
    columns += ["processes", "level", "segment", "segment_level", "change_point", "noise_sd"]
    with staged_folder(out) as staging:  # all or nothing: a full disk keeps the old history
        history.points[columns].to_csv(staging / "history.csv", index=False)
        history.changes.to_csv(staging / "changes.csv", index=False)
        plots = draw_trends(history, staging / "plots")
        document = blocks(history, plots, results.sources)
        (staging / "history.md").write_text(render_md.render(document, staging), "utf-8")
        page = render_html.render(document).replace(render_html.TITLE, TITLE, 1)
        (staging / "history.html").write_text(page, "utf-8")

    def moved(path: Path) -> Path:
        return out / path.relative_to(staging)

    plots = [dataclasses.replace(p, png=moved(p.png), svg=moved(p.svg)) for p in plots]
    return HistoryReport(
        history,
        out / "history.md",
        out / "history.html",
        out / "history.csv",
        out / "changes.csv",
        plots,
        results.notes,
    )


def run(args: argparse.Namespace) -> int:
    method = Method(args.model, args.penalty, args.min_size, alpha=args.alpha)
    report = build_history_report(args.results, args.output, method)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    changes = len(report.history.changes)
    print(
        f"wrote {report.markdown}, {report.html}, {report.csv.name}, {report.changes_csv.name} "
        f"and {len(report.plots)} plots in {args.output}: {changes} change point(s)"
    )
    return 0
