"""The report's two channels side by side: wall-time ratios and instruction-count ratios.

A view: it pairs what the statistics core (:func:`analysis.statistics.stats.compare`) has already
decided for each metric, runtime against the baseline, and never computes an interval itself. Per
cell it shows the wall-time ratio and the instructions ratio with their intervals, and marks the
cells where the two intervals do not overlap. Instructions count CPU work only: waiting on a
file, a sleep, a thread or a socket costs time but no instructions, and cache misses or branch
mispredictions cost time without more instructions. Where they disagree, the cell is marked
"not CPU-bound: instructions do not predict time here" (for waits) or "disagree" (otherwise).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import fmt
from analysis.statistics.stats import Comparison
from analysis.table_model import Table

#: What identifies a cell in both channels.
CELL_KEY: list[str] = ["context", "workload_family", "workload", "params", "runtime"]
#: The families whose items wait (threads, files, sockets, sleeps) rather than compute.
WAITING_FAMILIES: frozenset[str] = frozenset({"io", "streams"})
AGREE, NOT_CPU_BOUND, DISAGREE = (
    "agree",
    "not CPU-bound: instructions do not predict time here",
    "disagree",
)


def side_by_side(time: Comparison | None, counted: Comparison) -> pd.DataFrame:
    """One row per benchmark x runtime: both ratios, their intervals and their agreement."""
    columns = [*CELL_KEY, "ratio", "ci_low", "ci_high", "verdict"]
    instr = counted.speed_ratios[columns].rename(
        columns={c: f"{c}_instructions" for c in columns[len(CELL_KEY) :]}
    )
    if time is None:
        instr["agreement"] = "no wall time in these results"
        return instr.reset_index(drop=True)
    wall = time.speed_ratios[columns].rename(
        columns={c: f"{c}_time" for c in columns[len(CELL_KEY) :]}
    )
    table = instr.merge(wall, on=CELL_KEY, how="left")
    table["agreement"] = [_agreement(row) for _, row in table.iterrows()]
    return table.reset_index(drop=True)


def _agreement(row: pd.Series) -> str:
    low, high = row.get("ci_low_time"), row.get("ci_high_time")
    ilow, ihigh = row["ci_low_instructions"], row["ci_high_instructions"]
    if low is None or any(math.isnan(float(v)) for v in (low, high, ilow, ihigh)):
        return "no interval"
    if float(ilow) <= float(high) and float(low) <= float(ihigh):
        return AGREE
    return NOT_CPU_BOUND if row["workload_family"] in WAITING_FAMILIES else DISAGREE


def _interval(ratio: object, low: object, high: object) -> str:
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "n/a"
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return fmt.ratio(float(ratio))  # type: ignore[arg-type]
    return f"{fmt.ratio(float(ratio))} ({fmt.interval(float(low), float(high))})"  # type: ignore[arg-type]


def geomeans(time: Comparison | None, counted: Comparison) -> pd.DataFrame:
    """Per runtime: the geometric mean of the instructions ratios beside the wall-time one."""
    instr = counted.geomeans[counted.geomeans["workload_family"] == "all"]
    rows = []
    for _, row in instr.iterrows():
        wall = None
        if time is not None:
            match = time.geomeans[
                (time.geomeans["workload_family"] == "all")
                & (time.geomeans["runtime"] == row["runtime"])
            ]
            wall = match.iloc[0] if len(match) else None
        rows.append(
            {
                "runtime": row["runtime"],
                "baseline": row["baseline"],
                "instructions": _interval(row["geomean"], row["noise_low"], row["noise_high"]),
                "wall time": "n/a"
                if wall is None
                else _interval(wall["geomean"], wall["noise_low"], wall["noise_high"]),
                "benchmarks": int(row["benchmarks"]),
            }
        )
    return pd.DataFrame(
        rows, columns=["runtime", "baseline", "instructions", "wall time", "benchmarks"]
    )


def _no_classes(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame("", index=frame.index, columns=frame.columns)


def tables(time: Comparison | None, counted: Comparison) -> list[Table]:
    """The summary per runtime and the table per cell, for the report."""
    summary = geomeans(time, counted)
    cells = side_by_side(time, counted)
    detail = pd.DataFrame(
        {
            "benchmark": (cells["workload"].astype(str) + "[" + cells["params"].astype(str) + "]"),
            "runtime": cells["runtime"].astype(str),
            "instructions": [
                _interval(
                    r["ratio_instructions"], r["ci_low_instructions"], r["ci_high_instructions"]
                )
                for _, r in cells.iterrows()
            ],
            "wall time": [
                _interval(r.get("ratio_time"), r.get("ci_low_time"), r.get("ci_high_time"))
                for _, r in cells.iterrows()
            ],
            "agreement": cells["agreement"].astype(str),
        }
    )
    return [
        Table(
            title="Instructions and wall time per runtime (geometric means over common benchmarks)",
            text=summary,
            css=_no_classes(summary),
            notes=[],
        ),
        Table(
            title="Instructions and wall time per benchmark",
            text=detail,
            css=_no_classes(detail),
            notes=[
                "Ratios to the baseline runtime with their simultaneous intervals. Instructions "
                "count CPU work only: waiting on files, sleeps, threads and sockets costs time "
                "but no instructions."
            ],
        ),
    ]
