"""Ratios to the baseline runtime, their confidence intervals and verdicts, geometric means.

A ratio is ``median time(runtime) / median time(baseline)`` of one benchmark (workload + every
parameter) in one context (machine + Python): above 1 means slower than the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import bootstrap, significance
from analysis.context import assign_context
from analysis.errors import AnalysisError
from analysis.load import Results
from analysis.verdict import NO_BASELINE, TOO_FEW, interval_verdict, verdict

#: Columns identifying one benchmark in one context.
BENCHMARK_KEY: list[str] = ["context", "workload_family", "workload", "params", "params_order"]


@dataclass(frozen=True)
class Settings:
    """How the comparison is computed."""

    baseline: str = "asyncio"
    confidence: float = 0.95
    floor: float = 0.02
    n_bootstrap: int = 2000
    seed: int = 12345
    correction: str = "holm"

    def __post_init__(self) -> None:
        if not 0.5 <= self.confidence < 1.0:
            raise AnalysisError(f"confidence must be in [0.5, 1), got {self.confidence}")
        if not 0.0 <= self.floor < 1.0:
            raise AnalysisError(f"floor must be in [0, 1), got {self.floor}")
        if self.n_bootstrap < 100:
            raise AnalysisError(f"bootstrap needs at least 100 resamples, got {self.n_bootstrap}")
        if self.correction not in significance.CORRECTIONS:
            choices = ", ".join(significance.CORRECTIONS)
            raise AnalysisError(f"unknown correction {self.correction!r} (choose {choices})")

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence


@dataclass(frozen=True)
class Comparison:
    """Everything the tables and plots show."""

    settings: Settings
    results: Results
    ratios: pd.DataFrame
    absolute: pd.DataFrame
    geomeans: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: Achieved concurrency of latency workloads (see :func:`concurrency_table`); may be empty.
    concurrency: pd.DataFrame = field(default_factory=pd.DataFrame)


def _joined(values: pd.Series) -> str:
    return ", ".join(sorted({str(v) for v in values}))


def _modes_note(runtime: str, rows: pd.DataFrame, baseline: str, base_rows: pd.DataFrame) -> str:
    notes = []
    mine, theirs = set(rows["suite_mode"]), set(base_rows["suite_mode"])
    if mine != theirs or len(mine) > 1:
        notes.append(
            f"modes differ: {runtime} {_joined(rows['suite_mode'])}, "
            f"{baseline} {_joined(base_rows['suite_mode'])}"
        )
    runs = set(rows["suite_run_id"]) | set(base_rows["suite_run_id"])
    if len(runs) > 1:
        notes.append(f"pooled from {len(runs)} runs")
    return "; ".join(notes)


def _pair(
    key: tuple[object, ...],
    runtime: str,
    rows: pd.DataFrame,
    base_rows: pd.DataFrame | None,
    settings: Settings,
) -> tuple[dict[str, object], np.ndarray]:
    """One row of the ratio table and its bootstrap log-ratio replicates."""
    values = rows["value"].to_numpy(dtype=float)
    row: dict[str, object] = dict(zip(BENCHMARK_KEY, key, strict=True))
    row.update(
        runtime=runtime,
        baseline=settings.baseline,
        item_unit=rows["item_unit"].iloc[0],
        n=len(values),
        median=float(np.median(values)),
    )
    nan_replicates = np.full(settings.n_bootstrap, np.nan)
    if base_rows is None:
        row.update(
            verdict=NO_BASELINE,
            note=f"{settings.baseline} was not measured",
            source_files=_joined(rows["source_file"]),
            suite_modes=_joined(rows["suite_mode"]),
        )
        return row, nan_replicates
    base = base_rows["value"].to_numpy(dtype=float)
    rng = bootstrap.rng_for(settings.seed, "|".join(map(str, (*key, runtime))))
    replicates = bootstrap.log_ratio_replicates(values, base, settings.n_bootstrap, rng)
    low, high = bootstrap.percentile_interval(replicates, settings.confidence)
    both = pd.concat([rows, base_rows])
    row.update(
        n_baseline=len(base),
        median_baseline=float(np.median(base)),
        ratio=float(np.median(values) / np.median(base)),
        ci_low=float(np.exp(low)),
        ci_high=float(np.exp(high)),
        p_value=significance.mann_whitney_p(values, base),
        testable=significance.smallest_attainable_p(len(values), len(base)) < settings.alpha,
        note=_modes_note(runtime, rows, settings.baseline, base_rows),
        suite_modes=_joined(both["suite_mode"]),
        source_files=_joined(both["source_file"]),
    )
    return row, replicates


RATIO_COLUMNS: list[str] = [
    *BENCHMARK_KEY,
    "runtime",
    "baseline",
    "item_unit",
    "n",
    "n_baseline",
    "median",
    "median_baseline",
    "ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "verdict",
    "suite_modes",
    "note",
    "source_files",
]


def ratio_table(values: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, np.ndarray]:
    """Every (benchmark, runtime) against the baseline, with adjusted verdicts.

    Returns the table and the bootstrap log-ratio replicates, one row per table row.
    """
    rows: list[dict[str, object]] = []
    replicates: list[np.ndarray] = []
    for key, group in values.groupby(BENCHMARK_KEY, sort=True):
        by_runtime = dict(tuple(group.groupby("runtime", sort=True)))
        base_rows = by_runtime.get(settings.baseline)
        for runtime, runtime_rows in by_runtime.items():
            if runtime == settings.baseline:
                continue
            row, reps = _pair(key, str(runtime), runtime_rows, base_rows, settings)
            rows.append(row)
            replicates.append(reps)
    table = pd.DataFrame.from_records(rows)
    for column in RATIO_COLUMNS:
        if column not in table:
            table[column] = np.nan
    table["p_adjusted"] = significance.adjust(table["p_value"].to_numpy(float), settings.correction)
    table["verdict"] = [
        given
        if isinstance(given, str)
        else verdict(r.ratio, r.p_adjusted, settings.alpha, settings.floor, bool(r.testable))
        for given, r in zip(table["verdict"], table.itertuples(), strict=True)
    ]
    table["note"] = table["note"].fillna("")
    matrix = np.vstack(replicates) if replicates else np.empty((0, settings.n_bootstrap))
    return table[RATIO_COLUMNS], matrix


def absolute_table(values: pd.DataFrame) -> pd.DataFrame:
    """Median and spread of the time per item, and throughput when the workload has one."""
    keys = [*BENCHMARK_KEY, "runtime", "item_unit"]
    grouped = values.groupby(keys, sort=True)
    table = (
        grouped["value"]
        .agg(
            n="size",
            median="median",
            q1=lambda s: s.quantile(0.25),
            q3=lambda s: s.quantile(0.75),
        )
        .reset_index()
    )
    table["iqr_rel"] = (table["q3"] - table["q1"]) / table["median"]
    bytes_per_item = grouped["bytes_per_item"].first().to_numpy(dtype=float)
    table["bytes_per_item"] = bytes_per_item
    table["items_per_second"] = 1.0 / table["median"]
    table["bytes_per_second"] = bytes_per_item / table["median"].to_numpy(float)
    table["suite_modes"] = grouped["suite_mode"].agg(_joined).to_numpy()
    table["source_files"] = grouped["source_file"].agg(_joined).to_numpy()
    return table


CONCURRENCY_COLUMNS: list[str] = [
    *BENCHMARK_KEY,
    "runtime",
    "n",
    "requested_sleep_per_item",
    "median",
    "concurrency",
    "ci_low",
    "ci_high",
]


def concurrency_table(values: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Achieved concurrency = requested sleep per item / median time per item.

    Only benchmarks whose values carry ``requested_sleep_per_item`` (latency workloads) get a
    row. The interval is the bootstrap interval of the median, inverted (concurrency falls as
    the time rises, so the bounds swap).
    """
    if "requested_sleep_per_item" not in values:
        return pd.DataFrame(columns=CONCURRENCY_COLUMNS)
    latency = values[values["requested_sleep_per_item"].notna()]
    rows: list[dict[str, object]] = []
    for key, group in latency.groupby([*BENCHMARK_KEY, "runtime"], sort=True):
        times = group["value"].to_numpy(dtype=float)
        sleep = float(group["requested_sleep_per_item"].median())
        median = float(np.median(times))
        rng = bootstrap.rng_for(settings.seed, "concurrency|" + "|".join(map(str, key)))
        low, high = bootstrap.percentile_interval(
            bootstrap.bootstrap_medians(times, settings.n_bootstrap, rng), settings.confidence
        )
        row: dict[str, object] = dict(zip([*BENCHMARK_KEY, "runtime"], key, strict=True))
        row.update(
            n=len(times),
            requested_sleep_per_item=sleep,
            median=median,
            concurrency=sleep / median,
            ci_low=sleep / high,
            ci_high=sleep / low,
        )
        rows.append(row)
    return pd.DataFrame.from_records(rows, columns=CONCURRENCY_COLUMNS)


