"""The report's view on synthetic pyperf files with known shifts and per-process effects."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from analysis import AnalysisError, Settings, compare, load_results
from analysis.statistics.verdict import (
    EQUIVALENT,
    FASTER,
    INCONCLUSIVE,
    NOT_INTERLEAVED,
    SLOWER,
    TOO_FEW,
)


def only(frame, **where):
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, frame
    return frame.iloc[0]


def test_ten_percent_slowdown_is_slower_with_interval_containing_1_10(make_run, synth):
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
    assert row["ci_low"] > 1.02
    assert row["ratio"] == pytest.approx(1.10, rel=0.02)
    assert row["n_processes"] == row["n_processes_baseline"] == 6


def test_ten_percent_speedup_is_faster(make_run, synth):
    folder = make_run(
        [synth.Spec("asyncio", "protocol.loop"), synth.Spec("uvloop", "protocol.loop", shift=0.9)],
        seed=3,
    )
    row = only(compare(load_results([folder])).ratios, runtime="uvloop")
    assert row["verdict"] == FASTER
    assert row["ci_low"] <= 0.9 <= row["ci_high"]


def test_identical_quiet_runtimes_are_equivalent(make_run, synth):
    specs = [
        synth.Spec(r, "protocol.loop", process_sd=0.003, noise=0.002, runs=12)
        for r in ("asyncio", "trio")
    ]
    row = only(compare(load_results([make_run(specs, seed=5)])).ratios, runtime="trio")
    assert row["verdict"] == EQUIVALENT
    assert 1 / 1.02 <= row["ci_low"] <= row["ci_high"] <= 1.02


def test_a_noisy_small_difference_is_inconclusive_with_a_detectable_size(make_run, synth):
    specs = [
        synth.Spec("asyncio", "protocol.loop", process_sd=0.04, runs=4),
        synth.Spec("trio", "protocol.loop", process_sd=0.04, runs=4, shift=1.01),
    ]
    row = only(compare(load_results([make_run(specs, seed=2)])).ratios, runtime="trio")
    assert row["verdict"] == INCONCLUSIVE
    assert row["ci_low"] < 1.02 < row["ci_high"]
    # The detectable difference grows with the noise: far above the 2% floor here.
    assert row["detectable"] > 0.08


def test_values_of_one_process_are_not_independent_evidence(make_run, synth):
    """Many values in few processes: a naive pooled test would call this slower."""
    specs = [
        synth.Spec("asyncio", "protocol.loop", process_sd=0.03, noise=0.001, runs=3, per_run=200),
        synth.Spec("trio", "protocol.loop", process_sd=0.03, noise=0.001, runs=3, per_run=200),
    ]
    comparison = compare(load_results([make_run(specs, seed=1)]))
    row = only(comparison.ratios, runtime="trio")
    assert row["n_processes"] == 3
    assert row["verdict"] in (INCONCLUSIVE, EQUIVALENT)
    # 600 values per side build the report (no exact-distribution overflow).
    assert only(comparison.absolute, runtime="trio")["n_values"] == 600


def test_single_process_is_too_few(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop", values=[[1e-6]]),
            synth.Spec("trio", "protocol.loop", values=[[2e-6]]),
        ]
    )
    row = only(compare(load_results([folder])).ratios, runtime="trio")
    assert row["verdict"] == TOO_FEW
    assert row["ratio"] == pytest.approx(2.0)
    assert math.isnan(row["ci_low"])


def test_other_baseline(make_run, synth):
    folder = make_run(
        [
            synth.Spec("asyncio", "protocol.loop", values=[[1e-6] * 5] * 4),
            synth.Spec("trio", "protocol.loop", values=[[2e-6] * 5] * 4),
        ]
    )
    row = only(compare(load_results([folder]), Settings(baseline="trio")).ratios)
    assert row["runtime"] == "asyncio"
    assert row["ratio"] == pytest.approx(0.5)
    assert row["verdict"] == FASTER


def test_a_copied_run_folder_changes_no_verdict(make_run, synth, tmp_path):
    folder = make_run(synth.standard_specs(), seed=4)
    alone = compare(load_results([folder]))
    shutil.copytree(folder, tmp_path / "copy")
    both = compare(load_results([folder, tmp_path / "copy"]))
    columns = ["workload", "params", "runtime", "verdict", "ratio", "ci_low", "ci_high"]
    assert both.ratios[columns].equals(alone.ratios[columns])
    assert any("counted once" in note for note in both.notes)
    assert both.ratios["n_processes"].max() == 6


def test_two_runs_pool_at_the_process_level_with_a_note(tmp_path, synth):
    specs = [synth.Spec("asyncio", "protocol.loop"), synth.Spec("trio", "protocol.loop", shift=1.1)]
    synth.write_run(tmp_path / "a", specs, seed=1)
    synth.write_run(tmp_path / "b", specs, seed=2)
    row = only(compare(load_results([tmp_path])).ratios, runtime="trio")
    assert row["n_processes"] == 12 and row["n_runs"] == 2
    assert "pooled from 2 runs (24 processes)" in row["note"]


def test_geometric_mean_matches_hand_computation(make_run, synth):
    # Constant values: every ratio is exact, so the geometric mean and its noise interval are.
    shifts = {"protocol.a": 1.1, "protocol.b": 0.9, "io.c": 2.0}
    specs = []
    for workload, shift in shifts.items():
        specs.append(synth.Spec("asyncio", workload, values=[[1e-6] * 5] * 3))
        specs.append(synth.Spec("trio", workload, values=[[1e-6 * shift] * 5] * 3))
    geo = compare(load_results([make_run(specs)])).geomeans
    overall = only(geo, workload_family="all")
    assert overall["geomean"] == pytest.approx((1.1 * 0.9 * 2.0) ** (1 / 3))
    assert overall["benchmarks"] == 3
    assert overall["noise_low"] == pytest.approx(overall["geomean"])
    assert overall["noise_high"] == pytest.approx(overall["geomean"])
    # Between benchmarks: a t interval on the three log ratios.
    logs = np.log([1.1, 0.9, 2.0])
    half = 4.302653 * logs.std(ddof=1) / math.sqrt(3)
    assert overall["between_high"] == pytest.approx(math.exp(logs.mean() + half), rel=1e-4)
    assert only(geo, workload_family="protocol")["geomean"] == pytest.approx(math.sqrt(0.99))
    assert only(geo, workload_family="io")["geomean"] == pytest.approx(2.0)


def test_geometric_means_use_the_same_benchmarks_and_no_controls(make_run, synth):
    specs = [
        synth.Spec(runtime, "protocol.loop", {"mode": mode}, shift=shift)
        for runtime, shift in (("asyncio", 1.0), ("trio", 1.2), ("uvloop", 0.8))
        for mode in ("nosuspend", "checkpoint")
    ]
    # measured on asyncio and uvloop only: left out of both geometric means
    specs += [synth.Spec(r, "io.only_two", shift=s) for r, s in (("asyncio", 1), ("uvloop", 3))]
    comparison = compare(load_results([make_run(specs, seed=8)]))
    overall = comparison.geomeans[comparison.geomeans["workload_family"] == "all"]
    assert set(overall["benchmarks"]) == {1}
    uvloop = only(overall, runtime="uvloop")
    assert uvloop["geomean"] == pytest.approx(0.8, rel=0.03)
    controls = comparison.control_ratios
    assert set(controls["params"]) == {"mode=nosuspend"}
    assert "mode=nosuspend" not in set(comparison.speed_ratios["params"])


def test_mixed_modes_are_compared_and_flagged(tmp_path, synth):
    synth.write_run(tmp_path / "fast", [synth.Spec("asyncio", "protocol.loop", mode="fast")])
    synth.write_run(tmp_path / "default", [synth.Spec("trio", "protocol.loop", shift=1.1)], seed=1)
    comparison = compare(load_results([tmp_path]))
    row = only(comparison.ratios, runtime="trio")
    # two runs made apart, one per runtime: the ratio, but no verdict on wall time
    assert row["verdict"] == NOT_INTERLEAVED
    assert row["ratio"] == pytest.approx(1.1, rel=0.03)
    assert "modes differ: default vs fast" in row["note"]


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
    assert set(ratios["family_size"]) == {1}  # each context is its own family
    by_context = dict(zip(ratios["context"], ratios["ratio"], strict=True))
    alpha = next(v for k, v in by_context.items() if k.startswith("alpha"))
    beta = next(v for k, v in by_context.items() if k.startswith("beta"))
    assert alpha == pytest.approx(1.1, rel=0.03)
    assert beta == pytest.approx(0.9, rel=0.03)


def test_family_size_counts_every_comparison_of_the_context(make_run, synth):
    comparison = compare(load_results([make_run(synth.standard_specs(), seed=3)]))
    # 8 benchmarks x 2 runtimes, minus trio's n/a cell
    assert set(comparison.ratios["family_size"]) == {15}
    assert comparison.ratios["decision_confidence"].tolist() == pytest.approx([1 - 0.05 / 15] * 15)


def test_settings_are_validated():
    with pytest.raises(AnalysisError, match="confidence"):
        Settings(confidence=1.5)
    with pytest.raises(AnalysisError, match="floor"):
        Settings(floor=-0.1)
