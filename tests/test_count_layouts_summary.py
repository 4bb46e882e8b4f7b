"""A process's instruction counts are one per layout: the statistics core takes their median."""

from __future__ import annotations

import math

import pandas as pd

from analysis.statistics import evidence


def frame(metric: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({
        "benchmark": "b", "process_id": 0, "suite_run_id": "r", "value": values,
        evidence.METRIC: metric,
    })  # fmt: skip


def test_a_collision_in_one_layout_of_three_is_left_out_of_the_process_value() -> None:
    counts = frame("instructions", [100.0, 104.8, 100.2])
    summary = evidence.process_summaries(counts, ["benchmark"])
    assert math.isclose(summary["log_mean"].iloc[0], math.log(100.2))


def test_wall_times_keep_the_mean_of_their_logs() -> None:
    summary = evidence.process_summaries(frame("time", [100.0, 104.8, 100.2]), ["benchmark"])
    expected = (math.log(100.0) + math.log(104.8) + math.log(100.2)) / 3
    assert math.isclose(summary["log_mean"].iloc[0], expected)
    assert "log_median" not in summary
