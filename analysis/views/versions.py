"""Across Python versions: each runtime's time (or instructions) per item on every version, and
the ratio of each version to the oldest one loaded, with a verdict. Each metric is its own
cell: wall time and instruction counts are never pooled.

A view over the statistics core (:mod:`analysis.statistics.evidence`), like ``report`` and
``compare``: it chooses what is paired with what, never how evidence is weighed.

* **Paired with what.** Within one machine (hostname and implementation) and one runtime, each
  benchmark on each Python version is compared with the same benchmark on the *oldest* version
  loaded (so every ratio column reads "this version against the oldest", and two columns can be
  read against each other). Runtimes are never pooled: a version may speed up asyncio and slow
  trio, and each runtime gets its own ratio.
* **Evidence.** Each worker process is one unit (:func:`evidence.process_summaries`); absolute
  times are :func:`evidence.level` with its process-level t interval, ratios are
  :func:`evidence.cell_contrast` decided by :func:`evidence.decide_table`. Versions measured
  apart (one run each) are not interleaved: their wall-time ratio is shown with "not
  interleaved: no verdict" unless each version has at least three runs (runs are then the
  replicates); versions interleaved in one ``ab`` run pair on their blocks.
* **Multiplicity.** The family of simultaneous intervals is every version comparison of one
  machine (all runtimes, benchmarks and versions), as the report's family is every comparison of
  one machine and Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import fmt
from analysis.loading.load import Results
from analysis.statistics import evidence
from analysis.statistics.verdict import RUNTIME_LABELS

#: A machine: its host name and Python implementation (the version varies within it).
MACHINE_COLUMNS: list[str] = ["hostname", "python_implementation"]
#: One benchmark on one runtime of one machine.
CELL_COLUMNS: list[str] = [
    *MACHINE_COLUMNS,
    "runtime",
    "metric",  # wall time and instructions are never pooled either
    "workload_family",
    "workload",
    "params",
    "params_order",
    "item_unit",
]
VERSION = "version"


@dataclass(frozen=True)
class Versions:
    """Times per version and ratios to the oldest version, per machine and runtime."""

    times: pd.DataFrame  # CELL_COLUMNS, version, n_processes, time, time_low, time_high
    ratios: pd.DataFrame  # CELL_COLUMNS, version, baseline_version, decide_table's columns
    confidence: float
    floor: float

    def machines(self) -> list[tuple[str, str]]:
        keys = self.times[MACHINE_COLUMNS].drop_duplicates().itertuples(index=False)
        return sorted((str(h), str(i)) for h, i in keys)


def version_key(version: str) -> tuple[int, ...]:
    """``3.10.13`` sorts after ``3.9.18``."""
    parts = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def with_versions(values: pd.DataFrame) -> pd.DataFrame:
    """The tidy values with a ``version`` column (``3.12.1``, no word size) and a ``metric``."""
    values = values.assign(**{VERSION: values["python_version"].map(fmt.python_version)})
    if "metric" not in values:
        values = values.assign(metric="time")
    return values


def has_several_versions(results: Results) -> bool:
    """Whether one machine holds values of more than one Python version."""
    values = with_versions(results.values)
    if values.empty:
        return False
    counts = values.groupby(MACHINE_COLUMNS, dropna=False)[VERSION].nunique()
    return bool((counts > 1).any())


def across_versions(results: Results, confidence: float = 0.95, floor: float = 0.02) -> Versions:
    """Times per version and ratios to the oldest version of each machine."""
    values = with_versions(results.values)
    keys = [*CELL_COLUMNS, VERSION]
    summaries = evidence.process_summaries(values, keys)
    time_rows: list[dict[str, object]] = []
    processes_of: dict[tuple[object, ...], pd.DataFrame] = {}
    for key, group in summaries.groupby(keys, sort=True, dropna=False):
        logs = group["log_mean"].to_numpy(float)
        processes_of[key] = group
        estimate = evidence.level(logs)
        low, high = evidence.interval(estimate, confidence)
        row: dict[str, object] = dict(zip(keys, key, strict=True))
        row.update(
            n_processes=len(logs),
            time=math.exp(estimate.log_diff),
            time_low=math.exp(low),
            time_high=math.exp(high),
        )
        time_rows.append(row)
    times = pd.DataFrame.from_records(time_rows, columns=[*keys, "n_processes", "time",
                                                          "time_low", "time_high"])  # fmt: skip
    ratio_rows: list[dict[str, object]] = []
    for _machine, mine in times.groupby(MACHINE_COLUMNS, sort=True, dropna=False):
        versions = sorted(set(mine[VERSION]), key=version_key)
        oldest = versions[0]
        for cell, rows in mine.groupby(CELL_COLUMNS, sort=True, dropna=False):
            if oldest not in set(rows[VERSION]):
                continue
            base = processes_of[(*cell, oldest)]
            for version in versions[1:]:
                if version not in set(rows[VERSION]):
                    continue
                mine = processes_of[(*cell, version)]
                estimate = evidence.cell_contrast(mine, base)
                row = dict(zip(CELL_COLUMNS, cell, strict=True))
                row.update(
                    version=version,
                    baseline_version=oldest,
                    **evidence.estimate_fields(estimate),
                    n_processes=len(mine),
                    n_processes_baseline=len(base),
                    n_runs=mine["suite_run_id"].nunique(),
                    n_runs_baseline=base["suite_run_id"].nunique(),
                    floor=floor,
                )
                ratio_rows.append(row)
    columns = [*CELL_COLUMNS, VERSION, "baseline_version", "log_diff", "se", "df", "paired",
               "unit", "reason", "n_processes", "n_processes_baseline", "n_runs",
               "n_runs_baseline", "floor"]  # fmt: skip
    ratios = pd.DataFrame.from_records(ratio_rows, columns=columns)
    if not ratios.empty:
        ratios = evidence.decide_table(ratios, MACHINE_COLUMNS, confidence, RUNTIME_LABELS)
    return Versions(times=times, ratios=ratios, confidence=confidence, floor=floor)


def write_tables(versions: Versions, out: Path) -> list[Path]:
    """``versions_times.csv`` and ``versions_ratios.csv`` in ``out``."""
    written = []
    for name, frame in (("times", versions.times), ("ratios", versions.ratios)):
        path = out / f"versions_{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    return written
