"""The report's first sentences, generated from the data: the answer, then how sure it is.

1. Each runtime's geometric-mean ratio to the baseline over the benchmarks all runtimes share,
   with its noise interval (the same figures as the geometric-mean table's "all" row).
2. How many speed comparisons were decided (faster, slower or equivalent) and how many not.
3. How noisy the run was: the median spread between worker processes of one benchmark, and the
   smallest difference this run could have detected (median over the inconclusive comparisons),
   which is what an inconclusive verdict means here.
"""

from __future__ import annotations

from analysis import fmt
from analysis.rendering.tables import runtimes
from analysis.statistics import roles
from analysis.statistics.stats import Comparison, comparison_metric
from analysis.statistics.verdict import EQUIVALENT, FASTER, INCONCLUSIVE, SLOWER


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def answer(comparison: Comparison, context: str) -> str | None:
    """``Per item, trio takes 1.56x asyncio's time (1.53-1.60) and uvloop 0.73x (...)``."""
    geo = comparison.geomeans
    geo = geo[(geo["context"] == context) & (geo["workload_family"] == "all")]
    if geo.empty:
        return None
    baseline = comparison.settings.baseline
    by_runtime = geo.set_index("runtime")
    parts = []
    for runtime in [r for r in runtimes(comparison, context) if r in by_runtime.index]:
        row = by_runtime.loc[runtime]
        ratio = fmt.ratio(row["geomean"])
        cost = "instructions" if comparison_metric(comparison) == "instructions" else "time"
        of = f"takes {ratio} {baseline}'s {cost}" if not parts else ratio  # the first: of what
        parts.append(f"{runtime} {of} ({fmt.interval(row['noise_low'], row['noise_high'])})")
    benchmarks = int(geo["benchmarks"].max())
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    confidence = f"{comparison.settings.confidence:.0%}"
    return (
        f"Per item, {joined}: geometric means over the same {_plural(benchmarks, 'benchmark')} "
        f"for every runtime, with {confidence} intervals; below 1 is faster than {baseline}."
    )


def decided(comparison: Comparison, context: str) -> str | None:
    """``Of the 43 speed comparisons, 31 are decided (...) and 12 inconclusive.``"""
    speed = comparison.ratios
    speed = speed[(speed["context"] == context) & (speed["role"] != roles.CONTROL)]
    speed = speed[speed["ratio"].notna()]
    if speed.empty:
        return None
    counts = speed["verdict"].value_counts()
    faster, slower = int(counts.get(FASTER, 0)), int(counts.get(SLOWER, 0))
    equivalent, inconclusive = int(counts.get(EQUIVALENT, 0)), int(counts.get(INCONCLUSIVE, 0))
    rest = len(speed) - faster - slower - equivalent - inconclusive
    text = (
        f"Of the {_plural(len(speed), 'speed comparison')} (benchmark x runtime against "
        f"{comparison.settings.baseline}), {faster + slower + equivalent} are decided "
        f"({faster} faster, {slower} slower, {equivalent} equivalent) and "
        f"{inconclusive} inconclusive"
    )
    if rest:
        text += f"; {rest} could not be judged (too few processes)"
    return text + "."


def noise(comparison: Comparison, context: str) -> str | None:
    """The median process spread and the median smallest detectable difference."""
    absolute = comparison.absolute
    spread = absolute.loc[absolute["context"] == context, "process_sd"].dropna()
    if spread.empty:
        return None
    text = (
        f"How noisy the run was: worker processes of one benchmark differed by "
        f"{fmt.percent(float(spread.median()))} (median spread between processes, over "
        f"{_plural(len(spread), 'cell')})"
    )
    ratios = comparison.ratios
    open_ = ratios[
        (ratios["context"] == context)
        & (ratios["role"] != roles.CONTROL)
        & (ratios["verdict"] == INCONCLUSIVE)
    ]["detectable"].dropna()
    if open_.empty:
        return text + "."
    return (
        f"{text}, so the smallest difference this run could have detected was "
        f"{fmt.percent(float(open_.median()))} (median over the inconclusive comparisons): "
        "in an inconclusive cell, a difference smaller than its detectable size (shown in the "
        "ratio table) cannot be told apart from none."
    )


def sentences(comparison: Comparison, context: str) -> list[str]:
    """The two or three headline sentences for one context (machine x Python), in order."""
    made = (answer(comparison, context), decided(comparison, context), noise(comparison, context))
    return [s for s in made if s is not None]
