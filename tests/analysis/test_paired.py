"""Paired contrasts within interleaving blocks: exact on small cases, honest in simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.statistics import evidence, simulation


def test_paired_contrast_is_the_mean_of_within_block_differences() -> None:
    a = np.array([1.0, 2.0, 3.0, 5.0])
    b = np.array([0.5, 1.0, 2.5, 4.0])
    # The blocks come in another order on the baseline side: pairing goes by label.
    estimate = evidence.contrast(a, b[[3, 2, 1, 0]], ["w", "x", "y", "z"], ["z", "y", "x", "w"])
    differences = a - b
    assert estimate.paired
    assert estimate.log_diff == pytest.approx(differences.mean())
    assert estimate.se == pytest.approx(differences.std(ddof=1) / 2)
    assert estimate.df == 3


def test_unpartnered_processes_are_left_out_of_a_paired_contrast() -> None:
    estimate = evidence.contrast(
        np.array([1.0, 2.0, 3.0, 9.0]), np.array([0.0, 1.0, 2.0]), [0, 1, 2, 3], [0, 1, 2]
    )
    assert estimate.paired and estimate.n == 3
    assert estimate.log_diff == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("blocks", "base_blocks"),
    [
        (None, None),  # not interleaved
        ([0, 1, 2, 3], None),  # one side was not
        ([0, 1, 2, None], [0, 1, 2, 3]),  # a process without its block
        ([0, 0, 1, 2], [0, 1, 2, 3]),  # a block twice on one side: not a block design
        ([0, 1, 7, 8], [0, 1, 2, 3]),  # two common blocks: too few to pair
        ([0, 1, 2, math.nan], [0, 1, 2, 3]),  # NaN from a file without blocks
    ],
)
def test_contrast_falls_back_to_welch_when_it_cannot_pair(
    blocks: list[object] | None, base_blocks: list[object] | None
) -> None:
    a = np.array([1.0, 1.2, 0.9, 1.1])
    b = np.array([0.0, 0.3, -0.2, 0.1])
    estimate = evidence.contrast(a, b, blocks, base_blocks)
    welch = evidence.contrast(a, b)
    assert not estimate.paired
    assert (estimate.log_diff, estimate.se, estimate.df) == (welch.log_diff, welch.se, welch.df)


def test_process_summaries_carry_the_block() -> None:
    import pandas as pd

    values = pd.DataFrame(
        {
            "runtime": ["a", "a", "b", "b"],
            "process_id": ["p1", "p1", "p2", "p2"],
            "suite_run_id": ["r"] * 4,
            "value": [1.0, 1.0, 2.0, 2.0],
            evidence.BLOCK: ["r|x|0", "r|x|0", "r|x|0", "r|x|0"],
        }
    )
    summaries = evidence.process_summaries(values, ["runtime"])
    assert list(summaries[evidence.BLOCK]) == ["r|x|0", "r|x|0"]
    without = evidence.process_summaries(values.drop(columns=[evidence.BLOCK]), ["runtime"])
    assert without[evidence.BLOCK].isna().all()


def test_pairing_removes_the_machine_from_the_interval() -> None:
    """On the two-speed machine model, the same A/A data weighed paired within blocks gives
    intervals far narrower than Welch's on the processes (which ignores the blocks)."""
    rng = np.random.default_rng(12)
    logs = simulation.simulate_arms(rng, simulation.Machine(), simulation.NEW, (400,), np.zeros(2))
    _, paired_se, _ = evidence.trimmed_paired(logs[..., 1] - logs[..., 0])
    _, welch_se, _ = evidence.welch(logs[..., 1], logs[..., 0])
    assert np.median(paired_se) * 1.4 < np.median(welch_se)


def test_yuen_matches_scipy_trim_mean_and_winsorize() -> None:
    from scipy import stats
    from scipy.stats import mstats

    d = np.array([0.1, 0.02, -0.01, 0.03, 0.5, 0.01, 0.0, 0.02, -0.4, 0.03, 0.01, 0.02])
    center, se, df = evidence.trimmed_paired(d)
    assert center == pytest.approx(stats.trim_mean(d, 0.2))
    winsorized = np.asarray(mstats.winsorize(d, limits=(2 / 12, 2 / 12)))
    assert se == pytest.approx(math.sqrt(11 * winsorized.var(ddof=1) / (8 * 7)))
    assert df == 7
    # trimming 0 is the ordinary paired t (scipy.stats.ttest_1samp)
    plain, plain_se, _ = evidence.trimmed_paired(d, 0.0)
    assert plain / plain_se == pytest.approx(stats.ttest_1samp(d, 0.0).statistic)
