"""The report answers first: generated headline sentences, one figure, tables, then the method
(folded); plots that can be read; byte-identical output from the same data."""

from __future__ import annotations

import itertools
import math
import re

import pandas as pd
import pytest

from analysis import Settings, build_report, compare, fmt, load_results
from analysis.rendering import headline
from analysis.rendering.plots import ratio_ticks


def _speed_specs(synth, shifts, *, process_sd=0.005):
    """Three protocol benchmarks per runtime with the true ratio ``shifts[runtime]``."""
    return [
        synth.Spec(runtime, "protocol.class_iterator", {"items": items}, shift=shift,
                   process_sd=process_sd, runs=8)
        for runtime, shift in shifts.items()
        for items in (10, 1000, 100000)
    ]  # fmt: skip


def test_the_report_opens_with_the_generated_answer(make_run, tmp_path, synth):
    shifts = {"asyncio": 1.0, "trio": 1.5, "uvloop": 0.7}
    report = build_report([make_run(_speed_specs(synth, shifts))], tmp_path / "out")
    lines = report.markdown.read_text().splitlines()
    assert lines[0] == "# Async runtime benchmarks: ratio to asyncio"
    first = lines[2]
    x = fmt.TIMES
    found = re.match(
        rf"Per item, trio takes (1\.\d{{3}}){x} asyncio's time \((\S+)\) and uvloop "
        rf"(0\.\d{{3}}){x} \((\S+)\): geometric means over the same 3 benchmarks",
        first,
    )
    assert found, first
    assert float(found[1]) == pytest.approx(1.5, rel=0.02)
    assert float(found[3]) == pytest.approx(0.7, rel=0.02)
    assert (
        "Of the 6 speed comparisons (benchmark x runtime against asyncio), 6 are decided " in first
    )
    assert "(3 faster, 3 slower, 0 equivalent) and 0 inconclusive." in first
    assert "How noisy the run was: worker processes of one benchmark differed by" in first
    assert lines[4].startswith("![Geometric mean of the ratio to asyncio](plots/summary.png)")
    # The method follows the tables, folded; the tables come before it.
    text = "\n".join(lines)
    assert text.index("**Ratio to asyncio") < text.index("## Method")
    assert "<details><summary>How ratios, intervals and verdicts are computed</summary>" in text
    assert text.index("## Method") < text.index("The worker process is the unit of evidence")


def test_a_noisy_run_says_how_noisy_and_what_it_could_detect(make_run, synth):
    shifts = {"asyncio": 1.0, "trio": 1.03}
    noisy = compare(load_results([make_run(_speed_specs(synth, shifts, process_sd=0.15))]))
    ratios = noisy.speed_ratios
    assert (ratios["verdict"] == "inconclusive").all()
    sentence = headline.noise(noisy, ratios["context"].iloc[0])
    assert sentence is not None
    spread = float(noisy.absolute["process_sd"].median())
    detectable = float(ratios["detectable"].median())
    assert f"differed by {fmt.percent(spread)} (median spread" in sentence
    assert f"could have detected was {fmt.percent(detectable)} (median over the inconclusive" in (
        sentence
    )
    assert spread > 0.08 and detectable > 0.1  # the sentence reports the noise it was given
    assert "0 are decided" in (headline.decided(noisy, ratios["context"].iloc[0]) or "")


@pytest.mark.parametrize(("low", "high"), [(0.6, 1.6), (0.45, 1.2), (0.9, 1.12), (0.2, 12.0)])
def test_ratio_ticks_never_crowd(low, high):
    ticks = ratio_ticks(low, high)
    assert 1.0 in ticks and len(ticks) >= 2
    gap = math.log(high / low) / 7
    steps = [math.log(b / a) for a, b in itertools.pairwise(ticks)]
    assert min(steps) >= gap - 1e-12, ticks
    assert all(low <= t <= high for t in ticks)


def test_every_heatmap_cell_is_labelled(make_run, synth):
    from analysis.rendering.plots import _heat_text

    shifts = {"asyncio": 1.0, "trio": 1.5, "uvloop": 1.0}
    comparison = compare(load_results([make_run(_speed_specs(synth, shifts))]))
    grid = comparison.ratios.set_index(["workload", "params", "runtime"])
    na = pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=grid.index.names))
    for key in grid.index:
        text = _heat_text(grid, na, key)
        verdict = grid.at[key, "verdict"]
        assert text.startswith(f"{grid.at[key, 'ratio']:.2f}\n"), (key, text)
        assert text.split("\n")[1], (key, verdict)  # every cell names its verdict
    assert {_heat_text(grid, na, k).split("\n")[1] for k in grid.index} >= {"slower"}


def test_rebuilding_a_report_gives_byte_identical_files(small_run, tmp_path):
    first = build_report([small_run], tmp_path / "a", Settings())
    build_report([small_run], tmp_path / "b", Settings())
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert any(p.suffix == ".svg" for p in files) and any(p.suffix == ".csv" for p in files)
    for path in files:
        if path.suffix == ".parquet":  # pyarrow writes its own version; compared as data below
            continue
        a, b = (tmp_path / "a" / path).read_bytes(), (tmp_path / "b" / path).read_bytes()
        assert a == b, path
    svg = first.plots[0].svg.read_text()
    assert "<dc:date>" not in svg
