"""The report's figures (matplotlib, Agg, no pyplot state): ratios, scaling curves, heatmap."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import (
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
    NullLocator,
)

from analysis import fmt
from analysis.rendering.plot_files import HEATMAP, RATIOS, SCALING, SUMMARY, Plot
from analysis.rendering.tables import runtimes
from analysis.statistics.stats import Comparison
from analysis.statistics.verdict import EQUIVALENT, FASTER, INCONCLUSIVE, SLOWER, TOO_FEW

_SHORT_VERDICTS = {
    FASTER: "faster",
    SLOWER: "slower",
    EQUIVALENT: "equiv.",
    INCONCLUSIVE: "inconcl.",
    TOO_FEW: "too few",
}

# Figures are built without pyplot and saved by format; Agg keeps any pyplot use headless too.
matplotlib.use("Agg")

#: Where the heatmap's symmetric log colour scale may end (its lower end is the inverse).
_SCALE_ENDS: tuple[float, ...] = (1.25, 1.5, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
_PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3")
_LINESTYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v")


def colours(comparison: Comparison) -> dict[str, str]:
    """One fixed colour per runtime, the same in every figure of the report."""
    names = sorted(
        set(comparison.results.values["runtime"]) | set(comparison.results.na["runtime"])
    )
    baseline = comparison.settings.baseline
    names = ([baseline] if baseline in names else []) + [n for n in names if n != baseline]
    return {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(names)}


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x"


def _bars(center: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error bar lengths below and above ``center``; rounding never makes them negative, and a
    missing interval (too few processes) draws no bar."""
    low = np.where(np.isnan(low), center, low)
    high = np.where(np.isnan(high), center, high)
    return np.clip(np.vstack([center - low, high - center]), 0.0, None)


def _label(workload: str, params: str, family: str | None = None) -> str:
    """``async_generator [items=10]``: the family prefix is dropped in a one-family figure."""
    if family and workload.startswith(f"{family}."):
        workload = workload[len(family) + 1 :]
    return f"{workload} [{params}]" if params else workload


def _of_family(frame: pd.DataFrame, context: str, family: str | None) -> pd.DataFrame:
    mine = frame["context"] == context
    if family is not None:
        mine &= frame["workload_family"] == family
    return frame[mine]


