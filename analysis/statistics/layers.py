"""anyio's own cost per runtime: each ``api=anyio`` benchmark against its ``api=native`` twin.

A workload whose cost is a primitive (checkpoint, bounded queue, task group, TCP stream, line
reader) runs twice on each runtime: with anyio's primitive and with the runtime's own
(``asyncio.sleep(0)`` / ``trio.lowlevel.checkpoint()``, ``asyncio.Queue`` / a trio memory
channel, ...). The ratio anyio / native, per runtime, is what anyio's layer adds there: above 1,
anyio costs more than the runtime it wraps. Intervals and verdicts come from the statistics core
(:mod:`analysis.statistics.evidence`), simultaneous over the twins of one machine and Python.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import fmt
from analysis.statistics import evidence
from analysis.statistics.verdict import INCONCLUSIVE, Labels
from analysis.table_model import Table, css_class

LAYER_LABELS = Labels(worse="anyio costs more", better="anyio costs less")
TWIN_KEY = ["context", "workload_family", "workload", "twin_params", "runtime"]
ANYIO, NATIVE = "anyio", "native"


def _twin_params(values: pd.DataFrame) -> pd.Series:
    """The parameters without ``api=...``: what an anyio row and its native twin share."""
    return values["params"].str.replace(r"(^|, )api=(anyio|native)", "", regex=True).str.strip(", ")


def layer_table(values: pd.DataFrame, confidence: float, floor: float) -> pd.DataFrame:
    """One row per twin pair and runtime: times on both layers and the ratio anyio / native."""
    if "param_api" not in values:
        return pd.DataFrame()
    api = values["param_api"].astype("string")
    pairs = values[api.isin([ANYIO, NATIVE])].assign(layer=api, twin_params=_twin_params)
    if pairs.empty:
        return pd.DataFrame()
    twin_key = [*TWIN_KEY, "metric"] if "metric" in pairs else TWIN_KEY  # never mix measures
    summaries = evidence.process_summaries(pairs, [*twin_key, "layer"])
    rows: list[dict[str, object]] = []
    for key, group in summaries.groupby(twin_key, sort=True):
        sides = dict(tuple(group.groupby("layer")))
        if set(sides) != {ANYIO, NATIVE}:
            continue
        anyio, native = (sides[s]["log_mean"].to_numpy(float) for s in (ANYIO, NATIVE))
        estimate = evidence.contrast(anyio, native)
        row: dict[str, object] = dict(zip(twin_key, key, strict=True))
        row.update(
            time_anyio=math.exp(float(anyio.mean())),
            time_native=math.exp(float(native.mean())),
            log_diff=estimate.log_diff,
            se=estimate.se,
            df=estimate.df,
            floor=floor,
        )
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    return evidence.decide_table(pd.DataFrame(rows), ["context"], confidence, LAYER_LABELS)


def _metric(row: pd.Series) -> str:
    metric = row.get("metric", "time")
    return str(metric) if isinstance(metric, str) else "time"


def _cell(row: pd.Series) -> str:
    metric = _metric(row)
    anyio = fmt.per_item(row["time_anyio"], metric)
    times = f"{anyio} vs {fmt.per_item(row['time_native'], metric)}"
    if math.isnan(row["ci_low"]):
        return f"{fmt.ratio(row['ratio'])} ({times}) {row['verdict']}"
    interval = fmt.interval(row["ci_low"], row["ci_high"])
    verdict = row["verdict"] if row["verdict"] != INCONCLUSIVE else "inconclusive"
    return f"{fmt.ratio(row['ratio'])} ({interval}; {times}) {verdict}"


def anyio_cost_table(layers: pd.DataFrame, context: str, runtimes: list[str]) -> Table | None:
    """Benchmarks x runtimes: anyio / native time per item, for one context."""
    if layers.empty:
        return None
    mine = layers[layers["context"] == context]
    if mine.empty:
        return None
    keys = mine.drop_duplicates(["workload", "twin_params"]).sort_values(
        ["workload_family", "workload", "twin_params"]
    )
    text = keys[["workload", "twin_params"]].rename(columns={"twin_params": "parameters"})
    text = text.reset_index(drop=True)
    css = pd.DataFrame("", index=text.index, columns=text.columns)
    indexed = mine.set_index(["workload", "twin_params", "runtime"])
    for runtime in [r for r in runtimes if r in set(mine["runtime"])]:
        cells, styles = [], []
        for workload, params in zip(keys["workload"], keys["twin_params"], strict=True):
            key = (workload, params, runtime)
            if key in indexed.index:
                row = indexed.loc[key]
                cells.append(_cell(row))
                styles.append(css_class(str(row["verdict"])))
            else:
                cells.append("")
                styles.append("")
        text[runtime] = cells
        css[runtime] = styles
    size = int(mine["family_size"].max())
    measure = _metric(mine.iloc[0])
    return Table(
        title=f"anyio's own cost: {measure} with anyio's primitive / with the runtime's own",
        text=text.astype(str),
        css=css,
        notes=[
            f"Each cell: ratio anyio / native (simultaneous interval; anyio {measure} vs native "
            f"{measure} per item) and its verdict against the floor. Above 1, anyio's layer adds "
            "cost on that runtime; near 1, the cost is the runtime's own.",
            f"Intervals are Bonferroni-simultaneous over the {size} twin pairs of this machine "
            "and Python.",
        ],
    )
