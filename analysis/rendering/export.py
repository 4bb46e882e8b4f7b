"""The tidy data and the computed tables as CSV (and Parquet when pyarrow is installed).

The tidy frame repeats every fact about a worker process (runtime, benchmark, parameters,
machine, Python, library versions, file, ...) on each of its values. Written so, the CSV grows
with values x metadata: a 50 MB input became a 600 MB ``results.csv``. So the CSV is split as
the data is: ``results.csv`` holds one row per value (``process_id``, ``value_index``,
``value``) and ``processes.csv`` one row per worker process with everything else; joined on
``process_id`` they are the tidy frame again. ``results.parquet`` (columnar, compressed) keeps
the whole tidy frame in one file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from analysis.statistics.stats import Comparison

#: Ten significant digits: beyond any measurement's precision, and short of the last-bit noise
#: of a float sum, so the same data writes the same bytes on any machine.
CSV_FLOAT_FORMAT = "%.10g"
#: The columns of ``results.csv``: what differs between the values of one worker process.
VALUE_COLUMNS: tuple[str, ...] = ("process_id", "value_index", "value")


def has_parquet() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def split_values(values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per value, one row per worker process) of the tidy frame."""
    per_value = values[list(VALUE_COLUMNS)]
    rest = [c for c in values.columns if c not in VALUE_COLUMNS[1:]]
    processes = values[rest].drop_duplicates("process_id").reset_index(drop=True)
    return per_value, processes


def write_tables(comparison: Comparison, out_dir: Path) -> list[Path]:
    """``results.csv`` + ``processes.csv`` (+ ``results.parquet``); plus the computed tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    values = comparison.results.values
    per_value, processes = split_values(values)
    frames: dict[str, pd.DataFrame] = {
        "results": per_value,
        "processes": processes,
        "ratios": comparison.ratios,
        "absolute": comparison.absolute,
        "geomeans": comparison.geomeans,
        "concurrency": comparison.concurrency,
        "na": comparison.results.na,
    }
    for name, frame in frames.items():
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False, float_format=CSV_FLOAT_FORMAT)
        written.append(path)
    if has_parquet():
        path = out_dir / "results.parquet"
        values.to_parquet(path, index=False)
        written.append(path)
    return written
