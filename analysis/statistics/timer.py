"""Timer accuracy: requested against achieved sleep per runtime (``timer_accuracy.json``).

Latency-bound cells (``timer_bound``) measure how a runtime's timer rounds a sleep, not its
speed; this table shows that behaviour directly, so a "faster" latency cell can be read as what
it is (for example a runtime that wakes a 2 ms sleep after 1.1 ms).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis import fmt
from analysis.errors import AnalysisError
from analysis.table_model import Table

COLUMNS = ["machine", "python", "runtime", "requested", "median", "minimum", "early", "file"]


def read_timer_accuracy(paths: Sequence[Path]) -> pd.DataFrame:
    """One row per machine x Python x runtime x requested sleep."""
    rows: list[dict[str, object]] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for runtime, points in data["runtimes"].items():
                for point in points:
                    rows.append(
                        {
                            "machine": str(data.get("machine", "")),
                            "python": str(data.get("python", "")),
                            "runtime": runtime,
                            "requested": float(point["requested_s"]),
                            "median": float(point["median_s"]),
                            "minimum": float(point["min_s"]),
                            "early": float(point.get("early_fraction", float("nan"))),
                            "file": str(path),
                        }
                    )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AnalysisError(f"{path}: not a valid timer_accuracy.json ({exc})") from None
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


def timer_table(frame: pd.DataFrame, measured: Sequence[str] | None = None) -> Table | None:
    """Requested sleep x runtime: median (minimum) achieved, and the share that woke early.

    With ``measured``, only those runtimes get a column: a runtime the run did not benchmark
    has no cell to explain.
    """
    if measured is not None:
        frame = frame[frame["runtime"].isin(list(measured))]
    if frame.empty:
        return None
    frame = frame.assign(
        cell=[
            f"{fmt.seconds(r.median)} (min {fmt.seconds(r.minimum)}, early {fmt.percent(r.early)})"
            for r in frame.itertuples()
        ]
    )
    wide = frame.pivot_table(
        index=["machine", "python", "requested"], columns="runtime", values="cell", aggfunc="first"
    ).reset_index()
    wide["requested"] = wide["requested"].map(fmt.seconds)
    wide.columns.name = None
    text = wide.rename(columns={"requested": "sleep requested"}).fillna("").astype(str)
    css = pd.DataFrame("", index=text.index, columns=text.columns)
    return Table(
        title="Timer accuracy: achieved anyio.sleep per runtime",
        text=text,
        css=css,
        notes=[
            "Median (minimum) time a requested sleep really took inside one running loop, and "
            "the share of sleeps that woke before the time requested. Latency-bound cells "
            "(delay=latency) measure this behaviour, not speed, and stay out of geometric means.",
        ],
    )