def geomean_table(ratios: pd.DataFrame, replicates: np.ndarray, settings: Settings) -> pd.DataFrame:
    """Geometric mean of ratios per context and runtime: overall and per workload family."""
    paired = ratios["ratio"].notna().to_numpy()
    table = ratios[paired].reset_index(drop=True)
    reps = replicates[paired]
    rows: list[dict[str, object]] = []
    for (context, runtime), group in table.groupby(["context", "runtime"], sort=True):
        scopes = [("all", group), *group.groupby("workload_family", sort=True)]
        for family, scope in scopes:
            ratio = bootstrap.geometric_mean(scope["ratio"].to_numpy(float))
            low, high = bootstrap.geometric_mean_interval(reps[scope.index], settings.confidence)
            rows.append(
                {
                    "context": context,
                    "runtime": runtime,
                    "baseline": settings.baseline,
                    "workload_family": family,
                    "benchmarks": len(scope),
                    "geomean": ratio,
                    "ci_low": low,
                    "ci_high": high,
                    "verdict": TOO_FEW
                    if (scope["verdict"] == TOO_FEW).any()
                    else interval_verdict(ratio, low, high, settings.floor),
                }
            )
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "context",
            "runtime",
            "baseline",
            "workload_family",
            "benchmarks",
            "geomean",
            "ci_low",
            "ci_high",
            "verdict",
        ],
    )


