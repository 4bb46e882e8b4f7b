"""Run contexts: the groups (machine + Python, optionally run) within which runtimes compare.

Values measured on different machines or Python versions are never pooled into one ratio.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from analysis import fmt
from analysis.loading.load import Results

#: Columns that together identify a context by default: same machine, same Python.
DEFAULT_CONTEXT_COLUMNS: tuple[str, ...] = ("hostname", "python_implementation", "python_version")
#: Add this to compare each run on its own instead of pooling runs of the same machine + Python.
RUN_COLUMN = "suite_run_id"

_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}


def context_columns(split_runs: bool) -> tuple[str, ...]:
    return (*DEFAULT_CONTEXT_COLUMNS, RUN_COLUMN) if split_runs else DEFAULT_CONTEXT_COLUMNS


def _label(row: pd.Series, columns: Sequence[str]) -> str:
    implementation = str(row.get("python_implementation", "") or "")
    version = fmt.python_version(row["python_version"])
    python = f"{_IMPLEMENTATIONS.get(implementation, implementation)} {version}"
    label = f"{row['hostname']}, {python.strip()}"
    if RUN_COLUMN in columns:
        label += f", run {row[RUN_COLUMN]}"
    return label


def assign_context(results: Results, split_runs: bool = False) -> Results:
    """Add a ``context`` label column to the values and n/a cells of ``results``."""
    columns = context_columns(split_runs)
    values = results.values.copy()
    keys = values[list(columns)].drop_duplicates()
    keys["context"] = [_label(row, columns) for _, row in keys.iterrows()]
    values = values.merge(keys, on=list(columns), how="left")
    by_run = values.drop_duplicates(RUN_COLUMN).set_index(RUN_COLUMN)["context"].to_dict()
    na = results.na.copy()
    na["context"] = [by_run.get(run, f"run {run}") for run in na["suite_run_id"]]
    return dataclasses.replace(results, values=values, na=na)
