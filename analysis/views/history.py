"""History: a trend per benchmark x runtime x Python x machine over many runs, with change points.

**Runs in order.** Runs are ordered by the commit date of the suite they measured
(``suite_commit_date``), falling back to the date pyperf recorded for the run when the commit is
unknown. Runs of different machines (``machine``: ``AITER_BENCH_MACHINE`` or the host name, and
``cpu_model_name``) or Python versions never share a line.

**One level per run.** A run's level on a line is the mean over its worker processes of each
process's mean log time per item (:func:`analysis.statistics.evidence.process_summaries`), i.e. the
log of a geometric mean with the worker process as the unit, as everywhere else in the suite.

**Change points.** ``ruptures``' PELT (Killick, Fearnhead and Eckley, *JASA* 2012: the exact
optimum of a penalised cost, in linear time) runs on each line's sequence of run levels, with a
segment of at least ``min_size`` runs (2: one odd run is an outlier, not a change). The penalty
is BIC's, in the units of each cost, scaled by ``penalty`` (default 3):

- ``l2`` (Gaussian mean shift): ``penalty * 2 * sigma^2 * ln(n)``;
- ``l1`` (Laplace, median shift; the default, robust to a single wild run):
  ``penalty * b * ln(n)`` with the Laplace scale ``b = sigma / sqrt(2)``;
- ``rank`` (nonparametric; ranks are whitened by ruptures, so their noise variance is 1):
  ``penalty * 2 * ln(n)``.

``sigma``, the noise of one run level, is the larger of two estimates: the run-to-run spread,
``1.4826 * MAD(first differences) / sqrt(2)`` (robust to the steps it looks for, since only one
difference per step is affected), and the process-level floor, the median over runs of
``sd(process log means) / sqrt(processes)`` (what a run's level would vary by if only its
processes were random). BIC alone (``penalty=1``) assumes a single change is tested; PELT
searches every split of the series, so the largest of many null gains is compared with the
penalty, and BIC then raises false changes in flat noisy series. A factor of 3 keeps a flat
series of 30 runs free of false changes in the seeded simulation of the tests while a step of
four noise standard deviations is found at the right run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import ruptures as rpt

from analysis.errors import AnalysisError
from analysis.statistics.evidence import process_summaries

#: What makes a line: runs that differ in any of these never share one.
LINE_KEYS: tuple[str, ...] = (
    "machine",
    "cpu_model_name",
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
MODELS: tuple[str, ...] = ("l1", "rank", "l2")
DEFAULT_MODEL = "l1"
DEFAULT_PENALTY = 3.0
DEFAULT_MIN_SIZE = 2
#: Consistency constant of the MAD for a normal distribution.
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Method:
    """How change points are found."""

    model: str = DEFAULT_MODEL
    penalty: float = DEFAULT_PENALTY
    min_size: int = DEFAULT_MIN_SIZE

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise AnalysisError(f"unknown model {self.model!r}; valid models: {', '.join(MODELS)}")
        if not self.penalty > 0:
            raise AnalysisError(f"--penalty must be above 0, not {self.penalty}")
        if self.min_size < 1:
            raise AnalysisError(f"--min-size must be at least 1, not {self.min_size}")

    def describe(self) -> str:
        formula = {
            "l2": "2 sigma^2 ln(n)",
            "l1": "(sigma / sqrt 2) ln(n)",
            "rank": "2 ln(n) (ranks are whitened)",
        }[self.model]
        return (
            f"PELT (ruptures) with the {self.model} cost, segments of at least {self.min_size} "
            f"runs, penalty {self.penalty:g} * {formula}, where n is the number of runs of the "
            "line and sigma the noise of one run level: the larger of the robust run-to-run "
            "spread (1.4826 MAD of first differences / sqrt 2) and the process-level floor "
            "(median sd of process log means / sqrt processes)."
        )


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
    """The PELT penalty in the units of the method's cost (see the module docstring)."""
    log_n = math.log(max(n, 2))
    if method.model == "l2":
        return method.penalty * 2 * sigma**2 * log_n
    if method.model == "l1":
        return method.penalty * sigma / math.sqrt(2) * log_n
    return method.penalty * 2 * log_n


def change_points(log_levels: np.ndarray, sigma: float, method: Method) -> list[int]:
    """Positions (into ``log_levels``) where a new segment starts."""
    n = len(log_levels)
    if n < 2 * method.min_size or np.ptp(log_levels) == 0:
        return []
    signal = np.asarray(log_levels, dtype=float).reshape(-1, 1)
    algorithm = rpt.Pelt(model=method.model, min_size=method.min_size, jump=1).fit(signal)
    breakpoints = algorithm.predict(pen=penalty_value(method, n, sigma))
    return [int(b) for b in breakpoints[:-1]]


@dataclass(frozen=True)
class History:
    """Every line's runs with segment levels, the change points and the method."""

    runs: pd.DataFrame
    points: pd.DataFrame
    changes: pd.DataFrame
    method: Method
    counts_by_model: dict[str, int]


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


def build_history(values: pd.DataFrame, method: Method | None = None) -> History:
    """Trend lines and change points from the tidy frame of :func:`analysis.load_results`."""
    method = method or Method()
    values = values.copy()
    if "machine" not in values:
        values["machine"] = "unknown"
    values["machine"] = values["machine"].where(values["machine"] != "unknown", values["hostname"])
    order = run_order(values)
    levels = run_levels(values).merge(
        order[["suite_run_id", "suite_commit", "order_time", "ordered_by", "position"]],
        on="suite_run_id",
    )
    levels = levels.sort_values([*LINE_KEYS, "position"], kind="stable")
    lines: list[pd.DataFrame] = []
    change_rows: list[dict[str, object]] = []
    counts = dict.fromkeys(MODELS, 0)
    for key, line in levels.groupby(list(LINE_KEYS), sort=True, dropna=False):
        line = line.reset_index(drop=True)
        logs = line["log_level"].to_numpy(dtype=float)
        sigma = noise_sd(logs, line["level_sd"].to_numpy(dtype=float))
        for model in MODELS:
            other = Method(model, method.penalty, method.min_size)
            counts[model] += len(change_points(logs, sigma, other))
        starts = change_points(logs, sigma, method)
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
    changes = pd.DataFrame(
        change_rows,
        columns=[*LINE_KEYS, *CHANGE_COLUMNS],
    )
    if len(changes):
        severity = np.abs(np.log(changes["ratio"].to_numpy(dtype=float)))
        changes = changes.iloc[np.argsort(-severity, kind="stable")].reset_index(drop=True)
    return History(order, points, changes, method, counts)


def lines_of(history: History) -> Sequence[tuple[tuple[object, ...], pd.DataFrame]]:
    """Each line's key and its runs, in run order."""
    return list(history.points.groupby(list(LINE_KEYS), sort=True, dropna=False))
