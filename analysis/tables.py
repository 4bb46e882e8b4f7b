"""The report's tables as pandas frames of display text, one context at a time.

Each :class:`Table` holds the text of every cell and, in a frame of the same shape, a CSS
class for it (the verdict), so the Markdown and HTML renderers show the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis import fmt
from analysis.stats import Comparison
from analysis.verdict import TOO_FEW

#: Column names of the leading label columns.
WORKLOAD, PARAMS, PER = "workload", "parameters", "per"


@dataclass(frozen=True)
class Table:
    """Display text and per-cell CSS classes (same shape), with a title and footnotes."""

    title: str
    text: pd.DataFrame
    css: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _table(
    title: str, text: pd.DataFrame, css: pd.DataFrame | None = None, notes: list[str] | None = None
) -> Table:
    text = text.reset_index(drop=True).fillna("").astype(str)
    if css is None:
        css = pd.DataFrame("", index=text.index, columns=text.columns)
    else:
        css = css.reset_index(drop=True).reindex(columns=text.columns).fillna("").astype(str)
    return Table(title=title, text=text, css=css, notes=notes or [])


def css_class(verdict: str) -> str:
    """``no significant difference`` -> ``v-no-significant-difference``."""
    return "v-" + verdict.replace(" ", "-")


def runtimes(comparison: Comparison, context: str) -> list[str]:
    """Runtimes compared in ``context``: baseline first, then the rest alphabetically."""
    values = comparison.results.values
    present = sorted(set(values.loc[values["context"] == context, "runtime"]))
    na = comparison.results.na
    present += sorted(set(na.loc[na["context"] == context, "runtime"]) - set(present))
    baseline = comparison.settings.baseline
    return ([baseline] if baseline in present else []) + [r for r in present if r != baseline]


def _ratio_cell(row: pd.Series) -> str:
    if pd.isna(row["ratio"]):
        return str(row["verdict"])
    if row["verdict"] == TOO_FEW:  # a bootstrap of one value is no interval: show none
        counts = f"n={row['n']}/{row['n_baseline']:.0f}"
        return f"{fmt.ratio(row['ratio'])} {TOO_FEW} ({counts})"
    ci = fmt.interval(row["ci_low"], row["ci_high"])
    return f"{fmt.ratio(row['ratio'])} ({ci}) {row['verdict']}"


def _na_cells(comparison: Comparison, context: str) -> pd.DataFrame:
    na = comparison.results.na
    na = na[na["context"] == context]
    return na.assign(cell="n/a: " + na["kind"].astype(str))


def _benchmarks(comparison: Comparison, context: str) -> pd.DataFrame:
    """Every benchmark of the context (measured or n/a), in display order."""
    values = comparison.results.values
    values = values[values["context"] == context]
    keys = values[["workload_family", "workload", "params", "params_order", "item_unit"]]
    keys = keys.drop_duplicates(["workload", "params"])
    na = _na_cells(comparison, context)
    extra = na[
        ~na.set_index(["workload", "params"]).index.isin(
            keys.set_index(["workload", "params"]).index
        )
    ]
    if len(extra):
        known = values.drop_duplicates("workload").set_index("workload")["workload_family"]
        extra = extra.drop_duplicates(["workload", "params"]).assign(
            workload_family=lambda f: f["workload"].map(known).fillna("other"),
            params_order=10**9,
            item_unit="",
        )[keys.columns]
        keys = pd.concat([keys, extra])
    return keys.sort_values(["workload_family", "workload", "params_order", "params"]).reset_index(
        drop=True
    )


def _wide(
    comparison: Comparison,
    context: str,
    long: pd.DataFrame,
    columns: list[str],
    cell: str,
    css: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Benchmarks x runtime ``columns`` from a long frame with a ``cell`` text column."""
    keys = _benchmarks(comparison, context)
    text = keys[["workload", "params", "item_unit"]].rename(
        columns={"workload": WORKLOAD, "params": PARAMS, "item_unit": PER}
    )
    classes = pd.DataFrame("", index=text.index, columns=text.columns)
    na = _na_cells(comparison, context)
    for runtime in columns:
        measured = long[long["runtime"] == runtime].set_index(["workload", "params"])
        missing = na[na["runtime"] == runtime].set_index(["workload", "params"])
        texts, styles = [], []
        for workload, params in zip(keys["workload"], keys["params"], strict=True):
            if (workload, params) in measured.index:
                row = measured.loc[(workload, params)]
                texts.append(row[cell])
                styles.append(css_class(row[css]) if css else "")
            elif (workload, params) in missing.index:
                texts.append(missing.loc[(workload, params), "cell"])
                styles.append("na")
            else:
                texts.append("")
                styles.append("")
        text[runtime] = texts
        classes[runtime] = styles
    return text, classes


def ratio_table(comparison: Comparison, context: str) -> Table:
    """Ratio to the baseline with CI and verdict; the baseline's own time per item."""
    settings = comparison.settings
    ratios = comparison.ratios[comparison.ratios["context"] == context]
    ratios = ratios.assign(cell=[_ratio_cell(r) for _, r in ratios.iterrows()])
    others = [r for r in runtimes(comparison, context) if r != settings.baseline]
    text, css = _wide(comparison, context, ratios, others, "cell", "verdict")
    absolute = comparison.absolute
    base = absolute[(absolute["context"] == context) & (absolute["runtime"] == settings.baseline)]
    base = base.assign(cell=base["median"].map(fmt.seconds))
    base_text, base_css = _wide(comparison, context, base, [settings.baseline], "cell")
    label = f"{settings.baseline} time"
    text.insert(3, label, base_text[settings.baseline])
    css.insert(3, label, base_css[settings.baseline])
    notes = sorted(
        {f"{r.workload} [{r.params}] {r.runtime}: {r.note}" for r in ratios.itertuples() if r.note}
    )
    return _table(
        f"Ratio to {settings.baseline} (time per item; below 1 is faster)", text, css, notes
    )


