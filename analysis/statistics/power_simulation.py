"""Seeded simulations of three ideas for more power per minute of the PR gate, on the machine
model of :mod:`analysis.statistics.simulation` (``python -m analysis.statistics.power_simulation``;
figures in ``docs/verdicts.md``, "More power per minute"):

- **shards judged on their own** (:func:`shard_rates`): each runner judging its ~9 comparisons
  as their own family, against one family of the 91 comparisons of a PR;
- **a sequential stop** (:func:`sequential_rates`): a look at half the blocks and one at the
  end, alpha split equally between them (Bonferroni spending, valid whatever the correlation of
  the looks); a comparison stops at the first look once it is decided;
- **a moderated t** (:func:`moderated_rates`): each comparison's variance shrunk towards the
  geometric-mean variance of its shard with prior degrees of freedom ``d0`` (limma's form,
  Smyth 2004, with ``d0`` given rather than estimated), once with every comparison equally
  noisy (as the machine model has it) and once with noise that differs between benchmarks.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.statistics import evidence
from analysis.statistics.simulation import GATE_FAMILY, NEW, Machine, simulate_arms

FloatArray = npt.NDArray[np.float64]

SEED = 2026
REPORTS = 40
SHARD = 9
THRESHOLD = 0.05


def block_differences(shift: float, reports: int, blocks: int, seed: int) -> FloatArray:
    """``reports x 91 x blocks`` within-block differences, every candidate ``shift`` slower."""
    rng = np.random.default_rng(seed)
    logs = simulate_arms(rng, Machine(), NEW, (reports, GATE_FAMILY),
                         np.array([0.0, math.log(shift)]), blocks)  # fmt: skip
    return logs[..., 1] - logs[..., 0]


def regressions(center: FloatArray, se: FloatArray, df: FloatArray, family: int) -> FloatArray:
    return evidence.claims(center, se, df, THRESHOLD, family, 0.95, evidence.GATE) == 1


@dataclass(frozen=True)
class Rates:
    """Comparisons called regression, and gate runs (PRs) with any."""

    comparisons: float
    runs: float


def rates(called: npt.NDArray[np.bool_]) -> Rates:
    return Rates(float(called.mean()), float(called.any(axis=-1).mean()))


def shard_rates(shift: float, family: int, reports: int = REPORTS, seed: int = SEED) -> Rates:
    """12 blocks per comparison, every comparison judged in a family of ``family``."""
    center, se, df = evidence.trimmed_paired(block_differences(shift, reports, 12, seed))
    return rates(regressions(center, se, df, family))


@dataclass(frozen=True)
class Sequential:
    stopped_early: float
    regression: Rates
    fixed_regression: Rates


def sequential_rates(shift: float, reports: int = REPORTS, seed: int = SEED) -> Sequential:
    """120 blocks per comparison, a look at 60 (alpha / 2) and at 120 (alpha / 2). Stopped
    early: the first look shows a regression, an improvement or equivalence."""
    differences = block_differences(shift, reports, 120, seed)
    first = evidence.trimmed_paired(differences[..., :60])
    final = evidence.trimmed_paired(differences)
    family = 2 * GATE_FAMILY  # two looks at every comparison: Bonferroni over both
    level = evidence.simultaneous_confidence(0.95, family)
    half = evidence.t_quantile_each(np.full(first[1].shape, level), first[2]) * first[1]
    band = math.log1p(THRESHOLD)
    equivalent = (first[0] - half > -band) & (first[0] + half < band)
    early = evidence.claims(*first, THRESHOLD, family, 0.95, evidence.GATE)
    stopped = (early != 0) | equivalent
    late = evidence.claims(*final, THRESHOLD, family, 0.95, evidence.GATE)
    called = np.where(stopped, early == 1, late == 1)
    fixed = regressions(*final, GATE_FAMILY)
    return Sequential(float(stopped.mean()), rates(called), rates(fixed))


def moderated_rates(
    shift: float, prior_df: float, spread_sd: float, reports: int = REPORTS, seed: int = SEED
) -> Rates:
    """12 blocks; each comparison's noise scaled by ``exp(N(0, spread_sd))`` (benchmarks that
    differ in noise); variances moderated within shards of :data:`SHARD` (``prior_df`` 0: the
    plain trimmed t)."""
    differences = block_differences(shift, reports, 12, seed)
    rng = np.random.default_rng([seed, 1])
    scale = np.exp(rng.normal(0.0, spread_sd, differences.shape[:-1]))[..., None]
    truth = math.log(shift)
    center, se, df = evidence.trimmed_paired(truth + (differences - truth) * scale)
    if prior_df > 0:
        variance = se**2
        prior = np.empty_like(variance)
        for start in range(0, GATE_FAMILY, SHARD):  # the shard's mean log variance, as limma
            block = slice(start, start + SHARD)
            prior[:, block] = np.exp(np.log(variance[:, block]).mean(axis=-1, keepdims=True))
        se = np.sqrt((prior_df * prior + df * variance) / (prior_df + df))
        df = df + prior_df
    return rates(regressions(center, se, df, GATE_FAMILY))


def percent(value: float) -> str:
    return f"{value:.1%}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.statistics.power_simulation")
    parser.add_argument("--reports", type=int, default=REPORTS, help="gate runs per row")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.reports < 1:
        parser.error(f"--reports must be at least 1, not {args.reports}")
    reports, seed = args.reports, args.seed
    print(f"{reports} gate runs of {GATE_FAMILY} comparisons per row, seed {seed}\n")
    print("Shards judged on their own (12 blocks): family | slowdown | comparisons | runs")
    for family in (GATE_FAMILY, SHARD):
        for shift in (1.0, 1.05):
            r = shard_rates(shift, family, reports, seed)
            print(f"  {family} | {shift} | {percent(r.comparisons)} | {percent(r.runs)}")
    print("\nSequential (looks at 60 and 120 blocks): slowdown | stopped at 60 | "
          "sequential comparisons / runs | fixed 120 (family 91) comparisons / runs")  # fmt: skip
    for shift in (1.0, 1.05, 1.10):
        s = sequential_rates(shift, reports, seed)
        print(
            f"  {shift} | {percent(s.stopped_early)} | {percent(s.regression.comparisons)} / "
            f"{percent(s.regression.runs)} | {percent(s.fixed_regression.comparisons)} / "
            f"{percent(s.fixed_regression.runs)}"
        )
    print("\nModerated t (12 blocks, shards of 9): noise spread | prior df | slowdown | "
          "comparisons | runs")  # fmt: skip
    for spread in (0.0, 0.5):
        for prior_df in (0.0, 11.0, 88.0):
            for shift in (1.0, 1.05):
                r = moderated_rates(shift, prior_df, spread, reports, seed)
                print(
                    f"  {spread} | {prior_df:g} | {shift} | {percent(r.comparisons)} | "
                    f"{percent(r.runs)}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
