"""Render the report blocks as GitHub-flavoured Markdown."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from analysis.rendering.document import (
    Block,
    Details,
    Facts,
    FigureBlock,
    Heading,
    Items,
    Paragraph,
    TableBlock,
)
from analysis.rendering.markup import literal
from analysis.rendering.tables import Table

_EMPHASIS = {"v-faster", "v-slower", "v-regression", "v-improvement"}


def escape(text: str) -> str:
    """Plain text (a cell, a heading, a title, a fact) as literal Markdown: no raw HTML, no
    emphasis or links, no cell breaks (:func:`analysis.rendering.markup.literal`)."""
    return literal(text)


def inline(text: str) -> str:
    """Inline Markup the views wrote (``**bold**``, code spans; metadata in it already went
    through :func:`analysis.rendering.markup.literal`): raw HTML becomes entities, one line."""
    one_line = " ".join(text.splitlines())
    return one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table(block: Table) -> str:
    """A pipe table; significant verdict cells in bold."""
    columns = list(block.text.columns)
    lines = [
        f"**{escape(block.title)}**",
        "",
        _row([escape(c) for c in columns]),
        _row(["---"] * len(columns)),
    ]
    for (_, text), (_, css) in zip(block.text.iterrows(), block.css.iterrows(), strict=True):
        cells = []
        for column in columns:
            cell = escape(str(text[column]))
            cells.append(f"**{cell}**" if css[column] in _EMPHASIS and cell else cell)
        lines.append(_row(cells))
    lines += [""] + [f"- {inline(note)}" for note in block.notes]
    return "\n".join(lines).rstrip() + "\n"


def _facts(pairs: list[tuple[str, str]]) -> str:
    lines = [_row(["", ""]), _row(["---", "---"])]
    lines += [_row([f"**{escape(label)}**", escape(value)]) for label, value in pairs]
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """A file name as a code span (raw HTML is shown, not rendered, inside one)."""
    text = " ".join(text.splitlines())
    fence = "``" if "`" in text else "`"
    return f"- {fence} {text} {fence}" if fence == "``" else f"- `{text}`"


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def render(blocks: Sequence[Block], out_dir: Path) -> str:
    """The whole report; figure links are relative to ``out_dir`` (where report.md goes)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {escape(block.text)}\n")
        elif isinstance(block, Paragraph):
            parts.append(inline(block.text) + "\n")
        elif isinstance(block, Facts):
            parts.append(_facts(block.pairs))
        elif isinstance(block, Items):
            title = [f"**{escape(block.title)}**", ""] if block.title else []
            items = [_code(i) if block.code else f"- {escape(i)}" for i in block.items]
            parts.append("\n".join(title + items) + "\n")
        elif isinstance(block, TableBlock):
            parts.append(table(block.table))
        elif isinstance(block, Details):
            inner = render(block.blocks, out_dir)
            parts.append(
                f"<details><summary>{inline(block.summary)}</summary>\n\n{inner}\n</details>\n"
            )
        elif isinstance(block, FigureBlock):
            png = _relative(block.plot.png, out_dir)
            svg = _relative(block.plot.svg, out_dir)
            title = escape(block.plot.title)
            parts.append(f"![{title}]({png})\n\n[{title} as SVG]({svg})\n")
    return "\n".join(parts)
