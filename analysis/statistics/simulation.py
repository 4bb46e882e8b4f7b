"""Seeded simulations of the decision rules on a model of the machine, where the truth is known.

``python -m analysis.statistics.simulation`` prints the figures of ``docs/verdicts.md``; the tests
run the same functions with fewer repetitions.

**The machine model** (:class:`Machine`), fitted to the published day of 2026-12-01 (the
calibration pairs of ``results/calibration-2026-12-01``): the VM runs at two speeds, the slow one
1.45x slower, slow 35% of the time, switching about once a second (a two-state Markov chain in
continuous time). A worker process takes about 0.45 s; its log mean time is the log of the mean
slow-down over its own stretch of time, plus its own level (hash seed, memory layout; sd
``process_sd``) and the noise of its values. The two workers of a block are consecutive
stretches, so they share the machine's state only in part: the model gives a spread of process
means of about 18%, of block differences about 15% and a within-block correlation of about 0.6,
as the published pairs do (:func:`fit_figures`; checked in the tests). On top of that, optional
**periodic drift** (a sine of the worker's position in time), a **first-in-block** effect, and a
**run effect** (each run of each benchmark shifted by a normal amount, sd ``run_sd``: runs made
apart).

**Methods** (:class:`Method`): the order of workers in a block (``fixed``: ABBA, as before;
``williams``: :func:`benchmarks.running.blocks.worker_order`), the share trimmed from the block
differences (0: the plain paired t; 0.2: Yuen's), and for runs made apart whether the run is
the replicate. Decisions go through :func:`analysis.statistics.evidence.claims`, the rule of
:func:`analysis.statistics.evidence.decide_table` array by array.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.statistics import evidence

FloatArray = npt.NDArray[np.float64]

#: Defaults of the suite's measurement (benchmarks/running/runner.py: 12 processes of 3 values).
DEFAULT_PROCESSES = 12
DEFAULT_VALUES = 3
#: Comparisons a PR gate judges over its five shards (39 + 9 + 12 + 14 + 17).
GATE_FAMILY = 91
#: Distinct random orders drawn per simulation (each comparison picks one).
ORDER_POOL = 64


@dataclass(frozen=True)
class Machine:
    """The noise model of one machine (defaults: fitted to the published day)."""

    slow_factor: float = 1.45
    slow_share: float = 0.35
    switches_per_second: float = 1.0
    worker_seconds: float = 0.35
    steps_per_worker: int = 6
    #: sd of a worker's own level (log scale).
    process_sd: float = 0.02
    #: sd of one value around its worker's level.
    within_sd: float = 0.02
    values: int = DEFAULT_VALUES
    #: Amplitude (log scale) and period (in workers) of a periodic drift; 0 for none.
    drift: float = 0.0
    drift_period: float = 4.0
    #: Log slow-down of the first worker of every block.
    first_in_block: float = 0.0
    #: sd of a run's shift of one benchmark (runs made apart).
    run_sd: float = 0.0

    def rates(self) -> tuple[float, float]:
        """(fast to slow, slow to fast) rates per second of the two-state chain."""
        total = self.switches_per_second / (2 * self.slow_share * (1 - self.slow_share))
        return self.slow_share * total, (1 - self.slow_share) * total


@dataclass(frozen=True)
class Method:
    """How the workers are ordered and the block differences weighed."""

    order: str = "williams"
    trim: float = evidence.TRIM
    #: Runs made apart: the run is the replicate (True) or every process is (False, as before).
    runs_as_replicates: bool = True


TODAY = Method(order="fixed", trim=0.0, runs_as_replicates=False)
NEW = Method()


def slot_logs(
    rng: np.random.Generator, machine: Machine, shape: tuple[int, ...], arms: int
) -> FloatArray:
    """Log mean times of ``shape + (arms,)`` workers, the arms of each block in time order. The
    machine's state starts each block from its stationary share."""
    steps = arms * machine.steps_per_worker
    dt = machine.worker_seconds / machine.steps_per_worker
    up, down = machine.rates()
    total = up + down
    stay_fast = 1 - machine.slow_share * (1 - math.exp(-total * dt))
    stay_slow = machine.slow_share + (1 - machine.slow_share) * math.exp(-total * dt)
    slow = rng.random(shape) < machine.slow_share
    factor = np.empty((*shape, steps))
    draws = rng.random((*shape, steps))
    for step in range(steps):
        factor[..., step] = np.where(slow, machine.slow_factor, 1.0)
        slow = np.where(slow, draws[..., step] < stay_slow, draws[..., step] >= stay_fast)
    per_worker = factor.reshape(*shape, arms, machine.steps_per_worker).mean(axis=-1)
    logs = np.log(per_worker) + rng.normal(0.0, machine.process_sd, per_worker.shape)
    noise = rng.normal(0.0, machine.within_sd, (*per_worker.shape, machine.values))
    return logs + noise.mean(axis=-1)


