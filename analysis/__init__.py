"""Turn the suite's pyperf JSON files into comparison tables, plots and an HTML report.

Entry points:

* ``python -m analysis report RESULTS... [-o DIR]`` (see :mod:`analysis.cli`);
* :func:`load_results` - files or folders -> one tidy :class:`pandas.DataFrame` per value;
* :func:`compare` - ratios to the baseline runtime with process-level intervals and verdicts;
* :func:`build_report` - everything above written to a folder.

The names are imported on first use (PEP 562), so ``import analysis.staging`` or
``analysis.errors`` costs no pandas or matplotlib, and the command line can install its signal
handlers before the heavy imports start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from analysis.errors import AnalysisError

if TYPE_CHECKING:
    from analysis.loading.load import Results, load_results
    from analysis.statistics.settings import Settings
    from analysis.statistics.stats import Comparison, compare
    from analysis.views.report import build_report

_LAZY: dict[str, str] = {
    "Results": "analysis.loading.load",
    "load_results": "analysis.loading.load",
    "build_report": "analysis.views.report",
    "Comparison": "analysis.statistics.stats",
    "Settings": "analysis.statistics.settings",
    "compare": "analysis.statistics.stats",
}

__all__ = [
    "AnalysisError",
    "Comparison",
    "Results",
    "Settings",
    "build_report",
    "compare",
    "load_results",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
