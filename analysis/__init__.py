"""Turn the suite's pyperf JSON files into comparison tables, plots and an HTML report.

Entry points:

* ``python -m analysis report RESULTS... [-o DIR]`` (see :mod:`analysis.cli`);
* :func:`load_results` - files or folders -> one tidy :class:`pandas.DataFrame` per value;
* :func:`compare` - ratios to the baseline runtime with process-level intervals and verdicts;
* :func:`build_report` - everything above written to a folder.
"""

from __future__ import annotations

from analysis.errors import AnalysisError
from analysis.load import Results, load_results
from analysis.report import build_report
from analysis.stats import Comparison, Settings, compare

__all__ = [
    "AnalysisError",
    "Comparison",
    "Results",
    "Settings",
    "build_report",
    "compare",
    "load_results",
]
