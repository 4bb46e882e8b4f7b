"""What the report says before its tables: machine, Python, libraries, modes, method."""

from __future__ import annotations

import pandas as pd

from analysis import fmt
from analysis.stats import Comparison

_CORRECTION_NAMES = {
    "holm": "Holm-adjusted (family-wise error rate)",
    "bh": "Benjamini-Hochberg-adjusted (false discovery rate)",
    "none": "not adjusted for multiple comparisons",
}


def _distinct(frame: pd.DataFrame, column: str) -> str:
    if column not in frame:
        return ""
    values = sorted({str(v) for v in frame[column].dropna() if str(v)})
    return ", ".join(values)


def context_facts(comparison: Comparison, context: str) -> list[tuple[str, str]]:
    """(label, value) pairs describing one context."""
    values = comparison.results.values
    rows = values[values["context"] == context]
    libraries = ", ".join(
        f"{name} {_distinct(rows, f'{name}_version')}" for name in ("anyio", "trio", "uvloop")
    )
    facts = [
        ("Machine", _distinct(rows, "hostname")),
        ("CPU", _distinct(rows, "cpu_model_name")),
        ("Platform", _distinct(rows, "platform")),
        ("Python", f"{_implementation(rows)} {_python_versions(rows)}"),
        ("Python build", _distinct(rows, "python_build")),
        ("Libraries", libraries),
        ("Mode", _distinct(rows, "suite_mode")),
        ("Runs", _distinct(rows, "suite_run_id")),
        ("Dates", _date_range(rows)),
        ("Runtimes", _distinct(rows, "runtime")),
        ("Files", _distinct(rows, "source_file")),
    ]
    facts += _incomplete(comparison, rows)
    modes = rows["suite_mode"].nunique()
    if modes > 1:
        facts.append(
            (
                "Warning",
                f"{modes} modes are mixed here; rows that compare values "
                "from different modes say so in the notes",
            )
        )
    return [(label, text.strip()) for label, text in facts if text.strip()]


def _incomplete(comparison: Comparison, rows: pd.DataFrame) -> list[tuple[str, str]]:
    """A warning for each run of this context that stopped before its end."""
    na = comparison.results.na
    facts = []
    for run in sorted(set(comparison.results.incomplete) & set(rows["suite_run_id"].astype(str))):
        missing = na[(na["suite_run_id"] == run) & (na["kind"] == "missing")]
        facts.append(
            (
                "Incomplete",
                f"run {run} stopped before its end (manifest complete: false); "
                f"{len(missing)} benchmark x runtime cells were not measured "
                "(listed as n/a: missing)",
            )
        )
    return facts


def _python_versions(rows: pd.DataFrame) -> str:
    if "python_version" not in rows:
        return ""
    return ", ".join(sorted({fmt.python_version(v) for v in rows["python_version"].dropna()}))


def _implementation(rows: pd.DataFrame) -> str:
    names = {"cpython": "CPython", "pypy": "PyPy"}
    return ", ".join(names.get(v, v) for v in _distinct(rows, "python_implementation").split(", "))


def _date_range(rows: pd.DataFrame) -> str:
    if "date" not in rows:
        return ""
    dates = sorted(str(d)[:16] for d in rows["date"].dropna())
    if not dates:
        return ""
    return dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"


def method(comparison: Comparison) -> str:
    """One paragraph: how ratios, intervals and verdicts are computed."""
    s = comparison.settings
    tested = int(comparison.ratios["p_value"].notna().sum())
    return (
        f"Ratio = median time per item on the runtime / median time per item on {s.baseline}, "
        f"for the same benchmark on the same machine and Python: below 1 is faster than "
        f"{s.baseline}. Intervals are {s.confidence:.0%} percentile bootstrap intervals "
        f"({s.n_bootstrap} resamples of the raw values, seed {s.seed}). Verdicts come from a "
        f"two-sided Mann-Whitney U test, {_CORRECTION_NAMES[s.correction]} across the "
        f"{tested} comparisons of this report, at alpha = {s.alpha:.2g}; a significant difference "
        f"smaller than {s.floor:.0%} is reported as not meaningful, and comparisons with too "
        "few values for any test to reach significance say so. Geometric means weight every "
        "benchmark equally; their intervals propagate each benchmark's bootstrap."
    )


def sources(comparison: Comparison) -> list[str]:
    """Every file the report was built from."""
    results = comparison.results
    return [str(p) for p in (*results.sources, *results.manifests)]
