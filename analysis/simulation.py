"""Seeded simulations of the decision rule, where the truth is known.

``python -m analysis.simulation`` prints, for the suite's default number of worker processes and
values, the false-alarm rate of whole A/A reports, the coverage of the intervals and the
detection rate of true shifts, for process-level spreads of 1, 2 and 3%. The tests run the same
functions with fewer repetitions.

The model is the one the report assumes and the one real runs show: each worker process has its
own level (a normal random effect on the log scale, sd ``process_sd``) and each value varies
around it (sd ``within_sd``). The comparisons of one report are decided together, through
:func:`analysis.evidence.decide_table`, exactly as the report does.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import evidence
from analysis.verdict import DIFFERENT, RUNTIME_LABELS

#: Defaults of the suite's measurement (benchmarks/runner.py); repeated here because the
#: analysis half never imports the measuring half.
DEFAULT_PROCESSES = 12
DEFAULT_VALUES = 3


@dataclass(frozen=True)
class Scenario:
    """One simulated report: ``comparisons`` pairs, each with a true log shift."""

    comparisons: int = 80
    processes: int = DEFAULT_PROCESSES
    values: int = DEFAULT_VALUES
    process_sd: float = 0.02
    within_sd: float = 0.01
    shift: float = 1.0
    floor: float = 0.02
    confidence: float = 0.95
    #: The decision rule (:data:`analysis.evidence.BEYOND_BAND` for the report,
    #: :data:`analysis.evidence.GATE` for ``compare``).
    rule: str = evidence.BEYOND_BAND
    #: sd of the machine's speed per interleaving block, shared by the two processes of a block
    #: (a shared VM's slow changes of speed); 0 for none.
    block_sd: float = 0.0
    #: Whether the contrast pairs processes within blocks (interleaved runs) or not (Welch).
    paired: bool = False


@dataclass(frozen=True)
class Outcome:
    """What many simulated reports of one scenario gave."""

    reports: int
    #: Median relative half-width of the 95% intervals (sqrt(high / low) - 1).
    median_half_width: float
    #: Share of reports with at least one faster/slower verdict.
    reports_with_any_claim: float
    #: Share of cells whose verdict is "slower" (the true shift is above 1 when this matters).
    slower_rate: float
    #: Share of cells whose unadjusted interval (at ``confidence``) covers the true ratio.
    coverage: float
    #: Share of reports whose simultaneous intervals all cover their true ratios.
    simultaneous_coverage: float


def _process_means(
    rng: np.random.Generator, scenario: Scenario, shift: float, size: int
) -> np.ndarray:
    """``size`` x processes log means of one side."""
    levels = rng.normal(math.log(shift), scenario.process_sd, (size, scenario.processes))
    within = rng.normal(0.0, scenario.within_sd, (size, scenario.processes, scenario.values))
    return levels + within.mean(axis=2)


def simulate_report(rng: np.random.Generator, scenario: Scenario) -> pd.DataFrame:
    """One report: every comparison's estimate, intervals and verdict."""
    candidate = _process_means(rng, scenario, scenario.shift, scenario.comparisons)
    baseline = _process_means(rng, scenario, 1.0, scenario.comparisons)
    machine = rng.normal(0.0, scenario.block_sd, (scenario.comparisons, scenario.processes))
    candidate, baseline = candidate + machine, baseline + machine
    labels = list(range(scenario.processes)) if scenario.paired else None
    rows = []
    for a, b in zip(candidate, baseline, strict=True):
        estimate = evidence.contrast(a, b, labels, labels)
        rows.append(
            {"log_diff": estimate.log_diff, "se": estimate.se, "df": estimate.df,
             "floor": scenario.floor}
        )  # fmt: skip
    return evidence.decide_table(
        pd.DataFrame(rows), [], scenario.confidence, RUNTIME_LABELS, rule=scenario.rule
    )


