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

**The unit of evidence across time is the run.** Wall time moves between runs (the README shows
moves of up to 30% between runs made 30 minutes apart), and every process of a run shares that
move. Results that were not interleaved together (different runs, versions measured apart) are
therefore compared with *runs* as the replicates, and only when each side has at least
:data:`MIN_RUNS` runs; otherwise the comparison is "not interleaved: no verdict", shown with its
ratio (:func:`cell_contrast`). Instruction counts (``metric == "instructions"``) are
deterministic up to the code path, so their processes stay the replicates across runs.

**Estimators** (:func:`contrast`): within interleaving blocks, Yuen's 20% trimmed paired t on
the within-block differences (Yuen, *Biometrika* 61, 1974; Wilcox, *Introduction to Robust
Estimation and Hypothesis Testing*, ch. 5): the two-speed VM makes a block whose workers straddle
a change of speed a wild difference, and trimming keeps those few blocks from setting the
interval; otherwise Welch's t (Welch, *Biometrika* 34, 1947) through ``scipy.stats.ttest_ind``.
Both are checked for coverage in :mod:`analysis.statistics.simulation`.

**Two rules, each with its own name** (:func:`decide`). With a threshold ``t`` the band of
practical equivalence is ``[1/(1+t), 1+t]``; an interval wholly inside it is *equivalent*. The
report's rule (:data:`BEYOND_BAND`) claims faster/slower only when the whole interval is beyond
the band: the difference is *shown to be at least* ``t``. ``compare``'s rule (:data:`GATE`) calls
a *regression* when the interval lies above 1 and its upper end above ``1+t``: a slowdown is
shown, and the data cannot show that it stays under the threshold. What each does with true
slowdowns of t/2, t and 2t is measured in ``docs/verdicts.md`` (``python -m
analysis.statistics.simulation``).

