"""Render the report blocks as one self-contained HTML page (inline CSS, embedded PNGs)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

from analysis.rendering import markup
from analysis.rendering.document import (
    TITLE,
    Block,
    Details,
    Facts,
    FigureBlock,
    Heading,
    Items,
    Paragraph,
    TableBlock,
)
from analysis.rendering.tables import Table

STYLE = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328;
       max-width: 1200px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.7em; border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }
h2 { font-size: 1.35em; border-bottom: 1px solid #d0d7de; padding-bottom: .3em; margin-top: 2em; }
.table-title { font-weight: 600; margin: 1.6em 0 .4em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin-bottom: .5em; }
th, td { border: 1px solid #d0d7de; padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
tbody tr:nth-child(even) td { background-color: #fbfbfc; }
td.v-faster { background: #dff3e4; color: #0b5a23; font-weight: 600; }
td.v-slower { background: #fde4e1; color: #8a1c12; font-weight: 600; }
td.v-regression { background: #fde4e1; color: #8a1c12; font-weight: 600; }
td.v-improvement { background: #dff3e4; color: #0b5a23; font-weight: 600; }
td.v-equivalent, td.v-inconclusive, td.v-too-few-processes,
td.v-no-baseline-value { color: #57606a; }
td.na { color: #8c959f; font-style: italic; }
table.facts th { text-align: right; position: static; }
.notes { font-size: 13px; color: #57606a; margin-top: 0; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eaeef2; }
figcaption { font-size: 13px; color: #57606a; }
code { font-size: 12px; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
.legend span { padding: 1px 6px; border-radius: 3px; }
"""


def inline(text: str) -> str:
    """Escape ``text`` and turn the report's Markdown emphasis, code and the escapes of
    :func:`analysis.rendering.markup.literal` into HTML."""
    return markup.unescape_to_html(text)


def table(block: Table) -> str:
    columns = list(block.text.columns)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for (_, text), (_, css) in zip(block.text.iterrows(), block.css.iterrows(), strict=True):
        cells = "".join(
            f'<td class="{html.escape(css[c])}">{html.escape(str(text[c]))}</td>'
            if css[c]
            else f"<td>{html.escape(str(text[c]))}</td>"
            for c in columns
        )
        rows.append(f"<tr>{cells}</tr>")
    notes = "".join(f"<li>{inline(n)}</li>" for n in block.notes)
    return (
        f'<p class="table-title">{html.escape(block.title)}</p>\n<div class="scroll"><table>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        + (f'<ul class="notes">{notes}</ul>' if notes else "")
    )


def _facts(pairs: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in pairs)
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def _figure(block: FigureBlock) -> str:
    data = base64.b64encode(block.plot.png.read_bytes()).decode("ascii")
    title = html.escape(block.plot.title)
    return (
        f'<figure><img alt="{title}" src="data:image/png;base64,{data}">'
        f"<figcaption>{title} (also as <code>{html.escape(block.plot.svg.name)}</code>)"
        "</figcaption></figure>"
    )


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{inline(block.text)}</p>"
    if isinstance(block, Facts):
        return _facts(block.pairs)
    if isinstance(block, Items):
        items = "".join(
            (
                f"<li><code>{html.escape(i)}</code></li>"
                if block.code
                else f"<li>{html.escape(i)}</li>"
            )
            for i in block.items
        )
        title = f'<p class="table-title">{html.escape(block.title)}</p>' if block.title else ""
        return f"{title}<ul>{items}</ul>"
    if isinstance(block, TableBlock):
        return table(block.table)
    if isinstance(block, Details):
        inner = "\n".join(_block(b) for b in block.blocks)
        return f"<details><summary>{inline(block.summary)}</summary>{inner}</details>"
    return _figure(block)


def render(blocks: Sequence[Block]) -> str:
    """The whole page; it loads nothing from the network."""
    body = "\n".join(_block(b) for b in blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(TITLE)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )
