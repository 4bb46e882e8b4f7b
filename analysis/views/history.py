"""History: a trend per metric x benchmark x runtime x Python x platform, with change points.

**Runs in order.** Runs are ordered by the commit date of the suite they measured
(``suite_commit_date``), falling back to the date pyperf recorded for the run when the commit is
unknown. Runs of different platforms (:func:`platform_of`: for wall time the machine and CPU
model, for instruction counts the CPU architecture and Valgrind), metrics or Python versions never
share a line.

**One level per run.** A run's level on a line is the mean over its worker processes of each
process's mean log time per item (:func:`analysis.statistics.evidence.process_summaries`), i.e. the
log of a geometric mean with the worker process as the unit, as everywhere else in the suite.

**Change points** (:func:`change_points_of_lines`), chosen in the seeded simulation of
:mod:`analysis.views.history_simulation` (figures in ``docs/verdicts.md``, History):

1. ``sigma``, the noise of one run level, is the larger of the robust run-to-run spread,
   ``1.4826 * MAD(first differences) / sqrt(2)`` (a step touches one difference only), and the
   process-level floor, the median over runs of ``sd(process log means) / sqrt(processes)``.
   It is the line's own noise, so wall time and instruction counts share the rule.
2. ``r``, the lag-1 autocorrelation of the residuals around the line's best single split
   (:func:`autocorrelation`, bias-corrected). Under AR(1) noise first differences see
   ``sd * sqrt(1 - r)``, so the penalty uses the long-run sd ``sigma * sqrt(1 + r) / (1 - r)``.
3. Candidates: ``ruptures``' PELT (Killick, Fearnhead and Eckley, *JASA* 2012) with a segment of
   at least ``min_size`` runs (a change must persist that long) and BIC's penalty in the units
   of the cost, scaled by ``penalty`` (:func:`penalty_value`).
4. Confirmation: each candidate is tested across its split, between the runs of its two
   neighbouring segments, with Yuen's trimmed Welch t (``scipy.stats.ttest_ind``; robust to a
   bad run), its variance inflated by ``(1 + r) / (1 - r)`` (an effective sample size), and
   kept when ``p < alpha / m`` over the line's ``m`` candidates (Bonferroni).

:data:`UNCONFIRMED_L1` is the method before (every L1 candidate, penalty factor 3), which the
simulation shows raising false changes in flat lines under AR(1) noise and bad spells.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import ruptures as rpt
from scipy import stats
from statsmodels.tsa.stattools import acf

from analysis.errors import AnalysisError
from analysis.statistics.evidence import (
    INSTRUCTIONS,
    METRIC,
    TIME,
    layouts_per_row,
    process_summaries,
)
from analysis.views.history_options import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_SIZE,
    DEFAULT_MODEL,
    DEFAULT_PENALTY,
    MODELS,
)

FloatArray = npt.NDArray[np.float64]

#: What makes a line: runs that differ in any of these never share one. ``platform`` is what a
#: level depends on besides the code (:func:`platform_of`).
LINE_KEYS: tuple[str, ...] = (
    "metric",
    "platform",
    "python_version",
    "runtime",
    "workload_family",
    "workload",
    "params",
    "benchmark",
)
#: Columns of a change point after the line's keys.
CHANGE_COLUMNS: tuple[str, ...] = (
    "run_before",
    "run",
    "commit_before",
    "commit",
    "position",
    "ratio",
    "noise_sd",
)
_KERNEL_OF = {"l2": "linear"}
#: Share trimmed from each end by the confirming test (Yuen's trimmed Welch t).
DEFAULT_TRIM = 0.2
#: Consistency constant of the MAD for a normal distribution.
MAD_TO_SD = 1.4826
#: Largest lag-1 autocorrelation the variance inflation takes (beyond, a line is a trend).
MAX_AUTOCORRELATION = 0.9


@dataclass(frozen=True)
class Method:
    """How change points are found: PELT candidates, then (``alpha`` set) a confirming test."""

    model: str = DEFAULT_MODEL
    penalty: float = DEFAULT_PENALTY
    min_size: int = DEFAULT_MIN_SIZE
    #: Family-wise level of the confirming tests; None keeps every PELT candidate.
    alpha: float | None = DEFAULT_ALPHA
    trim: float = DEFAULT_TRIM
    #: Inflate the confirming test's variance for the line's lag-1 autocorrelation.
    autocorrelation: bool = True

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise AnalysisError(f"unknown model {self.model!r}; valid models: {', '.join(MODELS)}")
        if not self.penalty > 0:
            raise AnalysisError(f"--penalty must be above 0, not {self.penalty}")
        if self.min_size < 1:
            raise AnalysisError(f"--min-size must be at least 1, not {self.min_size}")
        if self.alpha is not None and not 0 < self.alpha < 1:
            raise AnalysisError(f"--alpha must be between 0 and 1, not {self.alpha}")

    def describe(self) -> str:
        formula = {
            "l2": "2 sigma^2 ln(n)",
            "l1": "(sigma / sqrt 2) ln(n)",
            "rank": "2 ln(n) (ranks are whitened)",
            "normal": "2 ln(n)",
        }[self.model]
        text = (
            f"Candidates: PELT (ruptures) with the {self.model} cost, segments of at least "
            f"{self.min_size} runs (a change must persist {self.min_size} runs), penalty "
            f"{self.penalty:g} * {formula}, where n is the number of runs of the line and sigma "
            "the noise of one run level: the larger of the robust run-to-run spread (1.4826 MAD "
            "of first differences / sqrt 2) and the process-level floor (median sd of process "
            "log means / sqrt processes)."
        )
        if self.alpha is None:
            return text + " Every candidate is reported."
        inflation = (
            ", its variance inflated by (1 + r) / (1 - r) for the lag-1 autocorrelation r of the "
            "line around its candidate segments (an effective sample size)"
            if self.autocorrelation
            else ""
        )
        return text + (
            f" Confirmation: each candidate is tested between the runs of its two neighbouring "
            f"segments with Yuen's {self.trim:.0%} trimmed Welch t (scipy){inflation}; it is "
            f"reported when its p-value is below {self.alpha:g} / m, m being the line's number "
            "of candidates (Bonferroni over the candidate points)."
        )


#: The method before it was chosen by simulation: every L1 candidate, penalty factor 3.
UNCONFIRMED_L1 = Method("l1", 3.0, 2, alpha=None, autocorrelation=False)


def run_order(values: pd.DataFrame) -> pd.DataFrame:
    """One row per run (``suite_run_id``): its commit, dates and position in the history."""
    frame = values[["suite_run_id", "suite_commit", "suite_commit_date", "date"]].copy()
    runs = frame.groupby("suite_run_id", sort=False).agg(
        suite_commit=("suite_commit", "first"),
        suite_commit_date=("suite_commit_date", "first"),
        run_date=("date", "min"),
    )
    commit_time = pd.to_datetime(
        runs["suite_commit_date"].where(runs["suite_commit_date"] != "unknown"),
        utc=True,
        errors="coerce",
        format="ISO8601",
    )
    run_time = pd.to_datetime(runs["run_date"], utc=True, errors="coerce", format="ISO8601")
    runs["order_time"] = commit_time.fillna(run_time)
    runs["ordered_by"] = np.where(commit_time.notna(), "commit date", "run date")
    runs = runs.reset_index().sort_values(["order_time", "run_date", "suite_run_id"])
    runs["position"] = range(len(runs))
    return runs.reset_index(drop=True)


def run_levels(values: pd.DataFrame) -> pd.DataFrame:
    """One row per line x run: ``log_level`` (mean of process log means) and process spread."""
    keys = [*LINE_KEYS, "suite_run_id"]
    processes = process_summaries(values, LINE_KEYS)  # keeps each process's suite_run_id
    levels = processes.groupby(keys, sort=False, dropna=False).agg(
        log_level=("log_mean", "mean"),
        processes=("log_mean", "size"),
        process_sd=("log_mean", "std"),
    )
    levels = levels.reset_index()
    levels["level_sd"] = levels["process_sd"] / np.sqrt(levels["processes"])
    return levels


def noise_sd(log_levels: np.ndarray, level_sds: np.ndarray) -> float:
    """The noise of one run level: run-to-run (robust) or process-level, whichever is larger."""
    estimates = [0.0]
    if len(log_levels) >= 3:
        differences = np.diff(log_levels)
        mad = np.median(np.abs(differences - np.median(differences)))
        estimates.append(MAD_TO_SD * float(mad) / math.sqrt(2))
    finite = level_sds[np.isfinite(level_sds)]
    if len(finite):
        estimates.append(float(np.median(finite)))
    sigma = max(estimates)
    return sigma if sigma > 0 else 1e-9


def penalty_value(method: Method, n: int, sigma: float) -> float:
    """The PELT penalty in the units of the method's cost (BIC's, scaled by ``penalty``)."""
    log_n = math.log(max(n, 2))
    if method.model == "l2":
        return method.penalty * 2 * sigma**2 * log_n
    if method.model == "l1":
        return method.penalty * sigma / math.sqrt(2) * log_n
    return method.penalty * 2 * log_n  # rank (whitened ranks), normal (a log-likelihood)


def candidate_points(log_levels: FloatArray, sigma: float, method: Method) -> list[int]:
    """Positions (into ``log_levels``) where PELT starts a new segment."""
    n = len(log_levels)
    if n < 2 * method.min_size or np.ptp(log_levels) == 0:
        return []
    signal = np.asarray(log_levels, dtype=float).reshape(-1, 1)
    if method.model in _KERNEL_OF:
        search = rpt.KernelCPD(kernel=_KERNEL_OF[method.model], min_size=method.min_size)
    else:
        search = rpt.Pelt(model=method.model, min_size=method.min_size, jump=1)
    breakpoints = search.fit(signal).predict(pen=penalty_value(method, n, sigma))
    return [int(b) for b in breakpoints[:-1]]


def best_split(log_levels: FloatArray, min_size: int) -> list[int]:
    """The one split of least l2 cost (ruptures' kernel search with one change), or none."""
    if len(log_levels) < 2 * min_size or not np.ptp(log_levels) > 0:
        return []
    search = rpt.KernelCPD(kernel="linear", min_size=min_size).fit(log_levels.reshape(-1, 1))
    return [int(b) for b in search.predict(n_bkps=1)[:-1]]


def autocorrelation(log_levels: FloatArray, starts: Sequence[int]) -> float:
    """The lag-1 autocorrelation r of a line's run noise: the sample autocorrelation of the
    residuals around the segments that ``starts`` make (``statsmodels``' ``acf``), corrected
    for its downward bias in short series, ``r + (1 + 3 r) / n`` (Kendall 1954), and clipped to
    [0, :data:`MAX_AUTOCORRELATION`]."""
    bounds = [0, *starts, len(log_levels)]
    residuals = np.concatenate(
        [log_levels[a:b] - log_levels[a:b].mean() for a, b in itertools.pairwise(bounds)]
    )
    if len(residuals) < 5 or not np.ptp(residuals) > 0:
        return 0.0
    r = float(acf(residuals, nlags=1, fft=False)[1])
    r += (1 + 3 * r) / len(residuals)
    return min(max(r, 0.0), MAX_AUTOCORRELATION)


def inflation_of(r: float) -> float:
    """``(1 + r) / (1 - r)``: how much the variance of a mean of n AR(1) runs exceeds that of
    n independent runs (the effective sample size is n divided by this)."""
    return (1 + r) / (1 - r)


def split_p_values(
    lines: Sequence[FloatArray],
    starts: Sequence[Sequence[int]],
    inflation: Sequence[float],
    method: Method,
) -> list[FloatArray]:
    """Per line, the p-value of each candidate: Yuen's trimmed Welch t between the runs of its
    two neighbouring segments (``scipy.stats.ttest_ind``, batched over splits of one shape),
    with its variance scaled up and its degrees of freedom down by the line's ``inflation``."""
    by_shape: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for index, (line, points) in enumerate(zip(lines, starts, strict=True)):
        bounds = [0, *points, len(line)]
        for rank, point in enumerate(points):
            shape = (point - bounds[rank], bounds[rank + 2] - point)
            by_shape.setdefault(shape, []).append((index, rank, bounds[rank]))
    p_values = [np.ones(len(points)) for points in starts]
    for (before, after), members in by_shape.items():
        first = np.array([lines[i][lo : lo + before] for i, _, lo in members])
        second = np.array([lines[i][lo + before : lo + before + after] for i, _, lo in members])
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            test = stats.ttest_ind(first, second, axis=1, equal_var=False, trim=method.trim)
        factor = np.array([inflation[i] for i, _, _ in members])
        t = np.asarray(test.statistic, dtype=float) / np.sqrt(factor)
        df = np.maximum(np.asarray(test.df, dtype=float) / factor, 1.0)
        p = 2 * stats.t.sf(np.abs(t), np.where(np.isfinite(df), df, 1.0))
        differ = first.mean(axis=1) != second.mean(axis=1)
        p = np.where(np.isnan(t), np.where(differ, 0.0, 1.0), p)  # constant segments
        for (i, rank, _), value in zip(members, p, strict=True):
            p_values[i][rank] = value
    return p_values


def change_points_of_lines(
    lines: Sequence[FloatArray], sigmas: Sequence[float], method: Method
) -> list[list[int]]:
    """Each line's confirmed change points: PELT candidates, kept when their test across the
    split is significant at ``alpha / m`` (Bonferroni over the line's m candidates). With
    ``autocorrelation``, the penalty's sigma is the long-run sd of the noise,
    ``sigma * sqrt(1 + r) / (1 - r)`` for the line's :func:`autocorrelation` r (``sigma``, from
    first differences, is ``sd * sqrt(1 - r)`` under AR(1)), and the tests' variance is
    inflated by :func:`inflation_of` r."""
    arrays = [np.asarray(line, dtype=float) for line in lines]
    rs = [0.0] * len(arrays)
    if method.autocorrelation:
        first = [best_split(line, method.min_size) for line in arrays]
        rs = [autocorrelation(line, points) for line, points in zip(arrays, first, strict=True)]
    starts = [
        candidate_points(line, sigma * math.sqrt(1 + r) / (1 - r), method)
        for line, sigma, r in zip(arrays, sigmas, rs, strict=True)
    ]
    if method.alpha is None:
        return starts
    p_values = split_p_values(arrays, starts, [inflation_of(r) for r in rs], method)
    return [
        [point for point, p in zip(points, ps, strict=True) if p < method.alpha / len(points)]
        for points, ps in zip(starts, p_values, strict=True)
    ]


def change_points(log_levels: FloatArray, sigma: float, method: Method) -> list[int]:
    """Positions (into ``log_levels``) where a new segment starts (one line)."""
    return change_points_of_lines([log_levels], [sigma], method)[0]


@dataclass(frozen=True)
class History:
    """Every line's runs with segment levels, the change points and the method."""

    runs: pd.DataFrame
    points: pd.DataFrame
    changes: pd.DataFrame
    method: Method


def segment_columns(line: pd.DataFrame, starts: list[int]) -> pd.DataFrame:
    """Segment number, segment level (median of its run levels) and the change flag per run."""
    line = line.copy()
    segment = np.zeros(len(line), dtype=int)
    for start in starts:
        segment[start:] += 1
    line["segment"] = segment
    line["segment_log_level"] = line.groupby("segment")["log_level"].transform("median")
    line["change_point"] = False
    line.iloc[starts, line.columns.get_loc("change_point")] = True
    return line


def layouts_phrase(values: pd.DataFrame) -> pd.Series:
    """``", 3 layouts"`` per row counted with ``--count-layouts 3``; nothing for one layout (and
    for counts made before layouts existed, which were counted in one)."""
    layouts = layouts_per_row(values)
    return (", " + layouts.astype(str) + " layouts").where(layouts > 1, "")


def platform_of(values: pd.DataFrame) -> pd.Series:
    """What a level depends on besides the code, per row: for wall time the machine
    (``AITER_BENCH_MACHINE`` or the host name) and its CPU model; for instruction counts the CPU
    architecture, the Valgrind that counted (not the host: CI runners of one architecture
    share a line), as :data:`analysis.views.regression.SAME_FOR_METRIC` pairs them, and the
    layouts of each count (:func:`layouts_phrase`): the minimum of three layouts and one layout
    differ by up to 1.5% on the same code (results/layouts-cost-2026-12-03/), so a change of
    ``--count-layouts`` starts a line of its own rather than a false change point."""

    def column(name: str) -> pd.Series:
        if name not in values:
            return pd.Series("unknown", index=values.index)
        return values[name].fillna("unknown").astype(str)

    machine = column("machine")
    machine = machine.where(machine != "unknown", column("hostname"))
    wall = machine + " (" + column("cpu_model_name") + ")"
    counted = column("cpu_arch") + ", Valgrind " + column("valgrind") + layouts_phrase(values)
    metric = values[METRIC] if METRIC in values else pd.Series(TIME, index=values.index)
    return counted.where(metric == INSTRUCTIONS, wall)


def build_history(values: pd.DataFrame, method: Method | None = None) -> History:
    """Trend lines and change points from the tidy frame of :func:`analysis.load_results`."""
    method = method or Method()
    values = values.copy()
    values[METRIC] = values[METRIC].fillna(TIME) if METRIC in values else TIME
    values["platform"] = platform_of(values)
    order = run_order(values)
    levels = run_levels(values).merge(
        order[["suite_run_id", "suite_commit", "order_time", "ordered_by", "position"]],
        on="suite_run_id",
    )
    levels = levels.sort_values([*LINE_KEYS, "position"], kind="stable")
    grouped = list(levels.groupby(list(LINE_KEYS), sort=True, dropna=False))
    frames = [line.reset_index(drop=True) for _, line in grouped]
    logs = [line["log_level"].to_numpy(dtype=float) for line in frames]
    sigmas = [
        noise_sd(log, line["level_sd"].to_numpy(dtype=float))
        for log, line in zip(logs, frames, strict=True)
    ]
    found = change_points_of_lines(logs, sigmas, method)
    lines: list[pd.DataFrame] = []
    change_rows: list[dict[str, object]] = []
    for (key, _), line, sigma, starts in zip(grouped, frames, sigmas, found, strict=True):
        line = segment_columns(line, starts)
        line["noise_sd"] = sigma
        lines.append(line)
        for start in starts:
            before = line["segment_log_level"].iloc[start - 1]
            after = line["segment_log_level"].iloc[start]
            change_rows.append(
                {
                    **dict(zip(LINE_KEYS, key, strict=True)),
                    "run_before": line["suite_run_id"].iloc[start - 1],
                    "run": line["suite_run_id"].iloc[start],
                    "commit_before": line["suite_commit"].iloc[start - 1],
                    "commit": line["suite_commit"].iloc[start],
                    "position": int(line["position"].iloc[start]),
                    "ratio": math.exp(after - before),
                    "noise_sd": sigma,
                }
            )
    points = pd.concat(lines, ignore_index=True)
    points["level"] = np.exp(points["log_level"])
    points["segment_level"] = np.exp(points["segment_log_level"])
    changes = pd.DataFrame(change_rows, columns=[*LINE_KEYS, *CHANGE_COLUMNS])
    if len(changes):
        severity = np.abs(np.log(changes["ratio"].to_numpy(dtype=float)))
        changes = changes.iloc[np.argsort(-severity, kind="stable")].reset_index(drop=True)
    return History(order, points, changes, method)


def lines_of(history: History) -> Sequence[tuple[tuple[object, ...], pd.DataFrame]]:
    """Each line's key and its runs, in run order."""
    return list(history.points.groupby(list(LINE_KEYS), sort=True, dropna=False))
