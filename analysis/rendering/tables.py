"""The report's tables as pandas frames of display text, one context at a time.

Each :class:`Table` holds the text of every cell and, in a frame of the same shape, a CSS
class for it (the verdict), so the Markdown and HTML renderers show the same content.
"""

from __future__ import annotations

import pandas as pd

from analysis import fmt
from analysis.rendering.markup import literal
from analysis.statistics import stats
from analysis.statistics.stats import Comparison
from analysis.statistics.verdict import INCONCLUSIVE, NOT_INTERLEAVED, TOO_FEW
from analysis.table_model import Table, css_class

#: Column names of the leading label columns.
WORKLOAD, PARAMS, PER = "workload", "parameters", "per"


def _table(
    title: str, text: pd.DataFrame, css: pd.DataFrame | None = None, notes: list[str] | None = None
) -> Table:
    text = text.reset_index(drop=True).fillna("").astype(str)
    if css is None:
        css = pd.DataFrame("", index=text.index, columns=text.columns)
    else:
        css = css.reset_index(drop=True).reindex(columns=text.columns).fillna("").astype(str)
    return Table(title=title, text=text, css=css, notes=notes or [])


def runtimes(comparison: Comparison, context: str) -> list[str]:
    """Runtimes compared in ``context``: baseline first, then the rest alphabetically."""
    values = comparison.results.values
    present = sorted(set(values.loc[values["context"] == context, "runtime"].unique()))
    na = comparison.results.na
    present += sorted(set(na.loc[na["context"] == context, "runtime"]) - set(present))
    baseline = comparison.settings.baseline
    return ([baseline] if baseline in present else []) + [r for r in present if r != baseline]


def _ratio_cell(row: pd.Series) -> str:
    if pd.isna(row["ratio"]):
        return str(row["verdict"])
    if row["verdict"] == NOT_INTERLEAVED:  # runs made apart: the ratio, no verdict
        return f"{fmt.ratio(row['ratio'])} {NOT_INTERLEAVED}"
    if row["verdict"] == TOO_FEW:  # no variance between processes can be estimated
        counts = f"{row['n_processes']:.0f}/{row['n_processes_baseline']:.0f} processes"
        return f"{fmt.ratio(row['ratio'])} {TOO_FEW} ({counts})"
    ci = fmt.interval(row["ci_low"], row["ci_high"])
    cell = f"{fmt.ratio(row['ratio'])} ({ci}) {row['verdict']}"
    if row["verdict"] == INCONCLUSIVE and pd.notna(row["detectable"]):
        cell += f", detectable {fmt.percent(row['detectable'])}"
    return cell


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


def _ratio_rows_table(
    comparison: Comparison, context: str, ratios: pd.DataFrame, title: str, notes: list[str]
) -> Table:
    settings = comparison.settings
    ratios = ratios[ratios["context"] == context]
    ratios = ratios.assign(cell=[_ratio_cell(r) for _, r in ratios.iterrows()])
    others = [r for r in runtimes(comparison, context) if r != settings.baseline]
    text, css = _wide(comparison, context, ratios, others, "cell", "verdict")
    keep = [
        (w, p) in set(zip(ratios["workload"], ratios["params"], strict=True))
        or not _is_measured(comparison, context, w, p)
        for w, p in zip(text[WORKLOAD], text[PARAMS], strict=True)
    ]
    absolute = comparison.absolute
    base = absolute[(absolute["context"] == context) & (absolute["runtime"] == settings.baseline)]
    metric = stats.comparison_metric(comparison)
    base = base.assign(cell=[fmt.per_item(v, metric) for v in base["time"]])
    base_text, base_css = _wide(comparison, context, base, [settings.baseline], "cell")
    label = f"{settings.baseline} {'instructions' if metric == 'instructions' else 'time'}"
    text.insert(3, label, base_text[settings.baseline])
    css.insert(3, label, base_css[settings.baseline])
    row_notes = sorted(
        {
            literal(f"{r.workload} [{r.params}] {r.runtime}: {r.note}")
            for r in ratios.itertuples()
            if r.note
        }
    )
    return _table(title, text[keep], css[keep], [*notes, *row_notes])


def _is_measured(comparison: Comparison, context: str, workload: str, params: str) -> bool:
    values = comparison.results.values
    mine = values[(values["context"] == context) & (values["workload"] == workload)]
    return bool((mine["params"] == params).any())


def family_note(comparison: Comparison, context: str) -> str:
    """Which family the simultaneous intervals cover, and how many comparisons it held."""
    ratios = comparison.ratios[comparison.ratios["context"] == context]
    sizes = ratios["family_size"].dropna()
    size = int(sizes.max()) if len(sizes) else 0
    level = ratios["decision_confidence"].dropna()
    each = f"{level.iloc[0]:.4%}" if len(level) else "n/a"
    return (
        f"Intervals are Bonferroni-simultaneous over the {size} comparisons of this machine and "
        f"Python (speed, controls and timer cells together): each is a {each} interval, so all "
        f"{size} cover their true ratios at once with probability at least "
        f"{comparison.settings.confidence:.0%}."
    )


