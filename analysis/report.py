"""Build the whole report folder: tables, plots, report.md, report.html, CSV/Parquet."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis import document, plots, render_html, render_md, versions, versions_view
from analysis.context import assign_context
from analysis.export import write_tables
from analysis.load import Results, load_results
from analysis.staging import check_target, staged_folder
from analysis.stats import Comparison, Settings, compare


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
    results = assign_context(load_results(paths), split_runs=split_runs)
    settings = settings or Settings()
    preferred = settings.baseline
    fallback = default_baseline(results, preferred) if baseline_fallback else None
    if fallback is not None:
        settings = dataclasses.replace(settings, baseline=fallback)
    comparison = compare(results, settings)
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