def orders(method: Method, arms: int, blocks: int, rng: np.random.Generator) -> np.ndarray:
    """``ORDER_POOL`` x blocks x arms: the arm in each position of each block."""
    if method.order == "fixed":
        if arms == 2:
            row = [[0, 1] if block % 2 == 0 else [1, 0] for block in range(blocks)]  # ABBA
        else:
            row = [[(a + block) % arms for a in range(arms)] for block in range(blocks)]
        return np.array([row] * ORDER_POOL)
    from benchmarks.running.blocks import worker_order  # the design itself, not a copy

    seeds = rng.integers(0, 2**32, ORDER_POOL)
    return np.array([[worker_order(arms, b, int(s)) for b in range(blocks)] for s in seeds])


def simulate_arms(
    rng: np.random.Generator,
    machine: Machine,
    method: Method,
    size: tuple[int, ...],
    shifts: FloatArray,
    blocks: int = DEFAULT_PROCESSES,
) -> FloatArray:
    """Log means of every arm's workers: ``size + (blocks, arms)``; ``shifts`` (one log shift
    per arm) is added to its arm. Workers follow ``method``'s order within each block."""
    arms = len(shifts)
    slots = slot_logs(rng, machine, (*size, blocks), arms)
    position = np.arange(blocks * arms).reshape(blocks, arms)
    phase = rng.uniform(0, 2 * math.pi, (*size, 1, 1))
    slots = slots + machine.drift * np.sin(2 * math.pi * position / machine.drift_period + phase)
    slots[..., 0] += machine.first_in_block
    pool = orders(method, arms, blocks, rng)
    chosen = pool[rng.integers(0, ORDER_POOL, size)]  # size + (blocks, arms): arm at position
    where = np.argsort(chosen, axis=-1)  # the position of each arm
    return np.take_along_axis(slots, where, axis=-1) + np.asarray(shifts)


def gate_claims(
    machine: Machine,
    method: Method,
    shift: float,
    reports: int,
    seed: int,
    comparisons: int = GATE_FAMILY,
    threshold: float = 0.05,
    blocks: int = DEFAULT_PROCESSES,
    confidence: float = 0.95,
    rule: str = evidence.GATE,
) -> npt.NDArray[np.int_]:
    """Interleaved A/B gate runs: reports x comparisons claims (+1 regression) when every
    candidate is truly ``shift`` times the baseline."""
    rng = np.random.default_rng(seed)
    logs = simulate_arms(rng, machine, method, (reports, comparisons),
                         np.array([0.0, math.log(shift)]), blocks)  # fmt: skip
    differences = logs[..., 1] - logs[..., 0]
    center, se, df = evidence.trimmed_paired(differences, method.trim)
    return evidence.claims(center, se, df, threshold, comparisons, confidence, rule)


def apart_claims(
    machine: Machine,
    method: Method,
    runs: int,
    reports: int,
    seed: int,
    comparisons: int = 47,
    floor: float = 0.02,
    processes: int = DEFAULT_PROCESSES,
    confidence: float = 0.95,
) -> npt.NDArray[np.int_]:
    """A/A comparisons of results made apart (``runs`` runs per side, each with its run effect,
    none interleaved): reports x comparisons claims under the report's rule."""
    rng = np.random.default_rng(seed)
    sides = []
    for _ in range(2):
        logs = simulate_arms(rng, machine, method, (reports, comparisons, runs), np.zeros(1),
                             processes)[..., 0]  # fmt: skip
        logs = logs + rng.normal(0.0, machine.run_sd, (reports, comparisons, runs, 1))
        sides.append(logs)
    if not method.runs_as_replicates:
        pooled = [side.reshape(reports, comparisons, -1) for side in sides]
        center, se, df = evidence.welch(pooled[1], pooled[0])
    elif runs >= evidence.MIN_RUNS:
        center, se, df = evidence.welch(sides[1].mean(axis=-1), sides[0].mean(axis=-1))
    else:  # not interleaved: no verdict
        return np.zeros((reports, comparisons), dtype=int)
    return evidence.claims(center, se, df, floor, comparisons, confidence, evidence.BEYOND_BAND)


