"""Seeded simulations with a known truth, on the machine model fitted to the published day.

Every rate asserted here is one that today's method (fixed ABBA order, plain paired t,
processes as replicates across runs) misses: each test asserts both.
"""

from __future__ import annotations

import glob

import numpy as np
import pytest

from analysis import compare, load_results
from analysis.statistics import evidence
from analysis.statistics.simulation import (
    NEW,
    TODAY,
    Machine,
    apart_claims,
    coverage,
    fit_figures,
    gate_claims,
    model_figures,
    rate,
)
from analysis.statistics.verdict import DIFFERENT


def _published_pairs() -> np.ndarray:
    """cells x 12 blocks x (baseline, candidate) log means of the published A/A pairs."""
    cells = []
    for folder in sorted(glob.glob("results/calibration-2026-12-01/pairs/*-AA")):
        sides = []
        for side in ("baseline", "candidate"):
            values = load_results([f"{folder}/{side}"]).values
            summary = evidence.process_summaries(values, ["benchmark", "runtime"])
            sides.append(summary.sort_values(["benchmark", "runtime", evidence.BLOCK]))
        for (_, a), (_, b) in zip(sides[0].groupby("benchmark"), sides[1].groupby("benchmark"),
                                  strict=True):  # fmt: skip
            assert list(a[evidence.BLOCK]) == list(b[evidence.BLOCK])
            cells.append(np.stack([a["log_mean"], b["log_mean"]], axis=-1))
    return np.array(cells)


def test_the_machine_model_reproduces_the_published_pairs() -> None:
    published = fit_figures(_published_pairs())
    model = model_figures(Machine(), 2000, seed=1)
    assert abs(model.process_spread - published.process_spread) < 0.03
    assert abs(model.difference_spread - published.difference_spread) < 0.03
    assert abs(model.correlation - published.correlation) < 0.08
    # a model where both workers of a block share the machine exactly would not
    shared = model_figures(Machine(switches_per_second=0.01), 2000, seed=1)
    assert shared.correlation > published.correlation + 0.2


@pytest.mark.parametrize("runs", [1, 3])
def test_a_a_of_runs_made_apart_rarely_claims_anything(runs: int) -> None:
    """5% run-to-run spread, 47 comparisons, floor 2%: reports with any faster/slower."""
    machine = Machine(run_sd=0.05)
    new = rate(apart_claims(machine, NEW, runs, 100, seed=20 + runs), 0, per_report=True)
    today = rate(apart_claims(machine, TODAY, runs, 100, seed=20 + runs), 0, per_report=True)
    assert new <= 0.05
    assert today > 0.15  # processes as replicates across runs: false claims


def test_a_a_under_periodic_drift_rarely_fails_the_gate() -> None:
    """A 5% drift with a period of four workers (about 1.4 s), 91 comparisons."""
    machine = Machine(drift=0.05)
    new = rate(gate_claims(machine, NEW, 1.0, 200, seed=3), per_report=True)
    today = rate(gate_claims(machine, TODAY, 1.0, 200, seed=3), per_report=True)
    assert new <= 0.05
    assert today > 0.20  # the fixed ABBA order lines up with the drift


def test_the_gate_at_its_real_family_size_holds_and_detects_five_percent() -> None:
    """91 comparisons, threshold 5%, 120 blocks per comparison (the PR budget, see
    docs/verdicts.md): at most 5% of A/A gate runs fail, at least 90% of 5% slowdowns are
    caught; the plain paired t (no trimming, ABBA) catches far fewer."""
    machine = Machine()
    false = rate(gate_claims(machine, NEW, 1.0, 30, seed=6, blocks=120), per_report=True)
    caught = rate(gate_claims(machine, NEW, 1.05, 30, seed=7, blocks=120))
    today = rate(gate_claims(machine, TODAY, 1.05, 30, seed=7, blocks=120))
    assert false <= 0.05
    assert caught >= 0.90
    assert today < 0.90


def test_yuen_intervals_cover_on_the_two_speed_machine() -> None:
    assert 0.93 <= coverage(Machine(), NEW, 1.05, 2000, seed=5) <= 0.98


def test_treating_values_of_one_process_as_independent_would_under_cover():
    """The unit of evidence matters: the same data, summarised per process, covers at the
    nominal rate; taken value by value (as the old report did) it covers far less."""
    rng = np.random.default_rng(21)
    cells, processes, values = 400, 6, 5
    sides = [
        rng.normal(0.0, 0.02, (cells, processes, 1))
        + rng.normal(0.0, 0.005, (cells, processes, values))
        for _ in range(2)
    ]
    covered = {}
    for unit, logs in (("process", [s.mean(axis=2) for s in sides]),
                       ("value", [s.reshape(cells, -1) for s in sides])):  # fmt: skip
        center, se, df = evidence.welch(*logs)
        half = evidence.t_quantile_each(np.full(cells, 0.95), df) * se
        covered[unit] = int(np.sum(np.abs(center) <= half))
    by_process, by_value = covered["process"], covered["value"]
    assert 0.93 <= by_process / cells <= 0.97
    assert by_value / cells < 0.80


def test_the_real_pipeline_makes_no_false_claims_in_a_a_reports(tmp_path, synth):
    """Files on disk, through load_results and compare: four A/A reports of 80 comparisons."""
    claims = 0
    for report in range(4):
        specs = [
            synth.Spec(runtime, f"protocol.w{k}", process_sd=0.02, noise=0.01, runs=12, per_run=3)
            for k in range(40)
            for runtime in ("asyncio", "trio", "uvloop")
        ]
        folder = synth.write_run(tmp_path / f"r{report}", specs, seed=100 + report)
        ratios = compare(load_results([folder])).ratios
        assert len(ratios) == 80
        claims += int(ratios["verdict"].isin(DIFFERENT).any())
    assert claims == 0


def test_the_rules_agree_on_equivalence_and_differ_on_claims():
    from analysis.statistics.verdict import RUNTIME_LABELS as L

    band = 0.05
    inside = (-0.01, 0.03)
    assert evidence.decide(*inside, band, L) == evidence.decide(*inside, band, L, evidence.GATE)
    assert evidence.decide(*inside, band, L) == "equivalent"
    straddling = (0.01, 0.09)  # shown above 1, may exceed 5%, not shown to exceed it
    assert evidence.decide(*straddling, band, L) == "inconclusive"
    assert evidence.decide(*straddling, band, L, evidence.GATE) == "slower"
    assert evidence.decide(-0.09, -0.01, band, L, evidence.GATE) == "faster"
    assert evidence.decide(-0.01, 0.09, band, L, evidence.GATE) == "inconclusive"