def ratio_figure(comparison: Comparison, context: str, family: str | None = None) -> Figure | None:
    """Ratio to baseline per benchmark (of ``family``, else all), CI bars, a colour per runtime."""
    ratios = _of_family(comparison.ratios, context, family)
    ratios = ratios[ratios["ratio"].notna()]
    if ratios.empty:
        return None
    keys = ratios.drop_duplicates(["workload", "params"]).sort_values(
        ["workload_family", "workload", "params_order"]
    )
    labels = [_label(w, p, family) for w, p in zip(keys["workload"], keys["params"], strict=True)]
    position = {
        (w, p): i for i, (w, p) in enumerate(zip(keys["workload"], keys["params"], strict=True))
    }
    others = [r for r in runtimes(comparison, context) if r in set(ratios["runtime"])]
    palette = colours(comparison)
    floor = comparison.settings.floor
    fig = Figure(
        figsize=(9, 1.4 + 0.42 * len(labels) * max(1, len(others)) ** 0.5), layout="constrained"
    )
    ax = fig.add_subplot()
    ax.axvspan(1 - floor, 1 + floor, color="0.9", zorder=0)
    ax.axvline(1.0, color="0.3", linewidth=1, zorder=1)
    step = 0.7 / max(1, len(others))
    for k, runtime in enumerate(others):
        mine = ratios[ratios["runtime"] == runtime]
        y = np.array(
            [position[(w, p)] for w, p in zip(mine["workload"], mine["params"], strict=True)]
        )
        y = y - 0.35 + step * (k + 0.5)
        x = mine["ratio"].to_numpy(float)
        err = _bars(x, mine["ci_low"].to_numpy(float), mine["ci_high"].to_numpy(float))
        significant = mine["verdict"].isin([FASTER, SLOWER]).to_numpy()
        colour = palette[runtime]
        ax.errorbar(x, y, xerr=err, fmt="none", ecolor=colour, elinewidth=1.5, capsize=3, zorder=2)
        ax.scatter(x[significant], y[significant], color=colour, s=36, zorder=3)
        ax.scatter(
            x[~significant],
            y[~significant],
            facecolor="white",
            edgecolor=colour,
            s=36,
            zorder=3,
        )
    for boundary in range(1, len(labels)):  # a rule between benchmarks: whose dot is whose
        ax.axhline(boundary - 0.5, color="0.88", linewidth=0.8, zorder=0)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xscale("log")
    _ratio_ticks(ax, ratios)
    ax.set_xlabel(f"time / time on {comparison.settings.baseline}  (log scale; < 1 is faster)")
    ax.grid(axis="x", which="both", color="0.85", linewidth=0.6)
    fig.suptitle(
        f"{family + ': ' if family else ''}ratio to {comparison.settings.baseline}, "
        f"simultaneous {comparison.settings.confidence:.0%} interval (hollow: no verdict)",
        fontsize=10,
    )
    handles = [Line2D([], [], color=palette[r], marker="o", linestyle="", label=r) for r in others]
    handles.append(
        Line2D([], [], color="0.4", marker="o", markerfacecolor="white", linestyle="",
               label="no faster/slower verdict")
    )  # fmt: skip
    handles.append(Patch(color="0.9", label=f"\u00b1{floor:.0%} floor"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
    return fig


#: Tick ratios in order of preference: 1 first, then powers of two, then finer steps.
_TICK_PREFERENCE: tuple[float, ...] = (
    1.0, 2.0, 0.5, 4.0, 0.25, 10.0, 0.1, 1.5, 0.67, 1.25, 0.8, 3.0, 0.33, 5.0, 0.2, 1.1, 0.9,
)  # fmt: skip
#: At most this many tick labels on a ratio axis, so they never run together.
_MAX_TICKS = 7


def ratio_ticks(low: float, high: float) -> list[float]:
    """Readable ratios to label on a log axis from ``low`` to ``high``, never crowded.

    Ticks are taken in order of preference (1, powers of two, then finer steps) and a tick is
    kept only if it is at least a seventh of the axis (in log units) away from every kept one.
    """
    span = math.log(high / low)
    gap = span / _MAX_TICKS
    kept: list[float] = []
    for tick in _TICK_PREFERENCE:
        if not low <= tick <= high:
            continue
        if all(abs(math.log(tick / other)) >= gap for other in kept):
            kept.append(tick)
    return sorted(kept)


def _ratio_ticks(ax: object, ratios: pd.DataFrame) -> None:
    every = np.concatenate(
        [ratios[c].to_numpy(float) for c in ("ci_low", "ratio", "ci_high")] + [[0.95, 1.05]]
    )
    every = every[np.isfinite(every) & (every > 0)]  # an interval that overflowed: off the axis
    low, high = float(np.nanmin(every)) / 1.05, float(np.nanmax(every)) * 1.05
    ax.set_xlim(low, high)  # type: ignore[attr-defined]
    ticks = ratio_ticks(low, high)
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])  # type: ignore[attr-defined]
    ax.minorticks_off()  # type: ignore[attr-defined]


def _size_param(values: pd.DataFrame, workload: str) -> str | None:
    """The numeric parameter with the most distinct values: the x axis of a scaling curve."""
    rows = values[values["workload"] == workload]
    names = [n for n in str(rows["param_names"].iloc[0]).split(",") if n]
    best, count = None, 1
    for name in names:
        column = rows.get(f"param_{name}")
        if column is None or not pd.api.types.is_numeric_dtype(column):
            continue
        distinct = column.dropna().nunique()
        if distinct > count:
            best, count = name, distinct
    return best


