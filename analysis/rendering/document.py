"""The report as a sequence of blocks, rendered alike to Markdown and HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.rendering import header, headline, tables
from analysis.rendering.markup import literal
from analysis.rendering.plot_files import HEATMAP, RATIOS, SCALING, SUMMARY, Plot
from analysis.statistics import layers, timer
from analysis.statistics.stats import Comparison
from analysis.statistics.verdict import EQUIVALENT, FASTER, INCONCLUSIVE, SLOWER, TOO_FEW


@dataclass(frozen=True)
class Heading:
    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Facts:
    """Label/value pairs (machine, Python, ...)."""

    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Items:
    """A bullet list; ``code`` items are file names."""

    items: list[str]
    code: bool = False
    title: str = ""


@dataclass(frozen=True)
class TableBlock:
    table: tables.Table


@dataclass(frozen=True)
class FigureBlock:
    plot: Plot


@dataclass(frozen=True)
class Details:
    """Blocks folded under a summary line (``<details>``)."""

    summary: str
    blocks: list[Heading | Paragraph | Facts | Items | TableBlock | FigureBlock]


Block = Heading | Paragraph | Facts | Items | TableBlock | FigureBlock | Details

TITLE = "Async runtime benchmarks"


def legend(comparison: Comparison) -> str:
    floor = f"{comparison.settings.floor:.0%}"
    return (
        f"Verdicts: **{FASTER}** / **{SLOWER}** - the whole interval is beyond the {floor} "
        f"floor; *{EQUIVALENT}* - the whole interval is within {floor}; *{INCONCLUSIVE}* - "
        f"neither, with the smallest difference this data could detect; *{TOO_FEW}* - fewer "
        "than two worker processes on a side (e.g. a debug-single-value run). Cells read: "
        "ratio (simultaneous interval) verdict."
    )


def _context_blocks(
    comparison: Comparison, context: str, plots: list[Plot], level: int
) -> list[Block]:
    blocks: list[Block] = [
        Heading(context, level),
        Facts(header.context_facts(comparison, context)),
    ]
    warning = header.control_warning(comparison, context)
    if warning is not None:
        blocks.append(Paragraph(f"**Warning:** {literal(warning)}"))
    blocks += [TableBlock(tables.geomean_table(comparison, context))]
    blocks += [TableBlock(tables.ratio_table(comparison, context))]
    controls = tables.control_table(comparison, context)
    if controls is not None:
        blocks.append(TableBlock(controls))
    layer = layers.anyio_cost_table(
        comparison.layers, context, tables.runtimes(comparison, context)
    )
    if layer is not None:
        blocks.append(TableBlock(layer))
    order = {kind: i for i, kind in enumerate((RATIOS, HEATMAP, SCALING))}
    plots = [p for p in plots if p.kind != SUMMARY]  # the summary figure opens the report
    for family in sorted({p.family for p in plots}):
        mine = sorted((p for p in plots if p.family == family), key=lambda p: order.get(p.kind, 9))
        blocks.append(Heading(f"Figures: {family}" if family else "Figures", level + 1))
        blocks += [FigureBlock(p) for p in mine]
    blocks.append(Heading("Times per item, throughput and concurrency", level + 1))
    blocks += [TableBlock(tables.absolute_table(comparison, context))]
    for extra in (
        tables.throughput_table(comparison, context),
        tables.concurrency_table(comparison, context),
        tables.na_table(comparison, context),
    ):
        if extra is not None:
            blocks.append(TableBlock(extra))
    return blocks


def _answer_blocks(
    comparison: Comparison, context: str, plots: list[Plot], named: bool
) -> list[Block]:
    """The headline sentences of one context, then its one summary figure."""
    blocks: list[Block] = []
    sentences = " ".join(headline.sentences(comparison, context))
    if sentences:
        text = literal(sentences)
        blocks.append(Paragraph(f"**{literal(context)}.** {text}" if named else text))
    blocks += [FigureBlock(p) for p in plots if p.kind == SUMMARY]
    return blocks


def build(
    comparison: Comparison, plots: dict[str, list[Plot]], extra: Sequence[Block] = ()
) -> list[Block]:
    """Every block of the report, in reading order: the answer (headline sentences and one
    figure), the tables and figures per context, ``extra`` sections, then the method (folded)
    and the sources."""
    contexts = sorted(set(comparison.results.values["context"]))
    blocks: list[Block] = [Heading(f"{TITLE}: ratio to {comparison.settings.baseline}", 1)]
    for context in contexts:
        blocks += _answer_blocks(comparison, context, plots.get(context, []), len(contexts) > 1)
    if comparison.notes:
        blocks.append(Items(comparison.notes, title="Notes"))
    if len(contexts) > 1:
        blocks.append(
            Paragraph(
                f"{len(contexts)} machine/Python contexts are loaded; each is compared on its own."
            )
        )
    for context in contexts:
        blocks += _context_blocks(comparison, context, plots.get(context, []), 2)
    timers = timer.timer_table(comparison.timers, _measured_runtimes(comparison))
    if timers is not None:
        blocks.append(Heading("Timer accuracy", 2))
        blocks.append(TableBlock(timers))
    blocks += list(extra)
    blocks.append(Heading("Method", 2))
    blocks.append(
        Details(
            "How ratios, intervals and verdicts are computed",
            [Paragraph(header.method(comparison)), Paragraph(legend(comparison))],
        )
    )
    blocks.append(Heading("Source files", 2))
    blocks.append(Items(header.sources(comparison), code=True))
    return blocks


def _measured_runtimes(comparison: Comparison) -> list[str]:
    return sorted(set(comparison.results.values["runtime"]))