def ratio_table(comparison: Comparison, context: str) -> Table:
    """Ratio to the baseline with its simultaneous interval and verdict (controls excluded)."""
    settings = comparison.settings
    return _ratio_rows_table(
        comparison,
        context,
        comparison.speed_ratios,
        f"Ratio to {settings.baseline} (time per item; below 1 is faster)",
        [
            "Cells read: ratio (simultaneous interval) verdict; an inconclusive cell gives the "
            "smallest difference its data could have detected. The verdicts are defined under "
            "Method.",
            family_note(comparison, context),
        ],
    )


def control_table(comparison: Comparison, context: str) -> Table | None:
    """The negative controls: benchmarks that never reach the scheduler."""
    controls = comparison.control_ratios
    if controls[controls["context"] == context].empty:
        return None
    low, high, count = stats.control_spread(comparison.ratios, context)
    notes = [
        "Controls never reach the scheduler (`protocol.sync_reference`, every `mode=nosuspend` "
        "cell): a difference here is the environment (memory layout, modules imported), not "
        "the runtime. They stay out of the geometric means.",
        f"Observed systematic spread of the {count} controls: "
        f"{fmt.ratio(low)} to {fmt.ratio(high)}.",
    ]
    return _table(
        f"Negative controls: ratio to {comparison.settings.baseline}",
        *_control_frames(comparison, context, controls),
        notes=notes,
    )


def _control_frames(
    comparison: Comparison, context: str, controls: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = _ratio_rows_table(comparison, context, controls, "", [])
    return table.text, table.css


def _spread_cell(row: pd.Series, metric: str = "time") -> str:
    time = fmt.per_item(row["time"], metric)
    if row["n_processes"] < 2:
        return f"{time} (1 process)"
    interval = fmt.interval_per_item(row["time_low"], row["time_high"], metric)
    return f"{time} ({interval}) · sd {fmt.percent(row['process_sd'])}"


def absolute_table(comparison: Comparison, context: str) -> Table:
    """Geometric-mean time per item, its interval and the spread between worker processes."""
    absolute = comparison.absolute[comparison.absolute["context"] == context]
    metric = stats.comparison_metric(comparison)
    absolute = absolute.assign(cell=[_spread_cell(r, metric) for _, r in absolute.iterrows()])
    text, css = _wide(comparison, context, absolute, runtimes(comparison, context), "cell")
    confidence = f"{comparison.settings.confidence:.0%}"
    return _table(
        "Time per item: geometric mean (interval) · spread between worker processes",
        text,
        css,
        [
            "Each value is seconds per `per` unit (pyperf inner loops). Each worker process is "
            "summarised by the mean log time of its values; the time is the geometric mean "
            f"over processes, the interval its {confidence} t interval over processes, and sd "
            "the standard deviation between processes (as a relative spread)."
        ],
    )


def throughput_table(comparison: Comparison, context: str) -> Table | None:
    """Throughput (MiB/s and items/s) for workloads that declare ``bytes_per_item``; None for
    instruction counts (bytes per instruction is not a throughput)."""
    if stats.comparison_metric(comparison) == "instructions":
        return None
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
    return _table("Throughput (geometric mean)", text[keep], css[keep])


def _concurrency_cell(row: pd.Series) -> str:
    if row["n_processes"] < 2:
        return f"{fmt.concurrency(row['concurrency'])} (1 process)"
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
            "Concurrency = sleep requested per `per` unit / time per unit: 1 means the "
            "sleeps ran one after another, N that N of them overlapped on average.",
            f"In brackets: the {confidence} process-level interval of the time, inverted.",
            "These cells measure timer behaviour (how a runtime rounds a sleep), not speed: "
            "they stay out of the geometric means.",
        ],
    )


def _geomean_cell(row: pd.Series) -> str:
    """One ratio, one interval (the measurement noise of these benchmarks), the count."""
    count = f"{row.benchmarks} benchmark{'s' if row.benchmarks != 1 else ''}"
    return f"{fmt.ratio(row.geomean)} ({fmt.interval(row.noise_low, row.noise_high)}) · {count}"


def geomean_table(comparison: Comparison, context: str) -> Table:
    """Geometric mean of ratios per runtime, overall and per family, over common benchmarks."""
    geo = comparison.geomeans[comparison.geomeans["context"] == context]
    geo = geo.assign(cell=[_geomean_cell(r) for r in geo.itertuples()])
    scopes = ["all", *sorted(set(geo["workload_family"]) - {"all"})]
    text = pd.DataFrame({"workload family": scopes})
    css = pd.DataFrame({"workload family": [""] * len(scopes)})
    for runtime in [r for r in runtimes(comparison, context) if r != comparison.settings.baseline]:
        mine = geo[geo["runtime"] == runtime].set_index("workload_family")
        text[runtime] = [mine.at[s, "cell"] if s in mine.index else "" for s in scopes]
        css[runtime] = [""] * len(scopes)
    confidence = f"{comparison.settings.confidence:.0%}"
    return _table(
        f"Geometric mean of ratios to {comparison.settings.baseline}",
        text,
        css,
        [
            "Over the same benchmarks for every runtime: a benchmark n/a or too thin on one "
            "runtime is left out for all; controls and timer-bound cells are left out.",
            f"The interval is the {confidence} interval from measurement noise, for this fixed "
            "set of benchmarks. How far the mean could move for another set of benchmarks like "
            f"these (the {confidence} interval from the spread between benchmarks) is in "
            "geomeans.csv, columns between_low and between_high.",
        ],
    )


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
