"""Build the whole report folder: tables, plots, report.md, report.html, CSV/Parquet."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.loading.load import INSTRUCTIONS_METRIC, TIME_METRIC, Results, load_results
from analysis.rendering import document, plots, render_html, render_md
from analysis.rendering.export import write_tables
from analysis.staging import check_target, staged_folder
from analysis.statistics.context import assign_context
from analysis.statistics.stats import Comparison, Settings, compare
from analysis.views import instructions_view, versions, versions_view


@dataclass(frozen=True)
class Report:
    """What :func:`build_report` wrote."""

    comparison: Comparison
    markdown: Path
    html: Path
    data: list[Path]
    plots: list[plots.Plot]


def default_baseline(results: Results, preferred: str) -> str | None:
    """The first runtime measured, when ``preferred`` was not measured at all (else None)."""
    measured = list(dict.fromkeys(results.values["runtime"].astype(str)))
    if not measured or preferred in measured:
        return None
    return measured[0]


def build_report(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    settings: Settings | None = None,
    split_runs: bool = False,
    baseline_fallback: bool = False,
) -> Report:
    """Load ``paths`` (pyperf JSON files or folders), compare, and write everything to ``out_dir``.

    Everything is written to a hidden folder next to ``out_dir`` first and moved into place at
    the end, so a failure leaves no partial file. Raises :class:`analysis.AnalysisError` on bad
    input or an output folder that cannot be written. With ``baseline_fallback`` (no baseline
    was asked for), results without the default baseline are compared with the first runtime
    measured instead, with a note.
    """
    out = Path(out_dir)
    check_target(out)
    loaded = assign_context(load_results(paths), split_runs=split_runs)
    by_metric = split_metrics(loaded)
    timed = by_metric.get(TIME_METRIC)
    counted = by_metric.get(INSTRUCTIONS_METRIC)
    settings = settings or Settings()
    # Wall time is the headline; a run of instruction counts alone is reported on those.
    results = timed if timed is not None else counted
    assert results is not None
    preferred = settings.baseline
    fallback = default_baseline(results, preferred) if baseline_fallback else None
    if fallback is not None:
        settings = dataclasses.replace(settings, baseline=fallback)
    comparison = compare(results, settings)
    counted_comparison = None if counted is None else compare(counted, settings)
    if fallback is not None:
        comparison.notes.insert(
            0, f"baseline: {fallback}, the first runtime measured ({preferred} was not measured)"
        )
    with staged_folder(out) as staging:
        data = write_tables(comparison, staging)
        figures = plots.draw_all(comparison, staging / "plots")
        extra: list[document.Block] = []
        drawn = [p for mine in figures.values() for p in mine]
        if versions.has_several_versions(results):
            used = comparison.settings
            across = versions.across_versions(results, used.confidence, used.floor)
            version_figures = versions_view.draw(across, staging / "plots")
            extra = versions_view.blocks(across, version_figures)
            data += versions.write_tables(across, staging)
            drawn += [p for mine in version_figures.values() for p in mine]
        if counted_comparison is not None:
            time_side = comparison if timed is not None else None
            extra = [*instruction_blocks(time_side, counted_comparison), *extra]
            data += write_instruction_tables(time_side, counted_comparison, staging)
        blocks = document.build(comparison, figures, extra)
        (staging / "report.md").write_text(render_md.render(blocks, staging), encoding="utf-8")
        (staging / "report.html").write_text(render_html.render(blocks), encoding="utf-8")

    def moved(path: Path) -> Path:
        return out / path.relative_to(staging)

    return Report(
        comparison=comparison,
        markdown=out / "report.md",
        html=out / "report.html",
        data=[moved(path) for path in data],
        plots=[dataclasses.replace(p, png=moved(p.png), svg=moved(p.svg)) for p in drawn],
    )


def split_metrics(results: Results) -> dict[str, Results]:
    """The results of each metric present (``time``, ``instructions``), n/a cells by measure."""
    parts: dict[str, Results] = {}
    for metric, values in results.values.groupby("metric", sort=True):
        na = results.na
        if "measure" in na:
            na = na[na["measure"].fillna(TIME_METRIC) == metric]
        elif metric != TIME_METRIC:
            na = na.iloc[0:0]
        parts[str(metric)] = dataclasses.replace(
            results, values=values.reset_index(drop=True), na=na.reset_index(drop=True)
        )
    return parts


def instruction_blocks(time: Comparison | None, counted: Comparison) -> list[document.Block]:
    """The report's section on the instructions channel."""
    blocks: list[document.Block] = [
        document.Heading("CPU instructions per item (the deterministic channel)", 2),
        document.Paragraph(
            "Counted by callgrind in the same timed region, one instrumented process per "
            "runtime running every benchmark. Counts do not drift with the machine's load, so "
            "they are the witness for gates and history; wall time stays the headline. Where "
            "the two channels' intervals do not overlap, the cell waits (files, threads, "
            "sockets, sleeps: no instructions) or its time goes to memory and branches."
        ),
    ]
    blocks += [document.TableBlock(table) for table in instructions_view.tables(time, counted)]
    return blocks


def write_instruction_tables(
    time: Comparison | None, counted: Comparison, folder: Path
) -> list[Path]:
    """``instructions.csv``: both channels per cell."""
    path = folder / "instructions.csv"
    instructions_view.side_by_side(time, counted).to_csv(path, index=False, float_format="%.6g")
    return [path]