**Multiplicity.** Decisions use Bonferroni simultaneous intervals (family-wise control, the
question of a gate: "any regression?") over a stated family: each has confidence
``1 - alpha / m`` (``statsmodels.stats.multitest``), so the chance that a family with nothing to
find shows any claim is at most ``alpha``. Every table carries ``family_size`` and
``multiplicity``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

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

    ``values`` is the tidy frame of :mod:`analysis.loading.load` (one row per value, with the
    ``process_id`` that identifies the pyperf run, i.e. the worker process, it came from).
    ``log_mean`` is the mean of ``log(value)`` over that process's values (for instruction
    counts, whose values are one per layout, their minimum); ``suite_run_id`` is kept so that
    callers can count the runs pooled in a cell.

    Why the minimum of a process's layouts (``count_layouts``): a collision in CPython's type
    attribute cache only ever adds instructions (a miss walks the MRO; a hit costs the same in
    every layout), and work added per item adds to every layout alike, so the layout with the
    fewest instructions is the one with the fewest collisions, and a real change still shows in
    it. The median fails when collisions fall in two layouts of three, which consecutive version
    tags make common (docs/instructions.md, Layouts).
    """
    keys = list(keys)
    frame = values[[*keys, "process_id", "suite_run_id", "value"]].copy()
    frame[BLOCK] = values[BLOCK] if BLOCK in values.columns else None
    frame["log_value"] = np.log(frame["value"].to_numpy(dtype=float))
    extra = {METRIC: (METRIC, "first")} if METRIC in values and METRIC not in keys else {}
    if extra:
        frame[METRIC] = values[METRIC]
    # Read from the rows, whether or not ``metric`` is one of the keys (the views group by it).
    frame[_COUNTED] = (
        values[METRIC].astype(str).to_numpy() == INSTRUCTIONS if METRIC in values else False
    )
    grouped = frame.groupby([*keys, "process_id"], sort=True, dropna=False)
    summary = grouped.agg(
        log_mean=("log_value", "mean"),
        log_min=("log_value", "min"),
        n_values=("value", "size"),
        suite_run_id=("suite_run_id", "first"),
        **{BLOCK: (BLOCK, "first")},
        **{_COUNTED: (_COUNTED, "first")},
        **extra,
    )
    counted = summary[_COUNTED].astype(bool)
    summary.loc[counted, "log_mean"] = summary.loc[counted, "log_min"]
    return summary.drop(columns=["log_min", _COUNTED]).reset_index()


def layouts_per_row(values: pd.DataFrame) -> pd.Series:
    """The ``--count-layouts`` of each row (``count_layouts``): 1 where it is missing, as for
    counts made before layouts existed, and for wall times."""
    if "count_layouts" not in values:
        return pd.Series(1, index=values.index, dtype=int)
    return pd.to_numeric(values["count_layouts"], errors="coerce").fillna(1).astype(int)


#: A working column of :func:`process_summaries`: whether a row is an instruction count.
_COUNTED = "_instruction_count"


#: Fewest runs per side for a comparison of runs made apart (runs are then the replicates).
MIN_RUNS = 3
#: Share trimmed from each end of the block differences (Yuen's trimmed paired t).
TRIM = 0.2
#: The ``metric`` column of the tidy frame: wall time (the default) or instruction counts.
METRIC = "metric"
TIME, INSTRUCTIONS = "time", "instructions"
#: The units of evidence an estimate can rest on.
UNIT_BLOCK, UNIT_PROCESS, UNIT_RUN, UNIT_NONE = "block", "process", "run", "none"
#: Why a comparison gets no verdict although its ratio is shown.
NOT_INTERLEAVED = "not interleaved: no verdict"


@dataclass(frozen=True)
class Estimate:
    """The difference of two means of log times, with its standard error (see :func:`contrast`
    and :func:`cell_contrast`)."""

    log_diff: float
    se: float
    df: float
    n: int
    n_base: int
    #: True when built on within-block (or within-run) differences.
    paired: bool = False
    #: What the replicates were: :data:`UNIT_BLOCK`, :data:`UNIT_PROCESS`, :data:`UNIT_RUN`,
    #: or :data:`UNIT_NONE` (no verdict, see ``reason``).
    unit: str = UNIT_PROCESS
    #: Why there is no verdict (e.g. :data:`NOT_INTERLEAVED`); None when there may be one.
    reason: str | None = None

    @property
    def estimable(self) -> bool:
        return not math.isnan(self.se)


def trimmed_paired(
    differences: FloatArray, trim: float = TRIM
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Yuen's trimmed one-sample t on paired differences, along the last axis.

    Returns (trimmed mean, standard error, degrees of freedom): with ``k`` differences,
    ``g = floor(trim * k)`` trimmed from each end and ``h = k - 2g`` kept, the error is
    ``sqrt((k - 1) s_w^2 / (h (h - 1)))`` with ``s_w^2`` the winsorized variance, on ``h - 1``
    degrees of freedom (as ``scipy.stats.trim_mean`` and ``scipy.stats.mstats.winsorize``; the
    tests check both). With
    ``trim = 0`` this is the ordinary paired t. NaN where fewer than two are kept.
    """
    d = np.sort(np.asarray(differences, dtype=float), axis=-1)
    k = d.shape[-1]
    g = math.floor(trim * k + 1e-9)
    h = k - 2 * g
    if h < 1:
        nan = np.full(d.shape[:-1], math.nan)
        return nan, nan, nan
    center = d[..., g : k - g].mean(axis=-1)  # scipy.stats.trim_mean(d, g / k)
    if h < 2:
        nan = np.full(center.shape, math.nan)
        return center, nan, nan
    # scipy.stats.mstats.winsorize(d, (g / k, g / k)): the g smallest and largest set to the
    # nearest kept value (written out, since winsorize rounds g / k * k in floating point).
    winsorized = np.clip(d, d[..., g : g + 1], d[..., k - 1 - g : k - g])
    variance = np.where(np.ptp(winsorized, axis=-1) == 0, 0.0, np.var(winsorized, axis=-1, ddof=1))
    se = np.sqrt((k - 1) * variance / (h * (h - 1)))
    return center, np.asarray(se, dtype=float), np.full(center.shape, float(h - 1))


def welch(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Welch's unpaired t of ``mean(a) - mean(b)`` along the last axis (``scipy.stats.ttest_ind``
    with unequal variances): (difference, standard error, Welch-Satterthwaite df). Where both
    sides have no spread at all (deterministic counts) the error is 0 on ``n + m - 2`` df."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n, m = a.shape[-1], b.shape[-1]
    diff = a.mean(axis=-1) - b.mean(axis=-1)
    spread = np.var(a, axis=-1, ddof=1) / n + np.var(b, axis=-1, ddof=1) / m
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # identical values: handled below
        result = stats.ttest_ind(a, b, axis=-1, equal_var=False)
        df = np.asarray(result.df, dtype=float)
        se = np.asarray(np.abs(diff / result.statistic), dtype=float)
    exact = (np.ptp(a, axis=-1) == 0) & (np.ptp(b, axis=-1) == 0)
    se = np.where(exact, 0.0, np.where(np.isfinite(se) & (diff != 0), se, np.sqrt(spread)))
    df = np.where(exact, float(n + m - 2), df)
    return np.asarray(diff, dtype=float), np.asarray(se, dtype=float), np.asarray(df, dtype=float)