def coverage(
    machine: Machine, method: Method, shift: float, cells: int, seed: int, confidence: float = 0.95
) -> float:
    """Share of cells whose interval (at ``confidence``, unadjusted) covers the true shift."""
    rng = np.random.default_rng(seed)
    logs = simulate_arms(rng, machine, method, (cells,), np.array([0.0, math.log(shift)]))
    center, se, df = evidence.trimmed_paired(logs[..., 1] - logs[..., 0], method.trim)
    half = evidence.t_quantile_each(np.full(cells, confidence), df) * se
    truth = math.log(shift)
    return float(np.mean((center - half <= truth) & (truth <= center + half)))


@dataclass(frozen=True)
class Figures:
    """What the published pairs (and the model) show, medians over cells."""

    process_spread: float
    difference_spread: float
    correlation: float


def fit_figures(logs: FloatArray) -> Figures:
    """Figures of ``cells x blocks x 2`` log means: the median sd of process means and of block
    differences (as relative spreads) and the correlation of the two workers of a block."""
    centered = logs - logs.mean(axis=-2, keepdims=True)
    spread = float(np.median(np.std(logs, axis=-2, ddof=1)))
    differences = logs[..., 1] - logs[..., 0]
    difference = float(np.median(np.std(differences, axis=-1, ddof=1)))
    a, b = centered[..., 0].ravel(), centered[..., 1].ravel()
    return Figures(math.expm1(spread), math.expm1(difference), float(np.corrcoef(a, b)[0, 1]))


def model_figures(machine: Machine, cells: int, seed: int) -> Figures:
    rng = np.random.default_rng(seed)
    return fit_figures(simulate_arms(rng, machine, NEW, (cells,), np.zeros(2)))


def rate(claims: npt.NDArray[np.int_], value: int = 1, per_report: bool = False) -> float:
    """Share of cells (or of reports, with any such claim) where the claim is ``value``."""
    hits = claims == value if value else claims != 0
    return float(hits.any(axis=-1).mean() if per_report else hits.mean())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.statistics.simulation", description=__doc__
    )
    parser.add_argument("--reports", type=int, default=400, help="gate runs per scenario")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    machine = Machine()
    figures = model_figures(machine, 2000, args.seed)
    print(
        f"Model: process spread {figures.process_spread:.1%}, spread of block differences "
        f"{figures.difference_spread:.1%}, within-block correlation {figures.correlation:.2f} "
        f"(seed {args.seed})\n"
    )
    print(f"Gate: {GATE_FAMILY} comparisons, threshold t = 5%, {args.reports // 4} runs each\n")
    print("| method | blocks | true slowdown | comparisons called regression | runs with any |")
    print("| --- | --- | --- | --- | --- |")
    for blocks in (DEFAULT_PROCESSES, 120):
        for name, method in (("today (ABBA, paired t)", TODAY), ("new (Williams, Yuen 20%)", NEW)):
            for shift in (1.0, 1.025, 1.05, 1.10):
                runs = args.reports // 4
                claims = gate_claims(machine, method, shift, runs, args.seed, blocks=blocks)
                print(f"| {name} | {blocks} | {shift - 1:.1%} | {rate(claims):.1%} | "
                      f"{rate(claims, per_report=True):.1%} |")  # fmt: skip
    drift = Machine(drift=0.05)
    print("\nA/A under a 5% drift of period 4 workers (gate runs with any false regression):\n")
    for name, method in (("today", TODAY), ("new", NEW)):
        claims = gate_claims(drift, method, 1.0, args.reports, args.seed)
        print(f"- {name}: {rate(claims, per_report=True):.1%}")
    print("\nA/A of runs made apart, 5% run spread, 47 comparisons, floor 2% "
          "(reports with any claim):\n")  # fmt: skip
    apart = Machine(run_sd=0.05)
    for runs in (1, 3):
        for name, method in (("today", TODAY), ("new", NEW)):
            claims = apart_claims(apart, method, runs, args.reports // 4, args.seed)
            print(f"- {runs} run(s) per side, {name}: {rate(claims, 0, per_report=True):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