def simulate(scenario: Scenario, reports: int, seed: int) -> Outcome:
    """Run ``reports`` simulated reports of ``scenario``."""
    rng = np.random.default_rng(seed)
    any_claim = slower = covered = all_covered = cells = 0
    half_widths: list[float] = []
    for _ in range(reports):
        table = simulate_report(rng, scenario)
        any_claim += bool(table["verdict"].isin(DIFFERENT).any())
        slower += int((table["verdict"] == RUNTIME_LABELS.worse).sum())
        covered += int(
            ((table["ci95_low"] <= scenario.shift) & (scenario.shift <= table["ci95_high"])).sum()
        )
        all_covered += bool(
            ((table["ci_low"] <= scenario.shift) & (scenario.shift <= table["ci_high"])).all()
        )
        cells += len(table)
        half_widths.extend((table["ci95_high"] / table["ci95_low"]).to_numpy(float) ** 0.5 - 1)
    return Outcome(
        reports=reports,
        median_half_width=float(np.median(half_widths)),
        reports_with_any_claim=any_claim / reports,
        slower_rate=slower / cells,
        coverage=covered / cells,
        simultaneous_coverage=all_covered / reports,
    )


def _scenario(args: argparse.Namespace, **fields: float | bool) -> Scenario:
    return Scenario(
        comparisons=args.comparisons, processes=args.processes, values=args.values, **fields
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.simulation", description=__doc__)
    parser.add_argument("--reports", type=int, default=400, help="reports per scenario")
    parser.add_argument("--comparisons", type=int, default=80, help="comparisons per report")
    parser.add_argument("--processes", type=int, default=DEFAULT_PROCESSES)
    parser.add_argument("--values", type=int, default=DEFAULT_VALUES)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    print(
        f"{args.comparisons} comparisons per report, {args.processes} processes x "
        f"{args.values} values per side, floor 2%, {args.reports} reports per row\n"
    )
    print("A/A (nothing to find):\n")
    print("| process sd | within sd | reports with any faster/slower | 95% interval coverage | "
          "all intervals of a report cover |")  # fmt: skip
    print("| --- | --- | --- | --- | --- |")
    for process_sd in (0.01, 0.02, 0.03):
        for within_sd in (0.005, 0.015):
            outcome = simulate(
                _scenario(args, process_sd=process_sd, within_sd=within_sd), args.reports, args.seed
            )
            print(
                f"| {process_sd:.0%} | {within_sd:.1%} | {outcome.reports_with_any_claim:.1%} | "
                f"{outcome.coverage:.1%} | {outcome.simultaneous_coverage:.1%} |"
            )
    print("\nDetection (every comparison of the report truly slower; within sd 1%):\n")
    print("| process sd | true ratio | cells called slower | 95% interval coverage |")
    print("| --- | --- | --- | --- |")
    for process_sd in (0.01, 0.014, 0.02, 0.03):
        for shift in (1.02, 1.05, 1.10):
            outcome = simulate(
                _scenario(args, process_sd=process_sd, shift=shift), args.reports, args.seed
            )
            print(
                f"| {process_sd:.1%} | {shift:.2f} | {outcome.slower_rate:.1%} | "
                f"{outcome.coverage:.1%} |"
            )
    print(
        "\nInterleaved blocks (the machine's speed drifts per block with sd 10%, shared by the "
        "two processes of a block; process sd 2%, within sd 1%):\n"
    )
    print("| contrast | true ratio | reports with any faster/slower | cells called slower | "
          "95% interval coverage | median half-width |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    for paired in (False, True):
        for shift in (1.0, 1.05):
            outcome = simulate(
                _scenario(args, block_sd=0.10, shift=shift, paired=paired),
                args.reports,
                args.seed,
            )
            print(
                f"| {'paired' if paired else 'Welch'} | {shift:.2f} | "
                f"{outcome.reports_with_any_claim:.1%} | {outcome.slower_rate:.1%} | "
                f"{outcome.coverage:.1%} | {outcome.median_half_width:.1%} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