def contrast(
    logs: FloatArray,
    base_logs: FloatArray,
    blocks: Sequence[object] | None = None,
    base_blocks: Sequence[object] | None = None,
    trim: float = TRIM,
) -> Estimate:
    """The estimate of ``mean(logs) - mean(base_logs)`` (log means of two sides).

    **Paired** when both sides ran interleaved: given each process's block (``blocks``,
    ``base_blocks``; the processes of one block ran back to back), and at least
    :data:`MIN_PAIRED_BLOCKS` blocks hold one process of each side, the estimate is Yuen's
    trimmed mean of the within-block differences (:func:`trimmed_paired`) - a randomised
    complete block design (Box, Hunter and Hunter, *Statistics for Experimenters*, 2nd ed.,
    ch. 4), randomised by :func:`benchmarks.running.blocks.worker_order`. The machine's slow changes
    of speed fall on both processes of a block alike and cancel, and the blocks that straddle a
    change are trimmed. Processes without a partner are left out of a paired estimate.

    Otherwise **Welch's** unpaired estimate (:func:`welch`). With fewer than two processes (or
    pairs) no variance can be estimated: ``se`` is NaN and the comparison is "too few processes".
    """
    a = np.asarray(logs, dtype=float)
    b = np.asarray(base_logs, dtype=float)
    paired = _paired_differences(a, b, blocks, base_blocks)
    if paired is not None:
        k = len(paired)
        center, se, df = trimmed_paired(paired, trim)
        return Estimate(float(center), float(se), float(df), k, k, True, UNIT_BLOCK)
    n, m = len(a), len(b)
    diff = float(a.mean() - b.mean()) if n and m else math.nan
    if n < 2 or m < 2:
        return Estimate(diff, math.nan, math.nan, n, m)
    center, se, df = welch(a, b)
    return Estimate(float(center), float(se), float(df), n, m)


def metric_of(frame: pd.DataFrame) -> str:
    """The metric of a frame's rows (``time`` when the column is absent)."""
    if METRIC not in frame or frame.empty:
        return TIME
    metrics = set(frame[METRIC].dropna().astype(str)) or {TIME}
    return INSTRUCTIONS if metrics == {INSTRUCTIONS} else TIME


def cell_contrast(mine: pd.DataFrame, base: pd.DataFrame) -> Estimate:
    """One comparison of two sides' process summaries (:func:`process_summaries` rows), on the
    unit of evidence their design allows. The views call this; they never choose the unit.

    1. Both sides interleaved in common blocks: paired on blocks (:func:`contrast`).
    2. Instruction counts (``metric``), or both sides from one and the same run: the processes
       are the replicates (Welch's).
    3. Wall times of runs made apart: the *run* is the replicate. The level of a run is the mean
       of its process log means. Paired on runs when both sides share at least
       :data:`MIN_RUNS` runs, Welch's on run levels when each side has at least that many;
       otherwise no verdict (:data:`NOT_INTERLEAVED`), with the ratio of the pooled means.
    """
    logs, base_logs = mine["log_mean"].to_numpy(float), base["log_mean"].to_numpy(float)
    estimate = contrast(logs, base_logs, list(mine[BLOCK]), list(base[BLOCK]))
    if estimate.paired:
        return estimate
    runs, base_runs = set(mine["suite_run_id"]), set(base["suite_run_id"])
    metric = metric_of(pd.concat([mine, base])) if METRIC in mine or METRIC in base else TIME
    if metric == INSTRUCTIONS or (runs == base_runs and len(runs) == 1):
        return estimate
    levels = mine.groupby("suite_run_id")["log_mean"].mean()
    base_levels = base.groupby("suite_run_id")["log_mean"].mean()
    shared = sorted(runs & base_runs)
    if len(shared) >= MIN_RUNS:
        by_run = contrast(levels[shared].to_numpy(), base_levels[shared].to_numpy(), shared,
                          shared, trim=0.0)  # fmt: skip
        return replace(by_run, unit=UNIT_RUN)
    if len(levels) >= MIN_RUNS and len(base_levels) >= MIN_RUNS:
        by_run = contrast(levels.to_numpy(), base_levels.to_numpy())
        return replace(by_run, unit=UNIT_RUN)
    return Estimate(estimate.log_diff, math.nan, math.nan, len(levels), len(base_levels),
                    unit=UNIT_NONE, reason=NOT_INTERLEAVED)  # fmt: skip


