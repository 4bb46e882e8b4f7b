"""Statistics on synthetic pyperf files with known shifts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from analysis import Settings, compare, load_results
from analysis.bootstrap import geometric_mean
from analysis.significance import adjust, benjamini_hochberg, holm, smallest_attainable_p
from analysis.verdict import BELOW_FLOOR, FASTER, NO_DIFFERENCE, SLOWER, TOO_FEW, verdict


def only(frame, **where):
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, frame
    return frame.iloc[0]


def test_ten_percent_slowdown_is_slower_with_ci_containing_1_10(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop", {"items": 1000}),
            synth.Spec("trio", "protocol.loop", {"items": 1000}, shift=1.10),
        ],
        seed=7,
    )
    row = only(compare(load_results([folder])).ratios, runtime="trio")
    assert row["verdict"] == SLOWER
    assert row["ci_low"] <= 1.10 <= row["ci_high"]
    assert row["ci_low"] > 1.05 and row["ci_high"] < 1.15
    assert row["ratio"] == pytest.approx(1.10, rel=0.02)


def test_ten_percent_speedup_is_faster(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop"),
            synth.Spec("uvloop", "protocol.loop", shift=1 / 1.10),
        ],
        seed=3,
    )
    row = only(compare(load_results([folder])).ratios, runtime="uvloop")
    assert row["verdict"] == FASTER
    assert row["ci_low"] <= 1 / 1.10 <= row["ci_high"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_identical_distributions_are_no_significant_difference(make_run, synth, seed):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop"),
            synth.Spec("trio", "protocol.loop"),
        ],
        seed=seed,
    )
    row = only(compare(load_results([folder])).ratios, runtime="trio")
    assert row["verdict"] == NO_DIFFERENCE
    assert row["ci_low"] <= 1.0 <= row["ci_high"]


def test_geometric_mean_matches_hand_computation(make_run, synth):
    # Constant values: every ratio is exact, so the geometric mean is too.
    shifts = {"protocol.a": 1.1, "protocol.b": 0.9, "io.c": 2.0}
    specs = []
    for workload, shift in shifts.items():
        specs.append(synth.Spec("asyncio", workload, values=[[1e-6] * 10]))
        specs.append(synth.Spec("trio", workload, values=[[1e-6 * shift] * 10]))
    geo = compare(load_results([make_run(specs)])).geomeans
    overall = only(geo, workload_family="all")
    assert overall["geomean"] == pytest.approx((1.1 * 0.9 * 2.0) ** (1 / 3))
    assert overall["benchmarks"] == 3
    assert overall["ci_low"] == pytest.approx(overall["geomean"])
    assert overall["ci_high"] == pytest.approx(overall["geomean"])
    assert only(geo, workload_family="protocol")["geomean"] == pytest.approx(math.sqrt(0.99))
    assert only(geo, workload_family="io")["geomean"] == pytest.approx(2.0)
    assert overall["verdict"] == SLOWER


def test_geometric_mean_ci_covers_the_true_value(make_run, synth):
    specs = []
    for i, shift in enumerate([1.05, 1.2, 0.9, 1.1]):
        specs.append(synth.Spec("asyncio", f"protocol.w{i}"))
        specs.append(synth.Spec("trio", f"protocol.w{i}", shift=shift))
    overall = only(
        compare(load_results([make_run(specs, seed=11)])).geomeans, workload_family="all"
    )
    truth = geometric_mean(np.array([1.05, 1.2, 0.9, 1.1]))
    assert overall["ci_low"] <= truth <= overall["ci_high"]
    assert overall["ci_high"] - overall["ci_low"] < 0.03


def _borderline_specs(synth, shifted: int, nulls: int):
    """``shifted`` benchmarks with raw p ~ 0.015 (4.6% slower), ``nulls`` identical ones."""
    base = 1e-6 * (1 + 0.01 * np.arange(20))
    specs = []
    for i in range(shifted + nulls):
        specs.append(synth.Spec("asyncio", f"protocol.w{i}", values=[base]))
        other = base + 0.05e-6 if i < shifted else base
        specs.append(synth.Spec("trio", f"protocol.w{i}", values=[other]))
    return specs


def _verdicts(folder, correction: str) -> list[str]:
    ratios = compare(load_results([folder]), Settings(correction=correction)).ratios
    return list(ratios.sort_values("workload")["verdict"])


def test_holm_removes_a_borderline_finding_among_many_comparisons(make_run, synth):
    folder = make_run(_borderline_specs(synth, shifted=1, nulls=5))
    assert _verdicts(folder, "none")[0] == SLOWER
    assert _verdicts(folder, "holm")[0] == NO_DIFFERENCE
    assert _verdicts(folder, "bh")[0] == NO_DIFFERENCE


def test_bh_keeps_what_holm_drops_when_many_findings_agree(make_run, synth):
    folder = make_run(_borderline_specs(synth, shifted=4, nulls=0))
    assert _verdicts(folder, "none") == [SLOWER] * 4
    assert _verdicts(folder, "bh") == [SLOWER] * 4
    assert _verdicts(folder, "holm") == [NO_DIFFERENCE] * 4


def test_practical_floor_reports_small_significant_differences_as_not_meaningful(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop", noise=0.002),
            synth.Spec("trio", "protocol.loop", noise=0.002, shift=1.01),
        ],
        seed=5,
    )
    row = only(compare(load_results([folder])).ratios, runtime="trio")
    assert row["p_adjusted"] < 0.05
    assert row["verdict"] == BELOW_FLOOR
    strict = compare(load_results([folder]), Settings(floor=0.0)).ratios
    assert only(strict, runtime="trio")["verdict"] == SLOWER


def test_single_values_are_too_few_to_test(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop", values=[[1e-6]]),
            synth.Spec("trio", "protocol.loop", values=[[2e-6]]),
        ]
    )
    row = only(compare(load_results([folder])).ratios, runtime="trio")
    assert row["verdict"] == TOO_FEW
    assert row["ratio"] == pytest.approx(2.0)


def test_other_baseline(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop", values=[[1e-6] * 10]),
            synth.Spec("trio", "protocol.loop", values=[[2e-6] * 10]),
        ]
    )
    row = only(compare(load_results([folder]), Settings(baseline="trio")).ratios)
    assert row["runtime"] == "asyncio"
    assert row["ratio"] == pytest.approx(0.5)


def test_reports_are_reproducible_and_seeded(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop"),
            synth.Spec("trio", "protocol.loop", shift=1.1),
        ]
    )
    first = compare(load_results([folder])).ratios
    again = compare(load_results([folder])).ratios
    other = compare(load_results([folder]), Settings(seed=99)).ratios
    assert first["ci_low"].tolist() == again["ci_low"].tolist()
    assert first["ci_low"].tolist() != other["ci_low"].tolist()


def test_mixed_modes_are_compared_and_flagged(tmp_path, synth):
    synth.write_run(tmp_path / "fast", [synth.Spec("asyncio", "protocol.loop", mode="fast")])
    synth.write_run(tmp_path / "default", [synth.Spec("trio", "protocol.loop", shift=1.1)], seed=1)
    comparison = compare(load_results([tmp_path]))
    row = only(comparison.ratios, runtime="trio")
    assert row["verdict"] == SLOWER
    assert "modes differ" in row["note"]
    assert "trio default" in row["note"] and "asyncio fast" in row["note"]


def test_different_machines_are_never_pooled(tmp_path, synth):
    synth.write_run(
        tmp_path / "a",
        [synth.Spec("asyncio", "protocol.loop"), synth.Spec("trio", "protocol.loop", shift=1.1)],
        hostname="alpha",
    )
    synth.write_run(
        tmp_path / "b",
        [
            synth.Spec("asyncio", "protocol.loop", median=5e-6),
            synth.Spec("trio", "protocol.loop", median=5e-6, shift=0.9),
        ],
        hostname="beta",
        python="3.13.1",
    )
    ratios = compare(load_results([tmp_path])).ratios
    assert len(ratios) == 2
    by_context = dict(zip(ratios["context"], ratios["ratio"], strict=True))
    alpha = next(v for k, v in by_context.items() if k.startswith("alpha"))
    beta = next(v for k, v in by_context.items() if k.startswith("beta"))
    assert alpha == pytest.approx(1.1, rel=0.03)
    assert beta == pytest.approx(0.9, rel=0.03)


# --- the building blocks -----------------------------------------------------------------


def test_holm_by_hand():
    adjusted = holm(np.array([0.01, 0.04, 0.03, np.nan, 0.005]))
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1 -> max(0.06, 0.04)=0.06
    assert adjusted[[4, 0, 2, 1]] == pytest.approx([0.02, 0.03, 0.06, 0.06])
    assert np.isnan(adjusted[3])


def test_bh_matches_scipy():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2, 0.5])
    assert benjamini_hochberg(p) == pytest.approx(scipy_stats.false_discovery_control(p))


def test_adjust_none_and_unknown():
    p = np.array([0.01, 0.2])
    assert adjust(p, "none").tolist() == [0.01, 0.2]
    with pytest.raises(ValueError, match="unknown correction"):
        adjust(p, "bonferroni-ish")


def test_smallest_attainable_p():
    assert smallest_attainable_p(1, 1) == 1.0
    assert smallest_attainable_p(3, 3) == pytest.approx(0.1)
    assert smallest_attainable_p(20, 20) < 1e-10


@pytest.mark.parametrize(
    ("ratio", "p", "expected"),
    [
        (1.10, 0.001, SLOWER),
        (0.90, 0.001, FASTER),
        (1.10, 0.2, NO_DIFFERENCE),
        (1.01, 0.001, BELOW_FLOOR),
        (0.99, 0.001, BELOW_FLOOR),
        (1.10, float("nan"), NO_DIFFERENCE),
    ],
)
def test_verdict_outcomes(ratio, p, expected):
    assert verdict(ratio, p, alpha=0.05, floor=0.02) == expected


def test_verdict_untestable():
    assert verdict(2.0, 0.001, alpha=0.05, floor=0.02, testable=False) == TOO_FEW


def test_settings_are_validated():
    from analysis import AnalysisError

    with pytest.raises(AnalysisError, match="confidence"):
        Settings(confidence=1.5)
    with pytest.raises(AnalysisError, match="correction"):
        Settings(correction="magic")
