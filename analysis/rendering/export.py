"""The tidy data and the computed tables as CSV (and Parquet when pyarrow is installed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from analysis.statistics.stats import Comparison

#: Ten significant digits: beyond any measurement's precision, and short of the last-bit noise
#: of a float sum, so the same data writes the same bytes on any machine.
CSV_FLOAT_FORMAT = "%.10g"


def has_parquet() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def write_tables(comparison: Comparison, out_dir: Path) -> list[Path]:
    """``results.csv`` (+ ``results.parquet``): one row per value; plus the computed tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    values = comparison.results.values
    frames: dict[str, pd.DataFrame] = {
        "results": values,
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
