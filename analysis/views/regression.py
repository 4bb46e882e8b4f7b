"""``compare``: one version of the code against another, benchmark by benchmark.

The regression view over the statistics core (:mod:`analysis.statistics.evidence`): the same
runtime, the same benchmark and the same Python are paired across a BASELINE and a CANDIDATE result
(folders or files; shards of one side are merged first), and each pair gets the candidate/baseline
ratio of geometric-mean times with an interval on the unit of evidence the design allows
(:func:`analysis.statistics.evidence.cell_contrast`): the blocks of an interleaved ``ab`` run
(Yuen's trimmed paired t), the runs of results made apart (at least three per side; fewer gives "not
interleaved: no verdict" with the ratio shown), or the processes of instruction counts.
Intervals are Bonferroni-simultaneous over *every* comparison of the run (after merging shards,
never per shard), and each gives one verdict against its threshold t, by the gate rule of
:func:`analysis.statistics.evidence.decide`: **regression** (the interval lies wholly above 1 and
its upper end above ``1 + t``: shown to be slower, and not shown to stay under t), **improvement**
(the mirror image), **equivalent** (wholly inside ``[1/(1+t), 1+t]``: any change is shown to be
under t) or **inconclusive**.
"""

from __future__ import annotations

import fnmatch
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.loading.load import Results, load_results
from analysis.statistics import evidence
from analysis.statistics.verdict import (
    EQUIVALENT,
    IMPROVEMENT,
    INCONCLUSIVE,
    NOT_INTERLEAVED,
    REGRESSION,
    VERSION_LABELS,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

#: The thresholds file shipped with the suite (looser for noisier families).
DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")
DEFAULT_THRESHOLD = 0.05
#: What identifies one comparison: the same benchmark on the same runtime and Python.
PAIR_KEY: list[str] = [
    "metric",
    "workload_family",
    "workload",
    "params",
    "benchmark",
    "runtime",
    "python",
]
#: Where the benchmark name and the runtime sit in :data:`PAIR_KEY`.
_BENCHMARK, _RUNTIME = PAIR_KEY.index("benchmark"), PAIR_KEY.index("runtime")
#: The default threshold of instruction counts: counts of CPU-bound cells repeat to within a few
#: hundredths of a percent between processes and runs, so 0.5% is ten times their spread, and
#: a 1% slowdown of an item's instructions is caught with its interval clear of the threshold
#: (docs/instructions.md).
DEFAULT_INSTRUCTIONS_THRESHOLD = 0.005
#: The least instruction threshold between environments whose paths differ in length.
DEFAULT_BETWEEN_ENVIRONMENTS = 0.02
FAIL_ON: tuple[str, ...] = ("regression", "inconclusive", "never")

#: Verdicts the headline counts first.
SHOWN_VERDICTS = (REGRESSION, IMPROVEMENT, EQUIVALENT, INCONCLUSIVE)
#: Exit codes of ``python -m analysis compare``.
EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3


@dataclass(frozen=True)
class Thresholds:
    """The default threshold and per-benchmark overrides (glob on the benchmark name)."""

    default: float = DEFAULT_THRESHOLD
    overrides: Mapping[str, float] = field(default_factory=dict)
    source: str = "built-in"
    #: The thresholds of instruction counts (the ``[instructions]`` table).
    instructions_default: float = DEFAULT_INSTRUCTIONS_THRESHOLD
    instructions_overrides: Mapping[str, float] = field(default_factory=dict)
    #: The least instruction threshold between environments at paths of different lengths
    #: (``[instructions] between_environments``; see :func:`environments_differ`).
    instructions_between_environments: float = DEFAULT_BETWEEN_ENVIRONMENTS

    def for_benchmark(self, name: str, metric: str = "time") -> float:
        """The first override whose pattern matches ``name`` (file order), else the default,
        from the table of the metric."""
        if metric == "instructions":
            overrides, default = self.instructions_overrides, self.instructions_default
        else:
            overrides, default = self.overrides, self.default
        for pattern, value in overrides.items():
            if fnmatch.fnmatchcase(name, pattern):
                return value
        return default


def _threshold_value(path: Path, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise AnalysisError(
            f"{path}: threshold {key!r} must be a number in [0, 1) such as 0.05, got {value!r}"
        )
    return float(value)


def load_thresholds(path: Path | None, default: float | None = None) -> Thresholds:
    """Read a thresholds TOML file (``default = 0.05`` and an ``[overrides]`` table)."""
    path = path or DEFAULT_THRESHOLDS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AnalysisError(f"{path}: cannot read the thresholds file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise AnalysisError(f"{path}: not a text file (not UTF-8); give a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise AnalysisError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"default", "overrides", "instructions"}
    if unknown:
        raise AnalysisError(
            f"{path}: unknown keys {', '.join(sorted(unknown))} "
            "(valid: default, overrides, instructions)"
        )
    time_default, time_overrides = _table(path, data, "", DEFAULT_THRESHOLD)
    counted = data.get("instructions", {})
    if not isinstance(counted, dict) or set(counted) - {
        "default",
        "overrides",
        "between_environments",
    }:
        raise AnalysisError(
            f"{path}: [instructions] must be a table with default, between_environments and "
            "[instructions.overrides]"
        )
    between = _threshold_value(
        path,
        "instructions.between_environments",
        counted.get("between_environments", DEFAULT_BETWEEN_ENVIRONMENTS),
    )
    count_default, count_overrides = _table(
        path, counted, "instructions.", DEFAULT_INSTRUCTIONS_THRESHOLD
    )
    return Thresholds(
        default=time_default if default is None else default,
        overrides=time_overrides,
        source=str(path),
        instructions_default=count_default,
        instructions_overrides=count_overrides,
        instructions_between_environments=between,
    )


def _table(
    path: Path, data: Mapping[str, object], prefix: str, fallback: float
) -> tuple[float, dict[str, float]]:
    """The default and overrides of one thresholds table."""
    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict):
        raise AnalysisError(f"{path}: [{prefix}overrides] must be a table of pattern = threshold")
    default = _threshold_value(path, f"{prefix}default", data.get("default", fallback))
    return default, {k: _threshold_value(path, k, v) for k, v in overrides.items()}


@dataclass(frozen=True)
class Comparison:
    """Everything ``compare`` reports."""

    rows: pd.DataFrame
    confidence: float
    thresholds: Thresholds
    only_baseline: list[str]
    only_candidate: list[str]
    notes: list[str]
    baseline_sources: tuple[Path, ...]
    candidate_sources: tuple[Path, ...]

    @property
    def regressions(self) -> pd.DataFrame:
        rows = self.rows[self.rows["verdict"] == REGRESSION]
        return rows.sort_values(["ci_low", "ratio"], ascending=False)

    @property
    def improvements(self) -> pd.DataFrame:
        rows = self.rows[self.rows["verdict"] == IMPROVEMENT]
        return rows.sort_values(["ci_high", "ratio"])

    def count(self, verdict: str) -> int:
        return int((self.rows["verdict"] == verdict).sum())

    def exit_code(self, fail_on: str) -> int:
        if fail_on == "never":
            return EXIT_OK
        if self.count(REGRESSION):
            return EXIT_REGRESSION
        # Too few processes, or runs made apart without a verdict, decide nothing either.
        undecided = sum(
            self.count(v) for v in (INCONCLUSIVE, VERSION_LABELS.too_few, NOT_INTERLEAVED)
        )
        if fail_on == "inconclusive" and undecided:
            return EXIT_INCONCLUSIVE
        return EXIT_OK

    def headline(self) -> str:
        """The one-line verdict."""
        total = len(self.rows)
        counts = ", ".join(
            f"{self.count(v)} {v}"
            for v in (*SHOWN_VERDICTS, VERSION_LABELS.too_few, NOT_INTERLEAVED)
            if self.count(v)
        )
        if self.count(REGRESSION):
            worst = self.regressions.iloc[0]
            return (
                f"Regression: {self.count(REGRESSION)} of {total} comparisons are shown to be "
                "slower and not shown to stay under their threshold "
                f"(worst: {worst['benchmark']} on {worst['runtime']}, "
                f"{worst['ratio']:.3f}x); {counts}."
            )
        return f"No regression in {total} comparisons: {counts}."


def _python(values: pd.DataFrame) -> pd.Series:
    implementation = values["python_implementation"].astype(str)
    version = values["python_version"].astype(str).str.replace(r"\s*\(\d+-bit\)", "", regex=True)
    return implementation + " " + version


def _identity(results: Results, column: str, metric: str | None = None) -> set[str]:
    values = results.values
    if metric is not None:
        values = values[values["metric"] == metric]
    if column == "machine" and "machine" in values:
        # The suite's machine (AITER_BENCH_MACHINE or the host name), not pyperf's hostname
        # (CI runners get a new one every job); the hostname only for older results.
        machine = values["machine"].astype(str)
        return set(machine.where(machine != "unknown", values["hostname"].astype(str)).unique())
    if column not in values:
        return set()
    return {str(v) for v in values[column].dropna().unique()}


#: What must match for the ratio of two sides to measure the code, per metric: wall time
#: depends on the machine; an instruction count on the CPU architecture and the Valgrind that
#: counted it (not on the host, so CI runners of one architecture compare honestly).
SAME_FOR_METRIC: dict[str, tuple[tuple[str, str], ...]] = {
    "time": (("machine", "machines"), ("cpu_model_name", "CPU models")),
    "instructions": (("cpu_arch", "CPU architectures"), ("valgrind", "Valgrind versions")),
}


def environments_differ(baseline: Results, candidate: Results) -> tuple[set[str], set[str]] | None:
    """The two sides' paths (the interpreter's or the fixture root, the first that differs)
    when their instruction counts come from environments whose paths differ in length (another
    virtualenv, another checkout, another ``--fixture-root``), else None.

    A process's allocations, and with them pymalloc's pool state and the addresses its regions
    hash, follow the sizes of its paths: the same code counted in two such environments moved
    by up to 1.50% (``protocol.sync_reference``, three environments, 2026-12-02). The sides of
    one ``ab`` run live at paths of one length, and repeats in one environment agree exactly."""
    for column in COUNT_PATH_COLUMNS:
        paths = (
            _identity(baseline, column, "instructions"),
            _identity(candidate, column, "instructions"),
        )
        lengths = ({len(path) for path in paths[0]}, {len(path) for path in paths[1]})
        if paths[0] and paths[1] and lengths[0] != lengths[1]:
            return paths
    return None


#: The paths a counted process holds before its regions whose lengths move its counts beyond
#: what the history-shift thresholds allow for: the interpreter's (up to 1.50%) and its
#: fixtures' folder (``count_fixture_root``, recorded since 2026-12-03: up to 0.45%, against the
#: 0.5% default; a side without one is not compared on it). Counts record the suite folder too
#: (``count_suite_folder``), but it is not here: an ``ab`` of the working tree against a commit
#: has sources at paths of two lengths, which moved protocol cells by at most 0.25%, half the
#: default threshold and within every history-shift threshold.
COUNT_PATH_COLUMNS = ("python_executable", "count_fixture_root")


def cpu_features_differ(baseline: Results, candidate: Results) -> tuple[set[str], set[str]] | None:
    """The two sides' CPU feature fingerprints (``cpu_features``) when both sides' instruction
    counts carry one and they differ, else None: glibc and the interpreter choose string and
    memory functions by the host's flags, which a generic model name does not show."""
    features = (
        _identity(baseline, "cpu_features", "instructions"),
        _identity(candidate, "cpu_features", "instructions"),
    )
    if not features[0] or not features[1] or features[0] == features[1]:
        return None
    return features


def check_same_machine(baseline: Results, candidate: Results) -> None:
    """Refuse to pair different machines or CPU models: a difference would be the machine."""
    for metric, columns in SAME_FOR_METRIC.items():
        if not (_identity(baseline, "metric") & _identity(candidate, "metric") & {metric}):
            continue
        for column, what in columns:
            base = _identity(baseline, column, metric)
            cand = _identity(candidate, column, metric)
            if base != cand:
                advice = (
                    "rerun both sides interleaved on one machine (python -m benchmarks ab), "
                    "compare instruction counts instead (run --measure instructions), or pass "
                    "--allow-different-machines"
                    if metric == "time"
                    else "count both sides with the same Valgrind on one architecture, or pass "
                    "--allow-different-machines"
                )
                raise AnalysisError(
                    f"the two sides' {metric} results come from different {what} (baseline: "
                    f"{', '.join(sorted(base))}; candidate: {', '.join(sorted(cand))}): a ratio "
                    f"would measure the machine; {advice}"
                )


def layouts_of(results: Results) -> set[str]:
    """The layout counts (``count_layouts``) of a side's instruction counts; counts made before
    layouts existed were counted in one."""
    values = results.values
    if "metric" in values:
        values = values[values["metric"] == "instructions"]
    return {str(layouts) for layouts in evidence.layouts_per_row(values).unique()}


def check_same_layouts(baseline: Results, candidate: Results) -> None:
    """Refuse instruction counts made with different ``--count-layouts``: the minimum of three
    layouts and a single layout differ by up to 1.5% on the same code
    (results/layouts-cost-2026-12-03/), so their ratio would measure the setting."""
    base, cand = layouts_of(baseline), layouts_of(candidate)
    if base and cand and base != cand:
        raise AnalysisError(
            f"the two sides' instruction counts were made with different --count-layouts "
            f"(baseline: {', '.join(sorted(base))}; candidate: {', '.join(sorted(cand))}): "
            "count both sides with the same number of layouts"
        )


def check_different_measurements(baseline: Results, candidate: Results) -> None:
    """Refuse a comparison of results with themselves (``compare X X``, or a run copied to
    both sides): the same worker processes on both sides show no difference by construction."""
    shared = set(baseline.values["process_id"]) & set(candidate.values["process_id"])
    if shared:
        raise AnalysisError(
            f"the baseline and the candidate hold the same measurements ({len(shared)} worker "
            "process(es) are on both sides): compare two different runs"
        )


def unproven_blocks(baseline: Results, candidate: Results) -> bool:
    """Whether block labels cannot prove that processes of the two sides ran together.

    Blocks pair only processes of one interleaved experiment: the two sides of one ``ab`` carry
    different run ids and the same experiment id inside their block labels. Two sides sharing
    a run id are two runs whose ids are not unique (results made before run ids had a random
    part, named after their folders): equal labels there prove nothing.
    """
    return bool(set(baseline.values["suite_run_id"]) & set(candidate.values["suite_run_id"]))


def _apart(summaries: pd.DataFrame, side: str) -> pd.DataFrame:
    """A side's process summaries as a run made apart: no blocks, run ids of its own."""
    return summaries.assign(
        **{evidence.BLOCK: None, "suite_run_id": side + ":" + summaries["suite_run_id"].astype(str)}
    )


def _side(results: Results, name: str, pair_python: bool) -> pd.DataFrame:
    values = results.values
    return values.assign(python=_python(values) if pair_python else "any", side=name)


def compare_results(
    baseline: Results,
    candidate: Results,
    *,
    thresholds: Thresholds | None = None,
    confidence: float = 0.95,
    allow_different_machines: bool = False,
    family_size: int | None = None,
) -> Comparison:
    """Pair every benchmark x runtime x Python of the two sides and decide each pair."""
    thresholds = thresholds or Thresholds()
    check_different_measurements(baseline, candidate)
    check_same_layouts(baseline, candidate)
    if not allow_different_machines:
        check_same_machine(baseline, candidate)
    notes = [*baseline.notes, *candidate.notes]
    pair_blocks = not unproven_blocks(baseline, candidate)
    if not pair_blocks:
        notes.append(
            "the two sides share a run id, so their interleaving blocks cannot be shown to "
            "belong together: compared unpaired (Welch)"
        )
    drift = environments_differ(baseline, candidate)
    if drift is not None:
        notes.append(
            "the sides' instruction counts come from environments at paths of different "
            f"lengths ({', '.join(sorted(drift[0]))} vs {', '.join(sorted(drift[1]))}), which "
            "moved counts of the same code by up to 1.5% here: instruction thresholds are at "
            f"least {thresholds.instructions_between_environments:.1%} (count both sides from "
            "paths of one length, as `ab` does, to judge finer)"
        )
    features = cpu_features_differ(baseline, candidate)
    if features is not None:
        notes.append(
            "the sides' instruction counts come from hosts whose CPU feature flags differ "
            f"({', '.join(sorted(features[0]))} vs {', '.join(sorted(features[1]))}): glibc "
            "and the interpreter may run other string and memory functions there, so counts "
            "can move without a change of code"
        )
    pythons = (_identity(baseline, "python_version"), _identity(candidate, "python_version"))
    pair_python = pythons[0] == pythons[1] or len(pythons[0]) != 1 or len(pythons[1]) != 1
    if not pair_python:
        notes.append(
            f"the sides ran different Pythons ({', '.join(sorted(pythons[0]))} vs "
            f"{', '.join(sorted(pythons[1]))}): benchmarks are paired across them"
        )
    values = pd.concat(
        [_side(baseline, "baseline", pair_python), _side(candidate, "candidate", pair_python)],
        ignore_index=True,
    )
    summaries = evidence.process_summaries(values, [*PAIR_KEY, "side"])
    rows: list[dict[str, object]] = []
    only: dict[str, list[str]] = {"baseline": [], "candidate": []}
    for key, group in summaries.groupby(PAIR_KEY, sort=True):
        sides = dict(tuple(group.groupby("side")))
        label = f"{key[_BENCHMARK]} on {key[_RUNTIME]}"
        if key[0] != "time":
            label += f" ({key[0]})"
        if len(sides) < 2:
            only[next(iter(sides))].append(label)
            continue
        base, cand = sides["baseline"], sides["candidate"]
        if not pair_blocks:  # no proof the two sides ran together: two runs made apart
            base, cand = _apart(base, "baseline"), _apart(cand, "candidate")
        estimate = evidence.cell_contrast(cand, base)
        row: dict[str, object] = dict(zip(PAIR_KEY, key, strict=True))
        row.update(
            n_processes_baseline=len(base),
            n_processes_candidate=len(cand),
            time_baseline=math.exp(float(base["log_mean"].mean())),
            time_candidate=math.exp(float(cand["log_mean"].mean())),
            n_runs_baseline=base["suite_run_id"].nunique(),
            n_runs_candidate=cand["suite_run_id"].nunique(),
            **evidence.estimate_fields(estimate),
            floor=_floor(thresholds, key, drift is not None),
        )
        rows.append(row)
    if not rows:
        raise AnalysisError(
            "the baseline and the candidate have no benchmark x runtime in common: "
            "nothing to compare"
        )
    table = evidence.decide_table(
        pd.DataFrame(rows), [], confidence, VERSION_LABELS, evidence.GATE, family_size
    )
    table = table.rename(columns={"floor": "threshold"})
    return Comparison(
        rows=table,
        confidence=confidence,
        thresholds=thresholds,
        only_baseline=only["baseline"],
        only_candidate=only["candidate"],
        notes=notes,
        baseline_sources=baseline.sources,
        candidate_sources=candidate.sources,
    )


def _floor(thresholds: Thresholds, key: tuple[object, ...], other_environments: bool) -> float:
    """The pair's threshold: the thresholds file's, and for instruction counts from two
    environments at least the drift between environments."""
    floor = thresholds.for_benchmark(str(key[_BENCHMARK]), str(key[0]))
    if other_environments and key[0] == "instructions":
        return max(floor, thresholds.instructions_between_environments)
    return floor


def compare_paths(
    baseline: Sequence[str | Path],
    candidate: Sequence[str | Path],
    **options: object,
) -> Comparison:
    """Load both sides (folders are searched recursively: shards merge) and compare them."""
    for name, paths in (("baseline", baseline), ("candidate", candidate)):
        if not paths:
            raise AnalysisError(f"the {name} side is missing: give a results folder or file")
    return compare_results(load_results(baseline), load_results(candidate), **options)  # type: ignore[arg-type]