def estimate_fields(estimate: Estimate) -> dict[str, object]:
    """The columns a view's row carries for :func:`decide_table`."""
    return {
        "log_diff": estimate.log_diff,
        "se": estimate.se,
        "df": estimate.df,
        "paired": estimate.paired,
        "unit": estimate.unit,
        "reason": estimate.reason,
    }


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
    probability at least ``confidence`` (the per-comparison alpha is statsmodels'
    ``multipletests(..., method="bonferroni")`` corrected alpha)."""
    size = max(int(family_size), 1)
    corrected = multipletests(np.ones(size), alpha=1.0 - confidence, method="bonferroni")[3]
    return 1.0 - float(corrected)


#: How a family's intervals are made simultaneous (the ``multiplicity`` column names it).
MULTIPLICITY = "Bonferroni"


def interval(estimate: Estimate, confidence: float) -> tuple[float, float]:
    """The t interval of ``estimate.log_diff`` (log scale); NaN when not estimable."""
    if not estimate.estimable:
        return math.nan, math.nan
    half = float(t_quantile(confidence, estimate.df)) * estimate.se
    return estimate.log_diff - half, estimate.log_diff + half


#: The report's rule: a difference is claimed only when the whole interval is beyond the band.
BEYOND_BAND = "beyond-band"
#: The regression gate's rule: a regression is claimed when the interval lies above 1 and its
#: upper end above ``1+t``: a slowdown is shown, and it is not shown to stay under the threshold.
GATE = "gate"
#: The meaning of each rule's claim, in words (shown with every verdict of that rule).
RULE_MEANING: dict[str, str] = {
    BEYOND_BAND: "the whole interval lies beyond the threshold band: shown to differ by at "
    "least the threshold",
    GATE: "the interval lies above 1 and its upper end above 1 + threshold: shown to be slower, "
    "and not shown to stay under the threshold",
}
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
    family_size: int | None = None,
) -> pd.DataFrame:
    """Add simultaneous intervals, verdicts and detectable differences to a table of estimates.

    ``estimates`` has one row per comparison with ``log_diff``, ``se``, ``df`` and ``floor``
    (relative, e.g. 0.02). The family of each row is given by ``family_columns``; only rows
    that can be estimated count towards the family size. Adds ``family_size``,
    ``decision_confidence``, ``ratio``, ``ci_low``/``ci_high`` (simultaneous, as ratios),
    ``ci95_low``/``ci95_high`` (each interval on its own at ``confidence``), ``detectable`` and
    ``verdict``, ``multiplicity`` (its method and family size), ``p_value`` (two-sided, against a
    ratio of 1) and ``p_adjusted`` (Bonferroni over the family, ``statsmodels``). A row with a
    ``reason`` (see :func:`cell_contrast`) gets it as its verdict. ``family_size``, when given,
    replaces the counted family (a calibration judges a few comparisons as the gate would judge
    its whole family).

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
    if family_size is not None:
        table["family_size"] = int(family_size)
    table["family_size"] = table["family_size"].fillna(0).astype(int)
    table["multiplicity"] = [f"{MULTIPLICITY} over {int(m)}" for m in table["family_size"]]
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
    with np.errstate(invalid="ignore", divide="ignore"):
        p_value = 2.0 * stats.t.sf(np.abs(log_diff / se), df)
    p_value = np.where(se == 0, np.where(log_diff == 0, 1.0, 0.0), p_value)
    table["p_value"] = p_value
    table["p_adjusted"] = np.minimum(1.0, p_value * np.maximum(table["family_size"], 1))
    verdicts = [
        decide(lo, hi, f, labels, rule)
        for lo, hi, f in zip(low, high, table["floor"].to_numpy(dtype=float), strict=True)
    ]
    reasons = table["reason"] if "reason" in table else pd.Series(None, index=table.index)
    table["verdict"] = [
        r if isinstance(r, str) else v for r, v in zip(reasons, verdicts, strict=True)
    ]
    return table


def claims(
    log_diff: FloatArray,
    se: FloatArray,
    df: FloatArray,
    floor: float,
    family_size: int,
    confidence: float,
    rule: str,
) -> npt.NDArray[np.int_]:
    """The claims of :func:`decide_table`, array by array (for simulations): +1 worse, -1
    better, 0 anything else (equivalent, inconclusive, not estimable)."""
    level = simultaneous_confidence(confidence, family_size)
    with np.errstate(invalid="ignore"):
        half = t_quantile_each(np.full(np.shape(se), level), np.asarray(df)) * se
    low, high = log_diff - half, log_diff + half
    band = math.log1p(floor)
    start = band if rule == BEYOND_BAND else 0.0
    worse = (low > start) & (high > band)
    better = (high < -start) & (low < -band)
    return np.where(worse, 1, np.where(better, -1, 0))


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