def scaling_figure(comparison: Comparison, context: str, family: str) -> Figure | None:
    """Time per item against size (log-log), one panel per workload of ``family``."""
    values = comparison.results.values
    values = values[(values["context"] == context) & (values["workload_family"] == family)]
    panels = [(w, s) for w in sorted(set(values["workload"])) if (s := _size_param(values, w))]
    if not panels:
        return None
    columns = min(2, len(panels))
    rows_n = math.ceil(len(panels) / columns)
    fig = Figure(figsize=(5.2 * columns, 3.8 * rows_n), layout="constrained")
    palette = colours(comparison)
    times = comparison.absolute.set_index(["context", "workload", "params", "runtime"])
    for i, (workload, size) in enumerate(panels):
        ax = fig.add_subplot(rows_n, columns, i + 1)
        rows = values[values["workload"] == workload]
        names = [n for n in str(rows["param_names"].iloc[0]).split(",") if n and n != size]
        series = rows.drop_duplicates(["runtime", "params"]).copy()
        series["others"] = [
            ", ".join(f"{n}={r.get(f'param_{n}')}" for n in names) for _, r in series.iterrows()
        ]
        styles = {o: k for k, o in enumerate(sorted(set(series["others"])))}
        for (runtime, others), group in series.groupby(["runtime", "others"], sort=True):
            group = group.sort_values(f"param_{size}")
            x = group[f"param_{size}"].to_numpy(float)
            stats = times.loc[[(context, workload, p, runtime) for p in group["params"]]]
            y = stats["time"].to_numpy(float)
            k = styles[others]
            ax.errorbar(
                x,
                y,
                yerr=_bars(
                    y, stats["time_low"].to_numpy(float), stats["time_high"].to_numpy(float)
                ),
                color=palette[str(runtime)],
                linestyle=_LINESTYLES[k % 4],
                marker=_MARKERS[k % 5],
                markersize=4,
                capsize=2,
                linewidth=1.4,
            )
        if rows[f"param_{size}"].min() > 0:
            ax.set_xscale("log")
        else:  # a ladder starting at 0 (buffer=0): linear near zero, logarithmic above
            ax.set_xscale("symlog", linthresh=1.0)
        ax.set_yscale("log")
        ladder = sorted(set(rows[f"param_{size}"].dropna().astype(float)))
        ax.set_xticks(ladder, [f"{v:g}" for v in ladder])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel(size)
        ax.set_ylabel(f"time per {rows['item_unit'].iloc[0]}")
        _time_axis(ax)
        ax.set_title(workload, fontsize=10)
        ax.grid(which="both", color="0.9", linewidth=0.5)
        _scaling_legend(ax, sorted(set(series["runtime"])), palette, styles)
    fig.suptitle(f"Scaling: {family} (geometric mean, bars: process-level interval)", fontsize=11)
    return fig


def _time_axis(ax: object) -> None:
    """Label a log time axis; under a decade of range, log ticks would leave it unlabelled."""
    low, high = ax.get_ylim()  # type: ignore[attr-defined]
    axis = ax.yaxis  # type: ignore[attr-defined]
    if high / low < 10:
        axis.set_major_locator(MaxNLocator(nbins=5))
        axis.set_minor_locator(NullLocator())
    elif high / low < 1000:  # 1, 2, 5 per decade: at least two labels
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.seconds(v)))
    axis.set_minor_formatter(NullFormatter())


def _scaling_legend(
    ax: object, names: list[str], palette: dict[str, str], styles: dict[str, int]
) -> None:
    handles = [Line2D([], [], color=palette[n], label=n) for n in names]
    if len(styles) > 1:
        handles += [
            Line2D(
                [],
                [],
                color="0.4",
                linestyle=_LINESTYLES[k % 4],
                marker=_MARKERS[k % 5],
                markersize=4,
                label=o,
            )
            for o, k in styles.items()
        ]
    ax.legend(handles=handles, fontsize=7)  # type: ignore[attr-defined]


