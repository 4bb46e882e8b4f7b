"""The report's view: each runtime against the baseline runtime, benchmark by benchmark.

A ratio is the geometric-mean time per item on a runtime divided by the baseline's, for one
benchmark (workload + every parameter) in one context (machine + Python): above 1 is slower.
Its interval and verdict come from :mod:`analysis.statistics.evidence` (t on per-process log means,
paired within interleaving blocks when the runtimes ran interleaved, else Welch's;
Bonferroni-simultaneous over every comparison of the context); this module only decides
what is paired with what, which rows are controls, and which benchmarks a geometric mean covers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.loading.load import Results
from analysis.statistics import evidence, roles
from analysis.statistics.context import assign_context
from analysis.statistics.layers import layer_table
from analysis.statistics.settings import Settings
from analysis.statistics.timer import read_timer_accuracy
from analysis.statistics.verdict import DIFFERENT, NO_BASELINE, RUNTIME_LABELS

#: Columns identifying one benchmark in one context.
BENCHMARK_KEY: list[str] = ["context", "workload_family", "workload", "params", "params_order"]
#: The family within which multiplicity is controlled: one context (machine x Python).
FAMILY_COLUMNS: list[str] = ["context"]


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
    #: anyio against native primitives per runtime (see :mod:`analysis.statistics.layers`); may be
    #: empty.
    layers: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Requested against achieved sleeps (see :mod:`analysis.statistics.timer`); may be empty.
    timers: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def speed_ratios(self) -> pd.DataFrame:
        return self.ratios[self.ratios["role"] != roles.CONTROL]

    @property
    def control_ratios(self) -> pd.DataFrame:
        return self.ratios[self.ratios["role"] == roles.CONTROL]


def _joined(values: pd.Series) -> str:
    return ", ".join(sorted({str(v) for v in values}))


def _files(joined: str) -> list[str]:
    return joined.split(", ")


def with_roles(values: pd.DataFrame) -> pd.DataFrame:
    return values.assign(role=roles.roles(values))


def _summaries(values: pd.DataFrame) -> pd.DataFrame:
    return evidence.process_summaries(values, [*BENCHMARK_KEY, "runtime"])


def _cell_facts(values: pd.DataFrame) -> pd.DataFrame:
    """Per benchmark x runtime: unit, role, modes, files."""
    grouped = values.groupby([*BENCHMARK_KEY, "runtime"], sort=True)
    return grouped.agg(
        item_unit=("item_unit", "first"),
        role=("role", "first"),
        suite_modes=("suite_mode", _joined),
        source_files=("source_file", _joined),
    ).reset_index()


def _pooling_note(runs: int, processes: int) -> str:
    return f"pooled from {runs} runs ({processes} processes)" if runs > 1 else ""


RATIO_COLUMNS: list[str] = [
    *BENCHMARK_KEY,
    "runtime",
    "baseline",
    "role",
    "item_unit",
    "n_processes",
    "n_processes_baseline",
    "n_runs",
    "time",
    "time_baseline",
    "log_diff",
    "se",
    "df",
    "paired",
    "unit",
    "floor",
    "family_size",
    "multiplicity",
    "decision_confidence",
    "ratio",
    "ci_low",
    "ci_high",
    "ci95_low",
    "ci95_high",
    "detectable",
    "verdict",
    "suite_modes",
    "note",
    "source_files",
]


def ratio_table(values: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Every (benchmark, runtime) against the baseline, with simultaneous intervals and verdicts.

    ``values`` is the tidy frame with ``context`` and ``role`` columns.
    """
    summaries = _summaries(values)
    facts = _cell_facts(values).set_index([*BENCHMARK_KEY, "runtime"])
    rows: list[dict[str, object]] = []
    for key, group in summaries.groupby(BENCHMARK_KEY, sort=True):
        by_runtime = dict(tuple(group.groupby("runtime", sort=True)))
        base = by_runtime.get(settings.baseline)
        for runtime, mine in by_runtime.items():
            if runtime == settings.baseline:
                continue
            fact = facts.loc[(*key, runtime)]
            row: dict[str, object] = dict(zip(BENCHMARK_KEY, key, strict=True))
            logs = mine["log_mean"].to_numpy(float)
            row.update(
                runtime=runtime,
                baseline=settings.baseline,
                role=fact["role"],
                item_unit=fact["item_unit"],
                n_processes=len(logs),
                time=math.exp(float(logs.mean())),
                floor=settings.floor,
            )
            if base is None:
                row.update(
                    log_diff=math.nan,
                    se=math.nan,
                    df=math.nan,
                    verdict=NO_BASELINE,
                    note=f"{settings.baseline} was not measured",
                    suite_modes=fact["suite_modes"],
                    source_files=fact["source_files"],
                )
                rows.append(row)
                continue
            base_fact = facts.loc[(*key, settings.baseline)]
            base_logs = base["log_mean"].to_numpy(float)
            estimate = evidence.cell_contrast(mine, base)
            both = pd.concat([mine, base])
            runs = both["suite_run_id"].nunique()
            modes = {fact["suite_modes"], base_fact["suite_modes"]}
            notes = [_pooling_note(runs, len(both))]
            if len(modes) > 1 or "," in fact["suite_modes"]:
                notes.append(f"modes differ: {' vs '.join(sorted(modes))}")
            row.update(
                n_processes_baseline=len(base_logs),
                n_runs=runs,
                time_baseline=math.exp(float(base_logs.mean())),
                **evidence.estimate_fields(estimate),
                note="; ".join(n for n in notes if n),
                suite_modes=_joined(pd.Series(sorted(modes))),
                source_files=", ".join(
                    sorted(
                        {*fact["source_files"].split(", "), *base_fact["source_files"].split(", ")}
                    )
                ),
            )
            rows.append(row)
    table = pd.DataFrame.from_records(rows)
    if table.empty:
        return pd.DataFrame(columns=RATIO_COLUMNS)
    given = table.pop("verdict") if "verdict" in table else pd.Series(np.nan, index=table.index)
    table = evidence.decide_table(table, FAMILY_COLUMNS, settings.confidence, RUNTIME_LABELS)
    table["verdict"] = [
        g if isinstance(g, str) else v for g, v in zip(given, table["verdict"], strict=True)
    ]
    for column in RATIO_COLUMNS:
        if column not in table:
            table[column] = np.nan
    table["note"] = table["note"].fillna("")
    return table[RATIO_COLUMNS]


