"""The report folder: Markdown, self-contained HTML, CSV/Parquet, PNG and SVG plots."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis import Settings, build_report, fmt
from analysis.loading.load import load_results
from analysis.rendering.plots import colour_ticks


@pytest.fixture(scope="module")
def report(shared_standard_run, tmp_path_factory):
    """One report of the standard run, built once and read by every test of this module."""
    return build_report([shared_standard_run], tmp_path_factory.mktemp("report") / "out")


def test_every_output_is_written(report):
    out = report.markdown.parent
    for name in (
        "report.md",
        "report.html",
        "results.csv",
        "processes.csv",
        "results.parquet",
        "ratios.csv",
        "absolute.csv",
        "geomeans.csv",
        "concurrency.csv",
        "na.csv",
    ):
        assert (out / name).is_file(), name
    stems = {p.png.stem for p in report.plots}
    assert stems == {"summary"} | {
        f"{kind}-{family}"
        for kind in ("ratios", "heatmap", "scaling")
        for family in ("io", "protocol")
    }
    for plot in report.plots:
        assert plot.png.read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in plot.svg.read_bytes()[:1000]


def test_every_benchmark_and_runtime_appears(report, shared_standard_run):
    standard_run = shared_standard_run
    markdown = report.markdown.read_text()
    page = report.html.read_text()
    values = load_results([standard_run]).values
    for workload, params in (
        values[["workload", "params"]].drop_duplicates().itertuples(index=False)
    ):
        row = re.compile(rf"\| {re.escape(workload)} \| {re.escape(params)} \|")
        assert len(row.findall(markdown)) >= 2, (workload, params)  # ratio + absolute tables
        assert params in page
    for runtime in ("asyncio", "trio", "uvloop"):
        assert f"| {runtime} |" in markdown or f" {runtime} |" in markdown


def test_header_names_machine_python_libraries_and_sources(report, shared_standard_run):
    standard_run = shared_standard_run
    markdown = report.markdown.read_text()
    for text in (
        "bench-host",
        "Synthetic CPU",
        "CPython 3.11.7",
        "anyio 4.16.0",
        "trio 0.35.0",
        "uvloop 0.23.0",
        "**Mode** | default",
        str(standard_run / "asyncio.json"),
        str(standard_run / "manifest.json"),
        "Bonferroni-simultaneous over the",
    ):
        assert text in markdown, text


def test_na_cells_carry_their_reasons(report):
    markdown = report.markdown.read_text()
    assert "n/a: unsupported" in markdown
    assert "aiofiles runs only on the asyncio family" in markdown
    assert "aiofiles runs only on the asyncio family" in report.html.read_text()


def test_ratio_verdicts_in_markdown(report):
    markdown = report.markdown.read_text()
    x, dash = fmt.TIMES, fmt.EN_DASH
    assert re.search(rf"\*\*1\.\d{{3}}{x} \(1\.\d{{3}}{dash}1\.\d{{3}}\) slower\*\*", markdown)
    assert re.search(rf"\*\*0\.\d{{3}}{x} \(0\.\d{{3}}{dash}0\.\d{{3}}\) faster\*\*", markdown)


def test_html_is_self_contained(report):
    page = report.html.read_text()
    assert page.count("data:image/png;base64,") == len(report.plots)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page
    assert 'class="v-slower"' in page and 'class="v-faster"' in page


def test_csv_is_the_tidy_data(report, shared_standard_run):
    standard_run, out = shared_standard_run, report.markdown.parent
    per_value = pd.read_csv(out / "results.csv")
    assert list(per_value.columns) == ["process_id", "value_index", "value"]
    csv = per_value.merge(pd.read_csv(out / "processes.csv"), on="process_id", how="left")
    assert len(csv) == len(load_results([standard_run]).values)
    assert {"runtime", "workload", "value", "source_file", "param_items"} <= set(csv.columns)
    assert csv["runtime"].notna().all()
    parquet = pd.read_parquet(out / "results.parquet")
    assert len(parquet) == len(csv)
    ratios = pd.read_csv(out / "ratios.csv")
    assert ratios["source_files"].str.contains("asyncio.json").all()


def test_mixed_modes_are_printed(tmp_path, synth):
    synth.write_run(tmp_path / "in" / "fast", [synth.Spec("asyncio", "w.x", mode="fast")])
    synth.write_run(tmp_path / "in" / "default", [synth.Spec("trio", "w.x")], seed=1)
    report = build_report([tmp_path / "in"], tmp_path / "out", Settings())
    markdown = report.markdown.read_text()
    assert "**Mode** | default, fast" in markdown
    assert "modes differ" in markdown


def test_several_machines_get_one_section_each(tmp_path, synth):
    for host in ("alpha", "beta"):
        synth.write_run(
            tmp_path / "in" / host,
            [synth.Spec("asyncio", "w.x", {"n": 1}), synth.Spec("trio", "w.x", {"n": 1})],
            hostname=host,
        )
    report = build_report([tmp_path / "in"], tmp_path / "out", Settings())
    markdown = report.markdown.read_text()
    assert "## alpha, CPython" in markdown and "## beta, CPython" in markdown
    # summary + ratios + heatmap per machine, no size ladder to scale over
    assert len(report.plots) == 6
    assert len({p.png.name for p in report.plots}) == 6


def test_only_the_baseline_still_reports_absolute_figures(tmp_path, synth):
    synth.write_run(tmp_path / "in", [synth.Spec("asyncio", "w.x", {"items": 10})])
    report = build_report([tmp_path / "in"], tmp_path / "out", Settings())
    assert "nothing to compare" in report.markdown.read_text()
    assert "w.x | items=10" in report.markdown.read_text()


def test_figures_are_split_per_family_under_family_headings(report):
    page = report.html.read_text()
    markdown = report.markdown.read_text()
    for family in ("io", "protocol"):
        assert f"<h3>Figures: {family}</h3>" in page
        assert f"### Figures: {family}" in markdown
        section = page.split(f"<h3>Figures: {family}</h3>", 1)[1].split("<h3>", 1)[0]
        for kind in ("ratios", "heatmap", "scaling"):
            assert f"{kind}-{family}.svg" in section, (family, kind)
    assert {p.family for p in report.plots if p.kind != "summary"} == {"io", "protocol"}


def test_scaling_uses_any_varying_numeric_param_and_skips_fixed_ones(tmp_path, synth):
    specs = []
    for runtime, shift in (("asyncio", 1.0), ("trio", 1.2)):
        for buffer in (0, 1, 64):  # a ladder from 0: no log axis
            specs.append(
                synth.Spec(runtime, "streams.memory_stream", {"buffer": buffer, "items": 1000},
                           shift=shift)
            )  # fmt: skip
        for api in ("anyio", "aiofiles"):  # numeric params that do not vary: no curve
            specs.append(
                synth.Spec(runtime, "io.file_chunks", {"api": api, "chunk": 65536, "size_mib": 4},
                           item_unit="chunk", shift=shift)
            )  # fmt: skip
    synth.write_run(tmp_path / "in", specs)
    report = build_report([tmp_path / "in"], tmp_path / "out", Settings())
    stems = {p.png.stem for p in report.plots}
    assert "scaling-streams" in stems
    assert "scaling-io" not in stems
    assert {"ratios-io", "heatmap-io", "ratios-streams", "heatmap-streams"} <= stems


def test_python_version_is_shown_without_word_size(report):
    markdown = report.markdown.read_text()
    assert "## bench-host, CPython 3.11.7\n" in markdown
    assert "(64-bit)" not in markdown


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (1.25, [0.8, 0.9, 1.0, 1.1, 1.25]),
        (2.0, [0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0]),
        (4.0, [0.25, 0.5, 1.0, 2.0, 4.0]),
    ],
)
def test_heatmap_colour_ticks_are_readable_ratios(limit, expected):
    ticks = colour_ticks(math.log2(limit))
    assert ticks == expected
    assert 1.0 in ticks