def heatmap_figure(
    comparison: Comparison, context: str, family: str | None = None
) -> Figure | None:
    """Ratios as colours, benchmarks (of ``family``, else all) x runtimes; n/a and
    not-significant cells marked."""
    ratios = _of_family(comparison.ratios, context, family)
    if ratios["ratio"].notna().sum() == 0:
        return None
    keys = ratios.drop_duplicates(["workload", "params"]).sort_values(
        ["workload_family", "workload", "params_order"]
    )
    others = [r for r in runtimes(comparison, context) if r in set(ratios["runtime"])]
    grid = ratios.set_index(["workload", "params", "runtime"])
    na = comparison.results.na
    na = na[na["context"] == context].set_index(["workload", "params", "runtime"])
    matrix = np.full((len(keys), len(others)), np.nan)
    for i, (w, p) in enumerate(zip(keys["workload"], keys["params"], strict=True)):
        for j, runtime in enumerate(others):
            if (w, p, runtime) in grid.index:
                matrix[i, j] = np.log2(grid.at[(w, p, runtime), "ratio"])
    largest = max(float(np.nanmax(np.abs(matrix))), math.log2(1.25))
    # Extend the scale to the next labelled ratio so the extremes have a tick.
    limit = min(
        (math.log2(r) for r in _SCALE_ENDS if math.log2(r) >= largest - 1e-9), default=largest
    )
    labels = [_label(w, p, family) for w, p in zip(keys["workload"], keys["params"], strict=True)]
    width = 2.6 + 1.3 * len(others) + 0.065 * max(len(label) for label in labels)
    height = max(3.2, 1.6 + 0.36 * len(keys))
    fig = Figure(figsize=(max(6.0, width), height), layout="constrained")
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.85")
    image = ax.imshow(
        np.ma.masked_invalid(matrix),
        cmap=cmap,
        aspect="auto",
        norm=TwoSlopeNorm(0.0, -limit, limit),
    )
    for i, (w, p) in enumerate(zip(keys["workload"], keys["params"], strict=True)):
        for j, runtime in enumerate(others):
            ax.text(
                j,
                i,
                _heat_text(grid, na, (w, p, runtime)),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if abs(matrix[i, j]) > 0.6 * limit else "black",
            )
    ax.set_xticks(range(len(others)), others)
    ax.set_yticks(range(len(keys)), labels, fontsize=8)
    ax.xaxis.tick_top()
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    ticks = colour_ticks(limit)
    colorbar.set_ticks([math.log2(r) for r in ticks], labels=[f"{r:g}{fmt.TIMES}" for r in ticks])
    colorbar.minorticks_off()
    colorbar.set_label(f"ratio to {comparison.settings.baseline} (blue: faster)")
    fig.suptitle(
        f"{family + ': ' if family else ''}ratio to {comparison.settings.baseline}  "
        "(equiv.: within the floor; inconcl.: neither within nor beyond it)",
        fontsize=10,
    )
    return fig


def colour_ticks(limit: float) -> list[float]:
    """Ratios to label on a colour scale spanning ``2**-limit`` to ``2**limit``.

    Powers of two (0.25x, 0.5x, 1x, 2x, 4x) on a wide scale; finer steps on a narrow one.
    """
    if limit >= 2.0 - 1e-9:
        steps = math.floor(limit + 1e-9)
        candidates = [2.0**k for k in range(-steps, steps + 1)]
    elif limit >= 1.0 - 1e-9:
        candidates = [0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0]
    else:
        candidates = [0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5]
    return [r for r in candidates if abs(math.log2(r)) <= limit + 1e-9]


def _heat_text(grid: pd.DataFrame, na: pd.DataFrame, key: tuple[str, str, str]) -> str:
    """Every cell says what it holds: the ratio and its verdict, or n/a."""
    if key in na.index:
        return "n/a"
    if key not in grid.index or pd.isna(grid.at[key, "ratio"]):
        return str(grid.at[key, "verdict"]) if key in grid.index else ""
    verdict = str(grid.at[key, "verdict"])
    return f"{grid.at[key, 'ratio']:.2f}\n{_SHORT_VERDICTS.get(verdict, verdict)}"


#: Fixed file metadata and SVG ids, so the same data gives byte-identical figures.
_SVG_METADATA = {"Date": None, "Creator": "matplotlib"}
_PNG_METADATA = {"Software": "matplotlib"}
_SVG_HASH_SALT = "async-iteration-bench"


def save(
    fig: Figure, folder: Path, stem: str, title: str, kind: str = "", family: str = ""
) -> Plot:
    """Write ``stem.png`` and ``stem.svg`` into ``folder``, with no date or random id inside."""
    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{stem}.png", folder / f"{stem}.svg"
    with matplotlib.rc_context({"svg.hashsalt": _SVG_HASH_SALT}):
        fig.savefig(png, dpi=110, metadata=_PNG_METADATA)
        fig.savefig(svg, metadata=_SVG_METADATA)
    return Plot(title=title, png=png, svg=svg, kind=kind, family=family)


