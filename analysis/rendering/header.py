"""What the report says before its tables: machine, Python, libraries, modes, method."""

from __future__ import annotations

import pandas as pd

from analysis import fmt
from analysis.statistics import evidence, stats
from analysis.statistics.stats import Comparison


def _distinct(frame: pd.DataFrame, column: str) -> str:
    if column not in frame:
        return ""
    values = sorted({str(v) for v in frame[column].dropna().unique() if str(v)})
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


def _pairing(comparison: Comparison) -> str:
    """How many comparisons were paired within interleaving blocks, in words."""
    if "paired" not in comparison.ratios or not len(comparison.ratios):
        return " (Welch's)"
    paired, estimable = evidence.paired_count(comparison.ratios)
    if paired == 0:
        return " (Welch's: these processes were not run interleaved)"
    return (
        ": paired within interleaving blocks (one worker process of each runtime, run back to "
        f"back) for {paired} of {estimable} comparisons, so that the machine's slow changes "
        "of speed cancel; Welch's for the rest"
    )


def method(comparison: Comparison) -> str:
    """One paragraph: how ratios, intervals and verdicts are computed."""
    s = comparison.settings
    band = f"[{1 / (1 + s.floor):.3f}, {1 + s.floor:.3f}]"
    return (
        "The worker process is the unit of evidence: each pyperf worker process is summarised "
        "by the mean log time per item of its values, and every interval is built on those "
        "summaries, never on the values of one process as if they were independent. "
        f"Ratio = geometric-mean time per item on the runtime / on {s.baseline}, for the same "
        f"benchmark on the same machine and Python: below 1 is faster than {s.baseline}. "
        f"Intervals are t intervals on the per-process log means{_pairing(comparison)}, "
        "made Bonferroni-"
        f"simultaneous over every comparison of one machine and Python (overall "
        f"{s.confidence:.0%}). One interval gives the verdict, against the floor band {band} "
        f"(floor {s.floor:.0%}): **faster**/**slower** when the whole interval lies beyond "
        "it, *equivalent* when it lies wholly inside, *inconclusive* otherwise, shown with the "
        "smallest difference this data could have detected (80% power). With fewer than two "
        "processes on a side no interval exists: *too few processes*."
    )


def control_warning(comparison: Comparison, context: str) -> str | None:
    """The header line when a negative control's interval lies beyond the floor band."""
    alarms = stats.control_alarms(comparison.ratios)
    alarms = alarms[alarms["context"] == context]
    if alarms.empty:
        return None
    low, high, count = stats.control_spread(comparison.ratios, context)
    return (
        f"{len(alarms)} of {count} negative controls differ beyond the "
        f"{comparison.settings.floor:.0%} floor, although they never reach the scheduler: "
        f"this machine's systematic spread between runtimes is {fmt.ratio(low)} to "
        f"{fmt.ratio(high)}, so read differences of that size as environment, not runtime."
    )


def sources(comparison: Comparison) -> list[str]:
    """Every file the report was built from."""
    results = comparison.results
    return [str(p) for p in (*results.sources, *results.manifests)]
