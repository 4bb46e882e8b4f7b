"""Text from metadata as literal Markdown: the one escaping function of the rendering layer.

Benchmark names, parameters, runtimes, host names, CPU models, file names and notes come from
files anyone can edit. In Markdown (``report.md``, ``history.md``, the compare summary and the
GitHub step summary) each such string goes through :func:`literal`, so that it reads as the
same characters and never as emphasis, a link, an image, a heading, a table cell break, math
or raw HTML. The HTML renderer reads the same escapes back (:func:`unescape_to_html`).
"""

from __future__ import annotations

import html
import re

#: Characters with a meaning in GitHub-flavoured Markdown wherever they stand in a line (``$``
#: opens math on GitHub, ``~`` strikes through, ``|`` ends a table cell).
_ALWAYS = re.compile(r"([\\`*\[\]#|~$!{}])")
#: ``_`` opens emphasis only next to a non-word character (``async_generator`` is safe).
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
#: A backslash escape as CommonMark reads it: a backslash before ASCII punctuation.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def literal(text: str) -> str:
    """``text`` as literal inline Markdown on one line: Markdown punctuation is backslash-
    escaped, ``&``, ``<`` and ``>`` become entities, line breaks become spaces."""
    out = " ".join(str(text).splitlines())
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _ALWAYS.sub(r"\\\1", out)
    return _UNDERSCORE.sub(r"\\_", out)


def unescape_to_html(text: str, markup: bool = True) -> str:
    """Inline Markdown of the report (``**strong**``, ``*em*``, ```code```, backslash escapes and
    entities from :func:`literal`) as HTML."""
    plain = html.unescape(text).replace("\x00", "\ufffd")
    escaped: list[str] = []

    def hold(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\x00{len(escaped) - 1}\x00"

    held = html.escape(_ESCAPE.sub(hold, plain))
    if markup:
        held = re.sub(r"`([^`]+)`", r"<code>\1</code>", held)
        held = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", held)
        held = re.sub(r"\*([^*]+)\*", r"<em>\1</em>", held)
    return re.sub(r"\x00(\d+)\x00", lambda m: html.escape(escaped[int(m.group(1))]), held)