def summary_figure(comparison: Comparison, context: str) -> Figure | None:
    """The answer in one figure: each runtime's geometric-mean ratio to the baseline, overall
    and per workload family, with its noise interval."""
    geo = comparison.geomeans[comparison.geomeans["context"] == context]
    if geo.empty:
        return None
    scopes = ["all", *sorted(set(geo["workload_family"]) - {"all"})]
    others = [r for r in runtimes(comparison, context) if r in set(geo["runtime"])]
    palette = colours(comparison)
    baseline = comparison.settings.baseline
    fig = Figure(figsize=(9, 1.6 + 0.5 * len(scopes) * max(1, len(others)) ** 0.5),
                 layout="constrained")  # fmt: skip
    ax = fig.add_subplot()
    floor = comparison.settings.floor
    ax.axvspan(1 - floor, 1 + floor, color="0.9", zorder=0)
    ax.axvline(1.0, color="0.3", linewidth=1, zorder=1)
    step = 0.7 / max(1, len(others))
    for k, runtime in enumerate(others):
        mine = geo[geo["runtime"] == runtime].set_index("workload_family")
        present = [s for s in scopes if s in mine.index]
        y = np.array([scopes.index(s) for s in present]) - 0.35 + step * (k + 0.5)
        x = mine.loc[present, "geomean"].to_numpy(float)
        err = _bars(
            x,
            mine.loc[present, "noise_low"].to_numpy(float),
            mine.loc[present, "noise_high"].to_numpy(float),
        )
        ax.errorbar(x, y, xerr=err, fmt="o", color=palette[runtime], capsize=3, label=runtime)
        for xi, yi in zip(x, y, strict=True):
            ax.annotate(f"{xi:.2f}{fmt.TIMES}", (xi, yi), xytext=(6, 3),
                        textcoords="offset points", fontsize=7, color=palette[runtime])  # fmt: skip
    counts = geo.drop_duplicates("workload_family").set_index("workload_family")["benchmarks"]
    labels = [f"{s} ({int(counts[s])} benchmarks)" for s in scopes]
    ax.set_yticks(range(len(scopes)), labels, fontsize=9)
    ax.set_ylim(len(scopes) - 0.5, -0.5)
    ax.set_xscale("log")
    every = np.concatenate([geo[c].to_numpy(float) for c in ("noise_low", "geomean", "noise_high")])
    low = min(float(np.nanmin(every)), 0.95) / 1.08
    high = max(float(np.nanmax(every)), 1.05) * 1.08
    ax.set_xlim(low, high)
    ticks = ratio_ticks(low, high)
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.grid(axis="x", color="0.85", linewidth=0.6)
    ax.set_xlabel(f"time per item / time on {baseline}  (log scale; < 1 is faster)")
    ax.legend(loc="best", fontsize=8)
    fig.suptitle(
        f"Geometric mean of the ratio to {baseline}, with its "
        f"{comparison.settings.confidence:.0%} noise interval",
        fontsize=10,
    )
    return fig


def draw_all(comparison: Comparison, folder: Path) -> dict[str, list[Plot]]:
    """Every figure of every context, one of each kind per workload family; keyed by context.

    Files are ``summary[-<context>]`` (the geometric means) and
    ``<kind>-<family>[-<context>].png`` and ``.svg``.
    """
    contexts = sorted(set(comparison.results.values["context"]))
    values = comparison.results.values
    baseline = comparison.settings.baseline
    plots: dict[str, list[Plot]] = {}
    for context in contexts:
        suffix = "" if len(contexts) == 1 else f"-{slug(context)}"
        mine: list[Plot] = []
        summary = summary_figure(comparison, context)
        if summary is not None:
            title = f"Geometric mean of the ratio to {baseline}"
            mine.append(save(summary, folder, f"{SUMMARY}{suffix}", title, SUMMARY))
        for family in sorted(set(values.loc[values["context"] == context, "workload_family"])):
            drawn = (
                (RATIOS, ratio_figure, f"{family}: ratio to {baseline}"),
                (HEATMAP, heatmap_figure, f"{family}: heatmap of ratios to {baseline}"),
                (SCALING, scaling_figure, f"{family}: time per item against size"),
            )
            for kind, draw, title in drawn:
                figure = draw(comparison, context, family)
                if figure is not None:
                    stem = f"{kind}-{slug(family)}{suffix}"
                    mine.append(save(figure, folder, stem, title, kind, family))
        plots[context] = mine
    return plots
