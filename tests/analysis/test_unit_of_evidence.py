"""The unit of evidence: blocks, runs made apart, and deterministic instruction counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.statistics import evidence
from analysis.statistics.verdict import VERSION_LABELS


def processes(logs, runs, blocks=None, metric=None) -> pd.DataFrame:
    frame = pd.DataFrame({"log_mean": logs, "suite_run_id": runs})
    frame[evidence.BLOCK] = blocks if blocks is not None else None
    if metric:
        frame[evidence.METRIC] = metric
    return frame


def test_one_run_per_side_of_wall_time_gets_no_verdict_but_its_ratio() -> None:
    rng = np.random.default_rng(1)
    mine = processes(0.5 + rng.normal(0, 0.01, 12), ["r2"] * 12)
    base = processes(rng.normal(0, 0.01, 12), ["r1"] * 12)
    estimate = evidence.cell_contrast(mine, base)
    assert estimate.reason == evidence.NOT_INTERLEAVED and estimate.unit == evidence.UNIT_NONE
    assert estimate.log_diff == pytest.approx(0.5, abs=0.02)
    table = evidence.decide_table(
        pd.DataFrame([{**evidence.estimate_fields(estimate), "floor": 0.05}]), [], 0.95,
        VERSION_LABELS, evidence.GATE,
    )  # fmt: skip
    assert table["verdict"].iloc[0] == evidence.NOT_INTERLEAVED
    assert table["ratio"].iloc[0] == pytest.approx(math.exp(estimate.log_diff))
    assert table["family_size"].iloc[0] == 0  # it does not widen the others' intervals


def test_three_runs_per_side_are_the_replicates() -> None:
    rng = np.random.default_rng(2)
    run_shift = {"a": 0.03, "b": -0.02, "c": 0.0, "x": 0.01, "y": -0.03, "z": 0.02}
    mine = processes([run_shift[r] + rng.normal(0, 0.01) for r in "xyz" for _ in range(4)],
                     [r for r in "xyz" for _ in range(4)])  # fmt: skip
    base = processes([run_shift[r] + rng.normal(0, 0.01) for r in "abc" for _ in range(4)],
                     [r for r in "abc" for _ in range(4)])  # fmt: skip
    estimate = evidence.cell_contrast(mine, base)
    assert estimate.unit == evidence.UNIT_RUN and (estimate.n, estimate.n_base) == (3, 3)
    levels = mine.groupby("suite_run_id")["log_mean"].mean()
    base_levels = base.groupby("suite_run_id")["log_mean"].mean()
    assert estimate.log_diff == pytest.approx(levels.mean() - base_levels.mean())
    # the run-to-run spread, not the process spread, sets the error
    assert estimate.se > 0.01


def test_interleaved_sides_pair_on_their_blocks_even_across_runs() -> None:
    blocks = [f"ab|x|{i}" for i in range(6)]
    mine = processes(np.linspace(0.1, 0.2, 6) + 0.05, ["c"] * 6, blocks)
    base = processes(np.linspace(0.1, 0.2, 6), ["b"] * 6, blocks)
    estimate = evidence.cell_contrast(mine, base)
    assert estimate.paired and estimate.unit == evidence.UNIT_BLOCK
    assert estimate.log_diff == pytest.approx(0.05)


def test_instruction_counts_keep_processes_as_replicates_across_runs() -> None:
    mine = processes(np.log([1040.0, 1041.0, 1040.0, 1042.0]), ["r2"] * 4, metric="instructions")
    base = processes(np.log([1000.0, 1001.0, 1000.0, 1000.0]), ["r1"] * 4, metric="instructions")
    estimate = evidence.cell_contrast(mine, base)
    assert estimate.reason is None and estimate.unit == evidence.UNIT_PROCESS
    assert estimate.se > 0


@pytest.mark.parametrize(
    ("count", "expected"), [(1030.0, "equivalent"), (1100.0, "regression"), (1000.0, "equivalent")]
)
def test_deterministic_instruction_cells_get_an_exact_interval_and_a_decision(
    count: float, expected: str
) -> None:
    """Every process counts the same: the interval has zero width (no NaN, no crash) and the
    verdict is the threshold's."""
    mine = processes(np.log([count] * 5), ["r2"] * 5, metric="instructions")
    base = processes(np.log([1000.0] * 5), ["r1"] * 5, metric="instructions")
    estimate = evidence.cell_contrast(mine, base)
    assert estimate.se == 0.0 and estimate.df == 8
    row = {**evidence.estimate_fields(estimate), "floor": 0.05}
    table = evidence.decide_table(pd.DataFrame([row]), [], 0.95, VERSION_LABELS, evidence.GATE)
    assert table["ci_low"].iloc[0] == table["ci_high"].iloc[0] == pytest.approx(count / 1000)
    assert table["verdict"].iloc[0] == expected
    assert table[["ratio", "ci_low", "ci_high", "detectable", "p_value"]].notna().all(axis=None)


def test_counts_that_differ_by_one_get_a_nonzero_interval() -> None:
    mine = processes(np.log([1000.0, 1000.0, 1001.0]), ["r"] * 3, metric="instructions")
    base = processes(np.log([1000.0, 1000.0, 1000.0]), ["r"] * 3, metric="instructions")
    estimate = evidence.cell_contrast(mine, base)
    low, high = evidence.interval(estimate, 0.95)
    assert low < estimate.log_diff < high and math.isfinite(high)


def test_the_family_is_stated_and_can_be_set() -> None:
    rows = pd.DataFrame({"log_diff": [0.01, 0.02], "se": [0.01, 0.01], "df": [10, 10],
                         "floor": [0.05, 0.05]})  # fmt: skip
    counted = evidence.decide_table(rows, [], 0.95, VERSION_LABELS, evidence.GATE)
    assert list(counted["multiplicity"]) == ["Bonferroni over 2"] * 2
    at_gate = evidence.decide_table(rows, [], 0.95, VERSION_LABELS, evidence.GATE, 91)
    assert list(at_gate["family_size"]) == [91, 91]
    assert (at_gate["ci_high"] > counted["ci_high"]).all()
    assert at_gate["decision_confidence"].iloc[0] == pytest.approx(1 - 0.05 / 91)