ABSOLUTE_COLUMNS: list[str] = [
    *BENCHMARK_KEY,
    "runtime",
    "item_unit",
    "role",
    "n_processes",
    "n_values",
    "n_runs",
    "time",
    "time_low",
    "time_high",
    "process_sd",
    "bytes_per_item",
    "items_per_second",
    "bytes_per_second",
    "suite_modes",
    "source_files",
]


def absolute_table(values: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Geometric-mean time per item with its process-level interval, and the spread between
    worker processes (the standard deviation of process log means, read as a relative %)."""
    summaries = _summaries(values)
    facts = _cell_facts(values).set_index([*BENCHMARK_KEY, "runtime"])
    extra = values.groupby([*BENCHMARK_KEY, "runtime"], sort=True)["bytes_per_item"].first()
    rows: list[dict[str, object]] = []
    for key, group in summaries.groupby([*BENCHMARK_KEY, "runtime"], sort=True):
        logs = group["log_mean"].to_numpy(float)
        estimate = evidence.level(logs)
        low, high = evidence.interval(estimate, settings.confidence)
        time = math.exp(estimate.log_diff)
        bytes_per_item = float(extra.loc[key])
        fact = facts.loc[key]
        row: dict[str, object] = dict(zip([*BENCHMARK_KEY, "runtime"], key, strict=True))
        row.update(
            item_unit=fact["item_unit"],
            role=fact["role"],
            n_processes=len(logs),
            n_values=int(group["n_values"].sum()),
            n_runs=group["suite_run_id"].nunique(),
            time=time,
            time_low=math.exp(low),
            time_high=math.exp(high),
            process_sd=math.expm1(float(logs.std(ddof=1))) if len(logs) > 1 else math.nan,
            bytes_per_item=bytes_per_item,
            items_per_second=1.0 / time,
            bytes_per_second=bytes_per_item / time,
            suite_modes=fact["suite_modes"],
            source_files=fact["source_files"],
        )
        rows.append(row)
    return pd.DataFrame.from_records(rows, columns=ABSOLUTE_COLUMNS)


CONCURRENCY_COLUMNS: list[str] = [
    *BENCHMARK_KEY,
    "runtime",
    "n_processes",
    "requested_sleep_per_item",
    "time",
    "concurrency",
    "ci_low",
    "ci_high",
]


def concurrency_table(values: pd.DataFrame, absolute: pd.DataFrame) -> pd.DataFrame:
    """Achieved concurrency = requested sleep per item / geometric-mean time per item.

    Only benchmarks whose values carry ``requested_sleep_per_item`` (latency workloads) get a
    row. The interval is the process-level interval of the time, inverted (the bounds swap).
    """
    if "requested_sleep_per_item" not in values:
        return pd.DataFrame(columns=CONCURRENCY_COLUMNS)
    latency = values[values["requested_sleep_per_item"].notna()]
    sleeps = latency.groupby([*BENCHMARK_KEY, "runtime"], sort=True)[
        "requested_sleep_per_item"
    ].median()
    times = absolute.set_index([*BENCHMARK_KEY, "runtime"])
    rows: list[dict[str, object]] = []
    for key, sleep in sleeps.items():
        cell = times.loc[key]
        row: dict[str, object] = dict(zip([*BENCHMARK_KEY, "runtime"], key, strict=True))
        row.update(
            n_processes=cell["n_processes"],
            requested_sleep_per_item=float(sleep),
            time=cell["time"],
            concurrency=sleep / cell["time"],
            ci_low=sleep / cell["time_high"],
            ci_high=sleep / cell["time_low"],
        )
        rows.append(row)
    return pd.DataFrame.from_records(rows, columns=CONCURRENCY_COLUMNS)


GEOMEAN_COLUMNS: list[str] = [
    "context",
    "runtime",
    "baseline",
    "workload_family",
    "benchmarks",
    "geomean",
    "noise_low",
    "noise_high",
    "between_low",
    "between_high",
]


def common_benchmarks(ratios: pd.DataFrame) -> pd.DataFrame:
    """Speed rows of the benchmarks estimable on *every* runtime of their context.

    A benchmark n/a (or too thin) on one runtime is left out for all, so each runtime's
    geometric mean covers the same benchmarks. Controls and timer-bound cells are left out.
    """
    speed = ratios[(ratios["role"] == roles.SPEED) & ratios["se"].notna()]
    keep = []
    for context, group in speed.groupby("context", sort=True):
        everyone = set(ratios.loc[ratios["context"] == context, "runtime"])
        counts = group.groupby(["workload", "params"])["runtime"].nunique()
        complete = set(counts[counts == len(everyone)].index)
        keys = zip(group["workload"], group["params"], strict=True)
        keep.append(group[[k in complete for k in keys]])
    return pd.concat(keep) if keep else speed.iloc[:0]


def geomean_table(ratios: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Geometric mean of ratios per context and runtime: overall and per workload family."""
    table = common_benchmarks(ratios)
    rows: list[dict[str, object]] = []
    for (context, runtime), group in table.groupby(["context", "runtime"], sort=True):
        scopes = [("all", group), *group.groupby("workload_family", sort=True)]
        for family, scope in scopes:
            summary = evidence.geometric_summary(
                scope["log_diff"].to_numpy(float),
                scope["se"].to_numpy(float),
                scope["df"].to_numpy(float),
                settings.confidence,
            )
            rows.append(
                {
                    "context": context,
                    "runtime": runtime,
                    "baseline": settings.baseline,
                    "workload_family": family,
                    "benchmarks": summary.benchmarks,
                    "geomean": summary.ratio,
                    "noise_low": summary.noise_low,
                    "noise_high": summary.noise_high,
                    "between_low": summary.between_low,
                    "between_high": summary.between_high,
                }
            )
    return pd.DataFrame.from_records(rows, columns=GEOMEAN_COLUMNS)


def control_alarms(ratios: pd.DataFrame) -> pd.DataFrame:
    """Controls whose interval lies wholly beyond the floor band, per context.

    They show a systematic difference that no runtime can cause: the real floor of this
    machine is at least their spread.
    """
    controls = ratios[ratios["role"] == roles.CONTROL]
    return controls[controls["verdict"].isin(DIFFERENT)]


def control_spread(ratios: pd.DataFrame, context: str) -> tuple[float, float, int]:
    """(smallest, largest) control ratio of a context, and how many controls were compared."""
    controls = ratios[(ratios["role"] == roles.CONTROL) & (ratios["context"] == context)]
    controls = controls[controls["ratio"].notna()]
    if controls.empty:
        return math.nan, math.nan, 0
    return float(controls["ratio"].min()), float(controls["ratio"].max()), len(controls)


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

    Runtimes are compared within each context (see
    :func:`analysis.statistics.context.assign_context`, applied here with its defaults when
    ``results`` has no ``context`` column yet).
    """
    settings = settings or Settings()
    if "context" not in results.values:
        results = assign_context(results)
    values = with_roles(results.values)
    ratios = ratio_table(values, settings)
    notes = [*results.notes, *_check_baseline(values, ratios, settings.baseline)]
    absolute = absolute_table(values, settings)
    return Comparison(
        settings=settings,
        results=results,
        ratios=ratios,
        absolute=absolute,
        geomeans=geomean_table(ratios, settings),
        notes=notes,
        concurrency=concurrency_table(values, absolute),
        layers=layer_table(values, settings.confidence, settings.floor),
        timers=read_timer_accuracy(results.timer_accuracy),
    )


def comparison_metric(comparison: Comparison) -> str:
    """``instructions`` when the compared values are instruction counts, else ``time``."""
    values = comparison.results.values
    if "metric" in values and len(values) and (values["metric"] == "instructions").all():
        return "instructions"
    return "time"
