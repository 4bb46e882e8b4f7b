"""A saved plot (its title, PNG and SVG files, kind and family) and the kinds of plot.

Apart from :mod:`analysis.rendering.plots` (which imports matplotlib) so that the documents
that only name plots, and ``python -m analysis compare`` (which draws none), need no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Plot:
    """A saved figure: its title, the PNG and SVG files, what it shows and for which family."""

    title: str
    png: Path
    svg: Path
    kind: str = ""  # RATIOS, HEATMAP or SCALING
    family: str = ""


RATIOS, HEATMAP, SCALING, SUMMARY = "ratios", "heatmap", "scaling", "summary"
