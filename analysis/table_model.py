"""A table of the report as display text plus a CSS class per cell (the verdict)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Table:
    """Display text and per-cell CSS classes (same shape), with a title and footnotes."""

    title: str
    text: pd.DataFrame
    css: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def css_class(verdict: str) -> str:
    """``no significant difference`` -> ``v-no-significant-difference``."""
    return "v-" + verdict.replace(" ", "-")