def _check_baseline(values: pd.DataFrame, ratios: pd.DataFrame, baseline: str) -> list[str]:
    """Fail when nothing can be compared; return notes about partial gaps."""
    runtimes = sorted(set(values["runtime"]))
    if baseline not in runtimes:
        raise AnalysisError(
            f"baseline runtime {baseline!r} is in none of the files (runtimes found: "
            f"{', '.join(runtimes)}); pick one with --baseline"
        )
    if len(runtimes) > 1 and not ratios["ratio"].notna().any():
        raise AnalysisError(
            f"no benchmark was measured on both {baseline!r} and another runtime on the same "
            "machine and Python: the files have no common baseline"
        )
    notes = []
    for context, group in values.groupby("context", sort=True):
        if baseline not in set(group["runtime"]):
            notes.append(f"{context}: {baseline} was not measured, so nothing there is compared")
    if len(runtimes) == 1:
        notes.append(f"only {baseline} was measured: there is nothing to compare it with")
    return notes


def compare(results: Results, settings: Settings | None = None) -> Comparison:
    """Compute every table of the report.

    Runtimes are compared within each context (see :func:`analysis.context.assign_context`,
    applied here with its defaults when ``results`` has no ``context`` column yet).
    """
    settings = settings or Settings()
    if "context" not in results.values:
        results = assign_context(results)
    values = results.values
    ratios, replicates = ratio_table(values, settings)
    notes = _check_baseline(values, ratios, settings.baseline)
    return Comparison(
        settings=settings,
        results=results,
        ratios=ratios,
        absolute=absolute_table(values),
        geomeans=geomean_table(ratios, replicates, settings),
        notes=notes,
        concurrency=concurrency_table(values, settings),
    )
