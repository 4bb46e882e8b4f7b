"""The statistics core: per-process evidence, intervals and the one decision rule.

Every interval, test and verdict of the suite (``report``: runtime against runtime; ``compare``:
one version against another; the geometric means and absolute times) is computed here. The
views only choose *what is paired with what*.

**The worker process is the unit of evidence.** pyperf runs each benchmark in several worker
processes; each process draws its own hash seed, memory layout and CPU placement, and the values
of one process share them. Values of one process are therefore not independent draws, and
treating them as such makes intervals too narrow (Kalibera and Jones, *Rigorous Benchmarking in
Reasonable Time*, ISMM 2013: variation is hierarchical, and the independent replicates are at the
highest level that is repeated). So each process is first summarised by the mean of the log of
its values (:func:`process_summaries`), and everything else is built on those summaries.

**Welch's t on per-process log means** (Welch, *Biometrika* 34, 1947). The log ratio of two
geometric-mean times is the difference of two means of process summaries; Welch's interval does
not assume equal variances on the two sides (runtimes differ in noise), is exact for normal
process effects and robust to moderate skew once values are logged. It is chosen over a
process-resampling bootstrap because pyperf's default of a few processes per side is too few for
a bootstrap (with 6 processes, a percentile bootstrap under-covers badly), and over a mixed model
because, with balanced values per process, the mixed-model estimate of the difference reduces to
this one while needing an iterative fit per cell.

**One decision from one interval.** With a practical floor ``f`` the band of practical
equivalence is ``[1/(1+f), 1+f]``; an interval wholly above it is *worse* (slower, a regression),
wholly below it *better*, wholly inside it *equivalent*, anything else *inconclusive*, reported
with the smallest difference the data could have detected (see :func:`decide_table`).

**Multiplicity.** The intervals used for decisions are Bonferroni simultaneous intervals over a
stated family (every comparison of one context in ``report``; every comparison of the whole run
in ``compare``): each has confidence ``1 - alpha / m``, so with probability at least
``1 - alpha`` every interval of the family covers its true ratio at once, and the chance that a
report with nothing to find shows any faster/slower verdict is at most ``alpha``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

FloatArray = npt.NDArray[np.float64]

#: Power at which :func:`detectable` states the smallest detectable difference.
DETECTION_POWER = 0.8


@dataclass(frozen=True)
class Labels:
    """The words of the four outcomes (and of too little evidence) in one view."""

    worse: str
    better: str
    equivalent: str = "equivalent"
    inconclusive: str = "inconclusive"
    too_few: str = "too few processes"


#: Run metadata naming the interleaving block of a worker process: the processes of one block
#: (one per runtime in ``run``, one per side in ``ab``) ran back to back on the machine.
BLOCK = "interleave_block"
#: Fewest blocks common to both sides for a paired contrast; with fewer, Welch's.
MIN_PAIRED_BLOCKS = 3


def process_summaries(values: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """One row per worker process: ``keys``, ``process_id``, ``log_mean``, ``n_values`` and its
    interleaving block (``interleave_block``, None for results not run interleaved).

    ``values`` is the tidy frame of :mod:`analysis.load` (one row per value, with the
    ``process_id`` that identifies the pyperf run, i.e. the worker process, it came from).
    ``log_mean`` is the mean of ``log(value)`` over that process's values; ``suite_run_id`` is
    kept so that callers can count the runs pooled in a cell.
    """
    keys = list(keys)
    frame = values[[*keys, "process_id", "suite_run_id", "value"]].copy()
    frame[BLOCK] = values[BLOCK] if BLOCK in values.columns else None
    frame["log_value"] = np.log(frame["value"].to_numpy(dtype=float))
    grouped = frame.groupby([*keys, "process_id"], sort=True, dropna=False)
    summary = grouped.agg(
        log_mean=("log_value", "mean"),
        n_values=("value", "size"),
        suite_run_id=("suite_run_id", "first"),
        **{BLOCK: (BLOCK, "first")},
    )
    return summary.reset_index()


@dataclass(frozen=True)
class Estimate:
    """The difference of two means of process log means, with its standard error (paired or
    Welch's, see :func:`contrast`)."""

    log_diff: float
    se: float
    df: float
    n: int
    n_base: int
    #: True when built on within-block differences of interleaved processes.
    paired: bool = False

    @property
    def estimable(self) -> bool:
        return not math.isnan(self.se)


def contrast(
    logs: FloatArray,
    base_logs: FloatArray,
    blocks: Sequence[object] | None = None,
    base_blocks: Sequence[object] | None = None,
) -> Estimate:
    """The estimate of ``mean(logs) - mean(base_logs)`` (process log means of two sides).

    **Paired** when both sides ran interleaved: given each process's block (``blocks``,
    ``base_blocks``; the processes of one block ran back to back), and at least
    :data:`MIN_PAIRED_BLOCKS` blocks hold one process of each side, the estimate is the mean of
    the within-block differences with its one-sample t error (n - 1 degrees of freedom) - a
    randomised complete block design (Box, Hunter and Hunter, *Statistics for Experimenters*,
    2nd ed., ch. 4). The machine's slow changes of speed (another tenant, frequency, thermal
    state: on a shared VM a whole run can shift by 20-40% for seconds at a time) fall on both
    processes of a block alike and cancel, instead of widening the interval as Welch's must.
    Processes without a partner are left out of a paired estimate.

    Otherwise **Welch's** unpaired estimate. With fewer than two processes (or pairs) no
    variance can be estimated: ``se`` is NaN and the comparison is "too few processes".
    """
    a = np.asarray(logs, dtype=float)
    b = np.asarray(base_logs, dtype=float)
    paired = _paired_differences(a, b, blocks, base_blocks)
    if paired is not None:
        k = len(paired)
        diff = float(paired.mean())
        if k < 2:
            return Estimate(diff, math.nan, math.nan, k, k, paired=True)
        return Estimate(diff, float(paired.std(ddof=1)) / math.sqrt(k), float(k - 1), k, k, True)
    n, m = len(a), len(b)
    diff = float(a.mean() - b.mean()) if n and m else math.nan
    if n < 2 or m < 2:
        return Estimate(diff, math.nan, math.nan, n, m)
    va, vb = float(a.var(ddof=1)) / n, float(b.var(ddof=1)) / m
    se = math.sqrt(va + vb)
    if se == 0.0:
        return Estimate(diff, 0.0, float(n + m - 2), n, m)
    df = (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (m - 1))
    return Estimate(diff, se, df, n, m)


def _paired_differences(
    a: FloatArray,
    b: FloatArray,
    blocks: Sequence[object] | None,
    base_blocks: Sequence[object] | None,
) -> FloatArray | None:
    """``a - b`` per block both sides share, or None when the sides cannot be paired."""
    if blocks is None or base_blocks is None:
        return None
    mine = [str(x) if _present(x) else None for x in blocks]
    theirs = [str(x) if _present(x) else None for x in base_blocks]
    if None in mine or None in theirs or len(set(mine)) < len(mine):
        return None
    if len(set(theirs)) < len(theirs):
        return None
    base_of = dict(zip(theirs, b, strict=True))
    differences = [value - base_of[block] for block, value in zip(mine, a, strict=True)
                   if block in base_of]  # fmt: skip
    if len(differences) < MIN_PAIRED_BLOCKS:
        return None
    return np.asarray(differences, dtype=float)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def paired_count(table: pd.DataFrame) -> tuple[int, int]:
    """(paired, estimable): how many of a table's comparisons with an interval were paired."""
    estimable = table[table["se"].notna()] if "se" in table else table.iloc[0:0]
    if "paired" not in estimable:
        return 0, len(estimable)
    return int(estimable["paired"].fillna(False).astype(bool).sum()), len(estimable)


def level(logs: FloatArray) -> Estimate:
    """The mean of process log means of one side (a geometric-mean time), with its t error."""
    a = np.asarray(logs, dtype=float)
    n = len(a)
    if n < 2:
        return Estimate(float(a.mean()) if n else math.nan, math.nan, math.nan, n, 0)
    return Estimate(float(a.mean()), float(a.std(ddof=1)) / math.sqrt(n), float(n - 1), n, 0)


def t_quantile(confidence: float, df: float | npt.NDArray[np.float64]) -> FloatArray:
    """The two-sided ``confidence`` quantile of Student's t (normal when ``df`` is infinite)."""
    return np.asarray(stats.t.ppf(0.5 + confidence / 2.0, df), dtype=float)


def simultaneous_confidence(confidence: float, family_size: int) -> float:
    """Bonferroni: each of ``family_size`` intervals at this level covers all at once with
    probability at least ``confidence``."""
    return 1.0 - (1.0 - confidence) / max(family_size, 1)


def interval(estimate: Estimate, confidence: float) -> tuple[float, float]:
    """The t interval of ``estimate.log_diff`` (log scale); NaN when not estimable."""
    if not estimate.estimable:
        return math.nan, math.nan
    half = float(t_quantile(confidence, estimate.df)) * estimate.se
    return estimate.log_diff - half, estimate.log_diff + half


#: The report's rule: a difference is claimed only when the whole interval is beyond the band.
BEYOND_BAND = "beyond-band"
#: The regression gate's rule: a difference is claimed when the interval excludes 1 and
#: reaches beyond the band (a change is shown, and it may be as large as the threshold).
GATE = "gate"
RULES: tuple[str, ...] = (BEYOND_BAND, GATE)


def decide(
    log_low: float, log_high: float, floor: float, labels: Labels, rule: str = BEYOND_BAND
) -> str:
    """The verdict of one interval (log scale) against the band ``[1/(1+f), 1+f]``.

    Both rules call an interval wholly inside the band *equivalent* and anything unclaimed
    *inconclusive*. They differ in what makes a claim of *worse* (or *better*):

    * :data:`BEYOND_BAND` (the report, runtime against runtime): the whole interval lies above
      ``1+f``: the difference is shown to be at least the floor;
    * :data:`GATE` (``compare``, a CI gate): the whole interval lies above 1 and its upper end
      above ``1+f``: a slowdown is shown, and the data cannot rule out that it reaches the
      threshold. A true slowdown of exactly the threshold is then caught with the power of a
      test against 1, where the first rule would catch it at most half of the time; a small real
      slowdown that the interval shows to be under the threshold passes as equivalent.
    """
    if math.isnan(log_low) or math.isnan(log_high):
        return labels.too_few
    band = math.log1p(floor)
    if -band <= log_low and log_high <= band:
        return labels.equivalent
    if rule == GATE:
        if log_low > 0.0 and log_high > band:
            return labels.worse
        if log_high < 0.0 and log_low < -band:
            return labels.better
        return labels.inconclusive
    if log_low > band:
        return labels.worse
    if log_high < -band:
        return labels.better
    return labels.inconclusive


def decide_table(
    estimates: pd.DataFrame,
    family_columns: Sequence[str],
    confidence: float,
    labels: Labels,
    rule: str = BEYOND_BAND,
) -> pd.DataFrame:
    """Add simultaneous intervals, verdicts and detectable differences to a table of estimates.

    ``estimates`` has one row per comparison with ``log_diff``, ``se``, ``df`` and ``floor``
    (relative, e.g. 0.02). The family of each row is given by ``family_columns``; only rows
    that can be estimated count towards the family size. Adds ``family_size``,
    ``decision_confidence``, ``ratio``, ``ci_low``/``ci_high`` (simultaneous, as ratios),
    ``ci95_low``/``ci95_high`` (each interval on its own at ``confidence``), ``detectable`` and
    ``verdict``.

    **Detectable difference.** ``detectable`` is the smallest true relative difference that this
    data would call worse (or better) with probability :data:`DETECTION_POWER`: an interval
    ``d ± t·se`` lies beyond the band when ``d > log(1+f) + t·se``, which for a true difference
    ``δ`` happens with about the stated power when ``δ = log(1+f) + (t + t_power)·se``. Under
    :data:`GATE` the interval has only to clear 1: ``δ = (t + t_power)·se``.
    """
    table = estimates.copy()
    estimable = table["se"].notna()
    if family_columns:
        sizes = (
            table[estimable]
            .groupby(list(family_columns), dropna=False)
            .size()
            .rename("family_size")
            .reset_index()
        )
        table = table.drop(columns=["family_size"], errors="ignore").merge(
            sizes, on=list(family_columns), how="left"
        )
    else:
        table["family_size"] = int(estimable.sum())
    table["family_size"] = table["family_size"].fillna(0).astype(int)
    table["decision_confidence"] = [
        simultaneous_confidence(confidence, int(m)) for m in table["family_size"]
    ]
    log_diff = table["log_diff"].to_numpy(dtype=float)
    se = table["se"].to_numpy(dtype=float)
    df = table["df"].to_numpy(dtype=float)
    level = table["decision_confidence"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        half = t_quantile_each(level, df) * se
        half95 = t_quantile_each(np.full(len(table), confidence), df) * se
        power = np.where(se > 0, stats.t.ppf(DETECTION_POWER, df), 0.0)
    band = np.log1p(table["floor"].to_numpy(dtype=float))
    low, high = log_diff - half, log_diff + half
    table["ratio"] = np.exp(log_diff)
    table["ci_low"], table["ci_high"] = np.exp(low), np.exp(high)
    table["ci95_low"], table["ci95_high"] = np.exp(log_diff - half95), np.exp(log_diff + half95)
    claim_from = band if rule == BEYOND_BAND else 0.0  # where an interval must start to claim
    table["detectable"] = np.expm1(claim_from + (half / np.where(se > 0, se, 1.0) + power) * se)
    table["verdict"] = [
        decide(lo, hi, f, labels, rule)
        for lo, hi, f in zip(low, high, table["floor"].to_numpy(dtype=float), strict=True)
    ]
    return table


def t_quantile_each(confidence: FloatArray, df: FloatArray) -> FloatArray:
    """:func:`t_quantile` element by element; NaN where ``df`` is NaN."""
    return np.asarray(stats.t.ppf(0.5 + np.asarray(confidence) / 2.0, df), dtype=float)


@dataclass(frozen=True)
class Summary:
    """The geometric mean of several ratios and its two intervals (ratios, not logs)."""

    benchmarks: int
    ratio: float
    noise_low: float
    noise_high: float
    between_low: float
    between_high: float


def geometric_summary(
    log_diffs: FloatArray, ses: FloatArray, dfs: FloatArray, confidence: float
) -> Summary:
    """Geometric mean of ratios over a fixed set of benchmarks, with two labelled intervals.

    * **measurement noise**: how much the geometric mean of *these* benchmarks could move if
      they were measured again: the per-benchmark Welch variances add up (divided by ``k**2``),
      with Welch-Satterthwaite degrees of freedom;
    * **between benchmarks**: how much it could move for *another* set of benchmarks like
      these: a t interval on the ``k`` log ratios (their spread), ``k - 1`` degrees of freedom.
    """
    d = np.asarray(log_diffs, dtype=float)
    se = np.asarray(ses, dtype=float)
    df = np.asarray(dfs, dtype=float)
    k = len(d)
    if k == 0:
        return Summary(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    center = float(d.mean())
    variance = float(np.sum(se**2)) / k**2
    if variance > 0 and np.all(df > 0):
        noise_df = variance**2 / float(np.sum((se**2 / k**2) ** 2 / df))
        half = float(t_quantile(confidence, noise_df)) * math.sqrt(variance)
    else:
        half = 0.0 if variance == 0 else math.nan
    if k >= 2:
        between = float(t_quantile(confidence, k - 1)) * float(d.std(ddof=1)) / math.sqrt(k)
    else:
        between = math.nan
    return Summary(
        benchmarks=k,
        ratio=math.exp(center),
        noise_low=math.exp(center - half),
        noise_high=math.exp(center + half),
        between_low=math.exp(center - between),
        between_high=math.exp(center + between),
    )