def _spread_cell(row: pd.Series) -> str:
    if row["n"] < 2:
        return f"{fmt.seconds(row['median'])} (1 value)"
    return f"{fmt.seconds(row['median'])} ± {fmt.percent(row['iqr_rel'] / 2)}"


def absolute_table(comparison: Comparison, context: str) -> Table:
    """Median time per item and spread (half the interquartile range) per runtime."""
    absolute = comparison.absolute[comparison.absolute["context"] == context]
    absolute = absolute.assign(cell=[_spread_cell(r) for _, r in absolute.iterrows()])
    text, css = _wide(comparison, context, absolute, runtimes(comparison, context), "cell")
    return _table(
        "Time per item: median ± half the interquartile range",
        text,
        css,
        [
            "Each value is seconds per `per` unit (pyperf inner loops), "
            "over every value of every run."
        ],
    )


def throughput_table(comparison: Comparison, context: str) -> Table | None:
    """Throughput (MiB/s and items/s) for workloads that declare ``bytes_per_item``."""
    absolute = comparison.absolute
    absolute = absolute[(absolute["context"] == context) & absolute["bytes_per_item"].notna()]
    if absolute.empty:
        return None
    absolute = absolute.assign(
        cell=[
            f"{fmt.mib_per_second(r.bytes_per_second)} "
            f"({fmt.rate(r.items_per_second, r.item_unit)})"
            for r in absolute.itertuples()
        ]
    )
    text, css = _wide(comparison, context, absolute, runtimes(comparison, context), "cell")
    keep = text[WORKLOAD].isin(set(absolute["workload"]))
    return _table("Throughput (median)", text[keep], css[keep])


def _concurrency_cell(row: pd.Series) -> str:
    if row["n"] < 2:
        return f"{fmt.concurrency(row['concurrency'])} (1 value)"
    low, high = fmt.concurrency(row["ci_low"]), fmt.concurrency(row["ci_high"])
    return f"{fmt.concurrency(row['concurrency'])} ({low}{fmt.EN_DASH}{high})"


def concurrency_table(comparison: Comparison, context: str) -> Table | None:
    """Achieved concurrency of latency workloads, per runtime (None when none was measured)."""
    rows = comparison.concurrency
    if rows.empty:
        return None
    rows = rows[rows["context"] == context]
    if rows.empty:
        return None
    rows = rows.assign(cell=[_concurrency_cell(r) for _, r in rows.iterrows()])
    text, css = _wide(comparison, context, rows, runtimes(comparison, context), "cell")
    sleep = rows.drop_duplicates(["workload", "params"]).set_index(["workload", "params"])
    keep = [(w, p) in sleep.index for w, p in zip(text[WORKLOAD], text[PARAMS], strict=True)]
    text, css = text[keep], css[keep]
    label = "sleep requested"
    text.insert(
        3,
        label,
        [
            fmt.seconds(sleep.at[(w, p), "requested_sleep_per_item"])
            for w, p in zip(text[WORKLOAD], text[PARAMS], strict=True)
        ],
    )
    css.insert(3, label, "")
    confidence = f"{comparison.settings.confidence:.0%}"
    return _table(
        "Achieved concurrency (latency workloads)",
        text,
        css,
        [
            "Concurrency = sleep requested per `per` unit / median time per unit: 1 means the "
            "sleeps ran one after another, N that N of them overlapped on average.",
            f"In brackets: the {confidence} bootstrap interval of the median, inverted.",
        ],
    )


def _with_count(cell: str, benchmarks: int) -> str:
    return f"{cell} · {benchmarks} benchmark{'s' if benchmarks != 1 else ''}"


def geomean_table(comparison: Comparison, context: str) -> Table:
    """Geometric mean of ratios per runtime: overall and per workload family."""
    geo = comparison.geomeans[comparison.geomeans["context"] == context]
    geo = geo.assign(
        cell=[
            f"{fmt.ratio(r.geomean)} {TOO_FEW}"
            if r.verdict == TOO_FEW
            else f"{fmt.ratio(r.geomean)} ({fmt.interval(r.ci_low, r.ci_high)}) {r.verdict}"
            for r in geo.itertuples()
        ]
    )
    scopes = ["all", *sorted(set(geo["workload_family"]) - {"all"})]
    text = pd.DataFrame({"workload family": scopes})
    css = pd.DataFrame({"workload family": [""] * len(scopes)})
    for runtime in [r for r in runtimes(comparison, context) if r != comparison.settings.baseline]:
        mine = geo[geo["runtime"] == runtime].set_index("workload_family")
        text[runtime] = [
            _with_count(mine.at[s, "cell"], int(mine.at[s, "benchmarks"]))
            if s in mine.index
            else ""
            for s in scopes
        ]
        css[runtime] = [css_class(mine.at[s, "verdict"]) if s in mine.index else "" for s in scopes]
    return _table(f"Geometric mean of ratios to {comparison.settings.baseline}", text, css)


def na_table(comparison: Comparison, context: str) -> Table | None:
    """Every cell that was selected but not measured, with its reason."""
    na = comparison.results.na
    na = na[na["context"] == context]
    if na.empty:
        return None
    text = (
        na[["runtime", "workload", "params", "kind", "reason", "source_file"]]
        .rename(columns={"params": PARAMS, "source_file": "manifest"})
        .sort_values(["workload", PARAMS, "runtime"])
    )
    return _table("Not measured (n/a)", text)
