"""GitHub Actions: workflow-command annotations and the job step summary.

Only active when ``GITHUB_ACTIONS`` is ``true`` (annotations) or ``GITHUB_STEP_SUMMARY`` names
a file (summary), as the runner sets them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis import fmt, staging
from analysis.statistics.verdict import INCONCLUSIVE, REGRESSION

#: At most this many annotations of each kind (GitHub shows only the first few per step).
MAX_ANNOTATIONS = 50


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, title: str, message: str) -> str:
    """``::error title=...::message``, escaped as the workflow-command syntax requires."""
    return f"::{level} title={_escape_property(title)}::{_escape_data(message)}"


def annotations(rows: pd.DataFrame) -> list[str]:
    """An error per regression and a warning per inconclusive comparison (capped)."""
    lines: list[str] = []
    for verdict, level in ((REGRESSION, "error"), (INCONCLUSIVE, "warning")):
        mine = rows[rows["verdict"] == verdict]
        for row in mine.head(MAX_ANNOTATIONS).itertuples():
            interval = fmt.interval(row.ci_low, row.ci_high)
            lines.append(
                annotation(
                    level,
                    f"{verdict}: {row.benchmark} on {row.runtime}",
                    f"{row.ratio:.3f}x ({interval}) against a threshold of "
                    f"{fmt.percent(row.threshold)} ({row.python})",
                )
            )
        if len(mine) > MAX_ANNOTATIONS:
            lines.append(
                annotation(level, f"{len(mine) - MAX_ANNOTATIONS} more {verdict}", "see summary")
            )
    return lines


def in_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def step_summary_path(environ: Mapping[str, str] | None = None) -> Path | None:
    value = (environ if environ is not None else os.environ).get("GITHUB_STEP_SUMMARY")
    return Path(value) if value else None


def append_step_summary(path: Path, markdown: str) -> None:
    """Append to the job summary file (the runner collects it after the step); a summary that
    cannot be written is an :class:`analysis.staging.OutputError` of one line."""
    staging.append_text(path, markdown)
