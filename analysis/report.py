"""Build the whole report folder: tables, plots, report.md, report.html, CSV/Parquet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis import document, plots, render_html, render_md
from analysis.context import assign_context
from analysis.export import write_tables
from analysis.load import load_results
from analysis.stats import Comparison, Settings, compare


@dataclass(frozen=True)
class Report:
    """What :func:`build_report` wrote."""

    comparison: Comparison
    markdown: Path
    html: Path
    data: list[Path]
    plots: list[plots.Plot]


def build_report(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    settings: Settings | None = None,
    split_runs: bool = False,
) -> Report:
    """Load ``paths`` (pyperf JSON files or folders), compare, and write everything to ``out_dir``.

    Raises :class:`analysis.AnalysisError` on bad input.
    """
    out = Path(out_dir)
    results = assign_context(load_results(paths), split_runs=split_runs)
    comparison = compare(results, settings or Settings())
    out.mkdir(parents=True, exist_ok=True)
    data = write_tables(comparison, out)
    figures = plots.draw_all(comparison, out / "plots")
    blocks = document.build(comparison, figures)
    markdown = out / "report.md"
    markdown.write_text(render_md.render(blocks, out), encoding="utf-8")
    page = out / "report.html"
    page.write_text(render_html.render(blocks), encoding="utf-8")
    return Report(
        comparison=comparison,
        markdown=markdown,
        html=page,
        data=data,
        plots=[p for mine in figures.values() for p in mine],
    )
