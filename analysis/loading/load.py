"""Files and folders of pyperf JSON -> one tidy DataFrame (one row per measured value).

Columns come from metadata only; benchmark names are carried along but never parsed.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.loading.discover import discover
from analysis.loading.manifest import MISSING_KIND, NA_COLUMNS, incomplete_run, read_manifest
from analysis.loading.suite_file import PARAM_PREFIX, Record, params_label, read_suite_file

#: Leading columns of the tidy frame, in order; other metadata keys follow alphabetically.
LEADING_COLUMNS: tuple[str, ...] = (
    "metric",
    "runtime",
    "workload_family",
    "workload",
    "params",
    "value",
    "unit",
    "item_unit",
    "bytes_per_item",
    "requested_sleep_per_item",
    "run",
    "process_id",
    "value_index",
    "suite_mode",
    "suite_run_id",
    "suite_commit",
    "suite_commit_date",
    "suite_dirty",
    "machine",
    "injected_slowdown",
    "hostname",
    "cpu_model_name",
    "python_implementation",
    "python_version",
    "python_build",
    "anyio_version",
    "trio_version",
    "uvloop_version",
    "runtime_backend",
    "benchmark",
    "param_names",
    "loops",
    "inner_loops",
    "date",
    "source_file",
)
#: Columns filled with a placeholder when a file lacks them, so later code can rely on them.
DEFAULTS: dict[str, Any] = {
    "workload_family": "other",
    "unit": "second",
    "item_unit": "item",
    "suite_mode": "unknown",
    "suite_run_id": "unknown",
    "suite_commit": "unknown",
    "suite_commit_date": "unknown",
    "suite_dirty": "unknown",
    "machine": "unknown",
    "injected_slowdown": 0.0,
    "hostname": "unknown host",
    "cpu_model_name": "",
    "python_implementation": "",
    "python_version": "unknown",
    "python_build": "",
    "anyio_version": "",
    "trio_version": "",
    "uvloop_version": "",
}

#: Optional numeric metadata: always a float column, NaN where a benchmark lacks the key.
NUMERIC_OPTIONAL: tuple[str, ...] = ("bytes_per_item", "requested_sleep_per_item")


@dataclass(frozen=True)
class Results:
    """Everything loaded: the tidy values, the n/a cells and where they came from."""

    values: pd.DataFrame
    na: pd.DataFrame
    sources: tuple[Path, ...]
    manifests: tuple[Path, ...] = ()
    #: What loading had to say (e.g. worker processes found in more than one file).
    notes: tuple[str, ...] = ()
    #: Run ids whose manifest says the run stopped before its end (``complete: false``).
    incomplete: tuple[str, ...] = ()
    #: ``timer_accuracy.json`` files found next to the results (plain JSON, not pyperf).
    timer_accuracy: tuple[Path, ...] = ()

    @property
    def param_columns(self) -> list[str]:
        """The ``param_<name>`` columns of :attr:`values`."""
        return [c for c in self.values.columns if c.startswith(PARAM_PREFIX) and c != "param_names"]


def _param_column(series: pd.Series) -> pd.Series:
    """Integers stay integers (nullable), anything else becomes text."""
    present = series.dropna()
    numeric = len(present) > 0 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in present
    )
    if numeric and all(float(v).is_integer() for v in present):
        return series.astype("Float64").astype("Int64")
    if numeric:
        return series.astype("Float64")
    return series.map(lambda v: None if v is None or v != v else str(v)).astype("string")


def _sort_key(value: object) -> tuple[int, float, str]:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy scalars too
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _params_order(frame: pd.DataFrame, param_columns: list[str]) -> pd.Series:
    """A rank per (workload, params) that sorts sizes numerically, not as text."""
    keys = frame[["workload", "params", *param_columns]].drop_duplicates(["workload", "params"])

    def key(row: pd.Series) -> tuple[tuple[int, float, str], ...]:
        names = [n for n in str(frame.loc[row.name, "param_names"]).split(",") if n]
        return tuple(_sort_key(row.get(PARAM_PREFIX + n)) for n in names)

    ordered = sorted(keys.index, key=lambda i: key(keys.loc[i]))
    rank = {(keys.at[i, "workload"], keys.at[i, "params"]): r for r, i in enumerate(ordered)}
    return pd.Series(
        [rank[(w, p)] for w, p in zip(frame["workload"], frame["params"], strict=True)],
        index=frame.index,
        dtype="int64",
    )


def values_frame(records: list[Record]) -> pd.DataFrame:
    """The tidy frame from run records (:func:`read_suite_file`), one row per value, with stable
    column order and types. The metadata of a run is stored once per run until the frame is
    built, never once per value in Python dicts."""
    runs = pd.DataFrame.from_records(records).drop(columns=["name", "values"], errors="ignore")
    counts = np.fromiter((len(r["values"]) for r in records), dtype=np.int64, count=len(records))
    frame = runs.loc[runs.index.repeat(counts)].reset_index(drop=True)
    frame["value_index"] = np.concatenate([np.arange(n) for n in counts]) if len(counts) else []
    frame["value"] = np.fromiter(
        (v for r in records for v in r["values"]), dtype=float, count=int(counts.sum())
    )
    for column, default in DEFAULTS.items():
        if column not in frame:
            frame[column] = default
        else:
            frame[column] = frame[column].fillna(default)
    for column in NUMERIC_OPTIONAL:  # NaN where a benchmark does not declare it
        if column not in frame:
            frame[column] = float("nan")
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    params = sorted(c for c in frame.columns if c.startswith(PARAM_PREFIX) and c != "param_names")
    frame["params_order"] = _params_order(frame, params)
    frame["metric"] = metric_of(frame)
    for column in params:
        frame[column] = _param_column(frame[column])
    leading = [c for c in LEADING_COLUMNS if c in frame.columns]
    rest = sorted(c for c in frame.columns if c not in leading and c not in params)
    return frame[[*leading, *params, *rest]]


def na_frame(records: list[Record], values: pd.DataFrame) -> pd.DataFrame:
    """The n/a cells, labelled with parameters in the same order as the measured values."""
    frame = pd.DataFrame.from_records(records, columns=list(NA_COLUMNS))
    order = values.drop_duplicates("workload").set_index("workload")["param_names"].to_dict()

    def label(row: pd.Series) -> str:
        given: dict[str, Any] = row["param_values"]
        names = [n for n in str(order.get(row["workload"], "")).split(",") if n in given]
        names += [n for n in given if n not in names]
        return params_label(names, given)

    frame["params"] = [label(row) for _, row in frame.iterrows()] if len(frame) else []
    return frame.drop(columns="param_values")


def load_results(paths: Sequence[str | Path]) -> Results:
    """Load pyperf JSON files and folders of them (plus their manifests) into :class:`Results`.

    Raises :class:`analysis.AnalysisError` with a one-line message on any bad input.
    """
    inputs = discover(paths)
    records: list[Record] = []
    for path in inputs.suites:
        records.extend(read_suite_file(path))
    if not any(record["values"] for record in records):
        names = ", ".join(str(p) for p in inputs.suites)
        raise AnalysisError(f"{names}: no measured values (only warmups or calibration runs)")
    values, notes = drop_repeated_processes(values_frame(records))
    check_time_units(values)
    na_records: list[Record] = []
    for path in inputs.manifests:
        na_records.extend(read_manifest(path))
    incomplete = (incomplete_run(path) for path in inputs.manifests)
    return Results(
        values=values,
        na=na_frame(_not_measured(na_records, values), values),
        sources=inputs.suites,
        manifests=inputs.manifests,
        notes=(*inputs.notes, *notes),
        incomplete=tuple(run for run in incomplete if run is not None),
        timer_accuracy=inputs.timer_accuracy,
    )


def _not_measured(records: list[Record], values: pd.DataFrame) -> list[Record]:
    """Drop 'missing' cells that were measured after all (a run stopped while merging one)."""
    measured = set(zip(values["suite_run_id"], values["benchmark"], values["runtime"], strict=True))
    return [
        r
        for r in records
        if r["kind"] != MISSING_KIND
        or (r["suite_run_id"], r["benchmark"], r["runtime"]) not in measured
    ]


#: The unit of a timing; pyperf writes ``byte`` for --track-memory / --tracemalloc runs.
TIME_UNIT = "second"
#: pyperf's unit of instruction counts (``run --measure instructions``).
INSTRUCTIONS_UNIT = "integer"
#: The two metrics of the tidy frame's ``metric`` column.
TIME_METRIC, INSTRUCTIONS_METRIC = "time", "instructions"
#: Units the analysis accepts, and the metric each stands for.
METRIC_OF_UNIT: dict[str, str] = {TIME_UNIT: TIME_METRIC, INSTRUCTIONS_UNIT: INSTRUCTIONS_METRIC}


def metric_of(values: pd.DataFrame) -> pd.Series:
    """``time`` (seconds per item) or ``instructions`` (CPU instructions per item) per row."""
    return values["unit"].map(METRIC_OF_UNIT).fillna(TIME_METRIC).astype(str)


def check_time_units(values: pd.DataFrame) -> None:
    """Refuse values that are not times (memory peaks in bytes), naming their files."""
    units = values.groupby("source_file")["unit"].agg(lambda s: ", ".join(sorted(set(s))))
    others = units[~units.isin(list(METRIC_OF_UNIT))]
    if others.empty:
        return
    listed = "; ".join(f"{path} (unit: {unit})" for path, unit in others.items())
    times = units.index[units.isin(list(METRIC_OF_UNIT))]
    if len(times):
        raise AnalysisError(
            f"time and memory results are mixed: {listed} are not times, "
            f"{', '.join(times)} are; report them separately"
        )
    raise AnalysisError(
        f"{listed}: memory-tracking results (--track-memory/--tracemalloc), not times; "
        "this report compares times only"
    )


def drop_repeated_processes(values: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Keep one copy of each worker process read more than once (a copied run folder, a file
    given twice): the same evidence counts once. Returns the frame and a note when any was
    dropped."""
    first_file = values.groupby("process_id", sort=False)["source_file"].transform("first")
    repeated = values["source_file"] != first_file
    if not repeated.any():
        return values, []
    dropped = values[repeated]
    processes = dropped["process_id"].nunique()
    files = ", ".join(sorted(set(dropped["source_file"])))
    note = (
        f"{processes} worker process(es) appear in more than one file and were counted once "
        f"(repeated in {files})"
    )
    return values[~repeated].reset_index(drop=True), [note]
