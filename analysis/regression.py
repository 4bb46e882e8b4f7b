"""``compare``: one version of the code against another, benchmark by benchmark.

The regression view over the statistics core (:mod:`analysis.evidence`): the same runtime, the
same benchmark and the same Python are paired across a BASELINE and a CANDIDATE result (folders
or files; shards of one side are merged first), and each pair gets the candidate/baseline ratio
of geometric-mean times with a t interval on per-process log means: paired within the ABBA
blocks of an interleaved ``ab`` run (see :func:`analysis.evidence.contrast`), Welch's for runs
made apart. Intervals are
Bonferroni-simultaneous over *every* comparison of the run (after merging shards, never per
shard), and each gives one verdict against its threshold t, by the gate rule of
:func:`analysis.evidence.decide`: **regression** (the interval lies wholly above 1 and reaches
above ``1 + t``: a slowdown is shown and may be as large as t), **improvement** (the mirror
image), **equivalent** (wholly inside ``[1/(1+t), 1+t]``: any change is shown to be under t) or
**inconclusive**.
"""

from __future__ import annotations

import fnmatch
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import evidence
from analysis.errors import AnalysisError
from analysis.load import Results, load_results
from analysis.verdict import EQUIVALENT, IMPROVEMENT, INCONCLUSIVE, REGRESSION, VERSION_LABELS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

#: The thresholds file shipped with the suite (looser for noisier families).
DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")
DEFAULT_THRESHOLD = 0.05
#: What identifies one comparison: the same benchmark on the same runtime and Python.
PAIR_KEY: list[str] = ["workload_family", "workload", "params", "benchmark", "runtime", "python"]
FAIL_ON: tuple[str, ...] = ("regression", "inconclusive", "never")

#: Exit codes of ``python -m analysis compare``.
EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3


@dataclass(frozen=True)
class Thresholds:
    """The default threshold and per-benchmark overrides (glob on the benchmark name)."""

    default: float = DEFAULT_THRESHOLD
    overrides: Mapping[str, float] = field(default_factory=dict)
    source: str = "built-in"

    def for_benchmark(self, name: str) -> float:
        """The first override whose pattern matches ``name`` (file order), else the default."""
        for pattern, value in self.overrides.items():
            if fnmatch.fnmatchcase(name, pattern):
                return value
        return self.default


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
    except tomllib.TOMLDecodeError as exc:
        raise AnalysisError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"default", "overrides"}
    if unknown:
        raise AnalysisError(
            f"{path}: unknown keys {', '.join(sorted(unknown))} (valid: default, overrides)"
        )
    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict):
        raise AnalysisError(f"{path}: [overrides] must be a table of pattern = threshold")
    return Thresholds(
        default=_threshold_value(path, "default", data.get("default", DEFAULT_THRESHOLD))
        if default is None
        else default,
        overrides={k: _threshold_value(path, k, v) for k, v in overrides.items()},
        source=str(path),
    )


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
        if fail_on == "inconclusive" and self.count(INCONCLUSIVE):
            return EXIT_INCONCLUSIVE
        return EXIT_OK

    def headline(self) -> str:
        """The one-line verdict."""
        total = len(self.rows)
        counts = ", ".join(
            f"{self.count(v)} {v}"
            for v in (REGRESSION, IMPROVEMENT, EQUIVALENT, INCONCLUSIVE, VERSION_LABELS.too_few)
            if self.count(v)
        )
        if self.count(REGRESSION):
            worst = self.regressions.iloc[0]
            return (
                f"Regression: {self.count(REGRESSION)} of {total} comparisons are slower beyond "
                f"their threshold (worst: {worst['benchmark']} on {worst['runtime']}, "
                f"{worst['ratio']:.3f}x); {counts}."
            )
        return f"No regression in {total} comparisons: {counts}."


def _python(values: pd.DataFrame) -> pd.Series:
    implementation = values["python_implementation"].astype(str)
    version = values["python_version"].astype(str).str.replace(r"\s*\(\d+-bit\)", "", regex=True)
    return implementation + " " + version


def _identity(results: Results, column: str) -> set[str]:
    return {str(v) for v in results.values[column].dropna().unique()}


def check_same_machine(baseline: Results, candidate: Results) -> None:
    """Refuse to pair different machines or CPU models: a difference would be the machine."""
    for column, what in (("hostname", "machines"), ("cpu_model_name", "CPU models")):
        base, cand = _identity(baseline, column), _identity(candidate, column)
        if base != cand:
            raise AnalysisError(
                f"the two sides ran on different {what} (baseline: {', '.join(sorted(base))}; "
                f"candidate: {', '.join(sorted(cand))}): a ratio would measure the machine; "
                "instead measure both sides interleaved on one machine (python -m benchmarks ab "
                "--baseline A --candidate B), or count instructions, which do not depend on the "
                "machine's speed (python -m benchmarks run --measure instructions); or pass "
                "--allow-different-machines"
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
) -> Comparison:
    """Pair every benchmark x runtime x Python of the two sides and decide each pair."""
    thresholds = thresholds or Thresholds()
    if not allow_different_machines:
        check_same_machine(baseline, candidate)
    notes = [*baseline.notes, *candidate.notes]
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
        label = f"{key[3]} on {key[4]}"
        if len(sides) < 2:
            only[next(iter(sides))].append(label)
            continue
        base, cand = sides["baseline"], sides["candidate"]
        estimate = evidence.contrast(
            cand["log_mean"].to_numpy(float),
            base["log_mean"].to_numpy(float),
            list(cand[evidence.BLOCK]),
            list(base[evidence.BLOCK]),
        )
        row: dict[str, object] = dict(zip(PAIR_KEY, key, strict=True))
        row.update(
            n_processes_baseline=len(base),
            n_processes_candidate=len(cand),
            time_baseline=math.exp(float(base["log_mean"].mean())),
            time_candidate=math.exp(float(cand["log_mean"].mean())),
            log_diff=estimate.log_diff,
            se=estimate.se,
            df=estimate.df,
            paired=estimate.paired,
            floor=thresholds.for_benchmark(str(key[3])),
        )
        rows.append(row)
    if not rows:
        raise AnalysisError(
            "the baseline and the candidate have no benchmark x runtime in common: "
            "nothing to compare"
        )
    table = evidence.decide_table(
        pd.DataFrame(rows), [], confidence, VERSION_LABELS, rule=evidence.GATE
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
