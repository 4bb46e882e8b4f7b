"""The report's section "Across Python versions": one table and one figure set per machine.

Tables show, per runtime, every benchmark's time per item on each version (with its
process-level interval) and the ratio of each version to the oldest with its verdict. Figures
show time per item against the version, one panel per runtime, one figure per workload family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import fmt
from analysis.rendering.document import Block, FigureBlock, Heading, Paragraph, TableBlock
from analysis.rendering.markup import literal
from analysis.rendering.plots import _LINESTYLES, _MARKERS, _PALETTE, Plot, _time_axis, save, slug
from analysis.rendering.tables import Table, css_class
from analysis.statistics.verdict import INCONCLUSIVE, NOT_INTERLEAVED, TOO_FEW
from analysis.views.versions import VERSION, Versions, version_key

TITLE = "Across Python versions"
VERSIONS_KIND = "versions"


def _machine(frame: pd.DataFrame, machine: tuple[str, str]) -> pd.DataFrame:
    host, implementation = machine
    mask = (frame["hostname"].astype(str) == host) & (
        frame["python_implementation"].astype(str) == implementation
    )
    return frame[mask]


def _metrics(frame: pd.DataFrame) -> list[str]:
    """The metrics present, wall time first."""
    return sorted(set(frame["metric"].astype(str)), key=lambda m: (m != "time", m))


def _time_cell(row: pd.Series) -> str:
    metric = str(row["metric"])
    value = fmt.per_item(row["time"], metric)
    if row["n_processes"] < 2:
        return f"{value} (1 process)"
    return f"{value} ({fmt.interval_per_item(row['time_low'], row['time_high'], metric)})"


def _ratio_cell(row: pd.Series) -> str:
    if row["verdict"] in (TOO_FEW, NOT_INTERLEAVED):
        return f"{fmt.ratio(row['ratio'])} {row['verdict']}"
    cell = f"{fmt.ratio(row['ratio'])} ({fmt.interval(row['ci_low'], row['ci_high'])}) "
    cell += str(row["verdict"])
    if row["verdict"] == INCONCLUSIVE:
        cell += f", detectable {fmt.percent(row['detectable'])}"
    return cell


def version_table(
    versions: Versions, machine: tuple[str, str], runtime: str, metric: str = "time"
) -> Table:
    """One runtime and metric on one machine: the value per version, then each version's ratio
    to the oldest."""
    noun = metric  # what the values are called: time, instructions
    times = _machine(versions.times, machine)
    times = times[(times["runtime"] == runtime) & (times["metric"] == metric)]
    ratios = _machine(versions.ratios, machine) if not versions.ratios.empty else versions.ratios
    if not ratios.empty:
        ratios = ratios[(ratios["runtime"] == runtime) & (ratios["metric"] == metric)]
    order = sorted(set(_machine(versions.times, machine)[VERSION]), key=version_key)
    oldest = order[0]
    rows = times.drop_duplicates(["workload", "params"]).sort_values(
        ["workload_family", "workload", "params_order", "params"]
    )
    text = pd.DataFrame(
        {"workload": rows["workload"], "parameters": rows["params"], "per": rows["item_unit"]}
    ).reset_index(drop=True)
    css = pd.DataFrame("", index=text.index, columns=text.columns)
    keys = list(zip(rows["workload"], rows["params"], strict=True))
    by_time = times.set_index(["workload", "params", VERSION])
    for version in order:
        text[f"{version} {noun}"] = [
            _time_cell(by_time.loc[(*k, version)]) if (*k, version) in by_time.index else "n/a"
            for k in keys
        ]
        css[f"{version} {noun}"] = ""
    by_ratio = ratios.set_index(["workload", "params", VERSION]) if not ratios.empty else None
    for version in order[1:]:
        label = f"{version} / {oldest}"
        cells, classes = [], []
        for k in keys:
            if by_ratio is not None and (*k, version) in by_ratio.index:
                row = by_ratio.loc[(*k, version)]
                cells.append(_ratio_cell(row))
                classes.append(css_class(str(row["verdict"])))
            else:
                cells.append("n/a")
                classes.append("na")
        text[label], css[label] = cells, classes
    confidence = f"{versions.confidence:.0%}"
    family = ratios["family_size"].max() if not ratios.empty else 0
    processes = "instrumented processes" if metric == "instructions" else "worker processes"
    notes = [
        f"{noun.capitalize()}: geometric mean per item over {processes}, with its {confidence} "
        "process-level t interval.",
        f"Ratios: each version against the oldest loaded ({literal(str(oldest))}) on the same "
        "runtime and machine (below 1 is faster), on per-process log means: paired on the "
        "interleaving blocks where the versions ran in shared blocks (Yuen's trimmed paired t), "
        "processes as replicates for instruction counts, and for wall times of runs made apart "
        "the runs as replicates or no verdict (not interleaved); Bonferroni-simultaneous over "
        f"the {family:.0f} version comparisons of this machine; verdicts against the "
        f"{versions.floor:.0%} floor.",
    ]
    return Table(
        title=f"{runtime}: {noun} per item by Python version",
        text=text.astype(str),
        css=css.astype(str),
        notes=notes,
    )


def summary_table(versions: Versions, machine: tuple[str, str], metric: str = "time") -> Table:
    """Per runtime and version: the geometric mean of the benchmarks' ratios to the oldest
    version (point estimates), over the benchmarks both versions ran, and the verdicts."""
    ratios = _machine(versions.ratios, machine) if not versions.ratios.empty else versions.ratios
    if not ratios.empty:
        ratios = ratios[ratios["metric"] == metric]
    groups = [] if ratios.empty else list(ratios.groupby(["runtime", VERSION], sort=False))
    groups.sort(key=lambda item: (str(item[0][0]), version_key(str(item[0][1]))))
    rows: list[dict[str, str]] = []
    for (runtime, version), group in groups:
        counts = group["verdict"].value_counts()
        decided = [f"{int(counts[v])} {v}" for v in sorted(counts.index) if v != INCONCLUSIVE]
        rows.append(
            {
                "runtime": str(runtime),
                "version": f"{version} / {group['baseline_version'].iloc[0]}",
                "geometric mean of the ratios": fmt.ratio(
                    float(np.exp(np.log(group["ratio"].astype(float)).mean()))
                ),
                "benchmarks": str(len(group)),
                "decided": ", ".join(decided) or "none",
                "inconclusive": str(int(counts.get(INCONCLUSIVE, 0))),
            }
        )
    columns = ["runtime", "version", "geometric mean of the ratios", "benchmarks", "decided",
               "inconclusive"]  # fmt: skip
    text = pd.DataFrame(rows, columns=columns)
    return Table(
        title=f"Per runtime: {metric} per item against the oldest version",
        text=text.astype(str),
        css=pd.DataFrame("", index=text.index, columns=text.columns),
        notes=[
            "The geometric mean of the per-benchmark ratio points, over the benchmarks both "
            "versions ran (no interval: these benchmarks are not a sample of anything); "
            "decided and inconclusive count the per-benchmark verdicts of the tables below."
        ],
    )


def version_figure(
    versions: Versions, machine: tuple[str, str], family: str, metric: str = "time"
) -> Figure | None:
    """A metric per item against Python version: one panel per runtime, one line per
    benchmark."""
    noun = metric  # what the values are called: time, instructions
    times = _machine(versions.times, machine)
    times = times[(times["workload_family"] == family) & (times["metric"] == metric)]
    if times.empty:
        return None
    order = sorted(set(_machine(versions.times, machine)[VERSION]), key=version_key)
    runtimes = sorted(set(times["runtime"]))
    fig = Figure(figsize=(4.0 * len(runtimes) + 1.5, 4.2), layout="constrained")
    axes = fig.subplots(1, len(runtimes), sharey=True, squeeze=False)[0]
    benchmarks = times.drop_duplicates(["workload", "params"]).sort_values(
        ["workload", "params_order"]
    )
    style = {
        (w, p): i
        for i, (w, p) in enumerate(zip(benchmarks["workload"], benchmarks["params"], strict=True))
    }
    for ax, runtime in zip(axes, runtimes, strict=True):
        mine = times[times["runtime"] == runtime]
        for (workload, params), line in mine.groupby(["workload", "params"], sort=True):
            line = line.assign(x=[order.index(v) for v in line[VERSION]]).sort_values("x")
            i = style[(workload, params)]
            low = (line["time"] - line["time_low"]).to_numpy(float)
            high = (line["time_high"] - line["time"]).to_numpy(float)
            ax.errorbar(
                line["x"],
                line["time"],
                yerr=np.nan_to_num(np.vstack([low, high])),
                color=_PALETTE[i % len(_PALETTE)],
                linestyle=_LINESTYLES[(i // len(_PALETTE)) % len(_LINESTYLES)],
                marker=_MARKERS[i % len(_MARKERS)],
                capsize=3,
                label=f"{workload.split('.')[-1]} [{params}]" if params else workload,
            )
        ax.set_yscale("log")
        ax.set_xticks(range(len(order)), order)
        ax.set_title(runtime)
        ax.set_xlabel("Python")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel(f"{noun} per item")
    if metric == "time":
        _time_axis(axes[0])
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[1:]:
        more_handles, more_labels = ax.get_legend_handles_labels()
        for handle, label in zip(more_handles, more_labels, strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.legend(handles, labels, loc="outside right upper", fontsize="small")
    fig.suptitle(f"{family}: {noun} per item by Python version ({machine[0]})")
    return fig


def draw(versions: Versions, folder: Path) -> dict[tuple[str, str], list[Plot]]:
    """Every version figure, per machine: ``versions-<family>[-<host>].png`` and ``.svg``."""
    machines = versions.machines()
    drawn: dict[tuple[str, str], list[Plot]] = {}
    for machine in machines:
        times = _machine(versions.times, machine)
        if times[VERSION].nunique() < 2:
            continue  # one version: nothing to show across versions
        suffix = "" if len(machines) == 1 else f"-{slug(machine[0])}"
        mine = []
        families = sorted(set(times["workload_family"]))
        for metric in _metrics(times):
            for family in families:
                figure = version_figure(versions, machine, family, metric)
                if figure is not None:
                    title = f"{family}: {metric} per item by Python version"
                    tail = "" if metric == "time" else f"-{slug(metric)}"
                    stem = f"{VERSIONS_KIND}-{slug(family)}{tail}{suffix}"
                    mine.append(save(figure, folder, stem, title, VERSIONS_KIND, family))
        drawn[machine] = mine
    return drawn


def blocks(versions: Versions, figures: dict[tuple[str, str], list[Plot]]) -> list[Block]:
    """The section "Across Python versions": per machine, a table per runtime, then figures."""
    out: list[Block] = [
        Heading(TITLE, 2),
        Paragraph(
            "The same benchmarks on several Python versions of one machine. Each runtime is "
            "compared with itself on the oldest version loaded; runtimes are never pooled."
        ),
    ]
    for machine in versions.machines():
        times = _machine(versions.times, machine)
        order = sorted(set(times[VERSION]), key=version_key)
        if len(order) < 2:
            continue
        out.append(Heading(f"{machine[0]}: Python {', '.join(order)}", 3))
        for metric in _metrics(times):
            out.append(TableBlock(summary_table(versions, machine, metric)))
        for metric in _metrics(times):
            for runtime in sorted(set(times[times["metric"] == metric]["runtime"])):
                out.append(TableBlock(version_table(versions, machine, runtime, metric)))
        out += [FigureBlock(plot) for plot in figures.get(machine, [])]
    return out
