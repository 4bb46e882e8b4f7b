"""Across Python versions: synthetic runs of two versions with known per-runtime shifts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyperf
import pytest

from analysis import Settings, build_report, fmt
from analysis.loading.load import load_results
from analysis.statistics.evidence import BLOCK
from analysis.statistics.verdict import EQUIVALENT, FASTER, INCONCLUSIVE, NOT_INTERLEAVED, SLOWER
from analysis.views.versions import across_versions, has_several_versions, version_key

#: True ratio of 3.12 to 3.11 per runtime: asyncio faster, uvloop unchanged, trio slower.
NEWER = {"asyncio": 0.8, "uvloop": 1.0, "trio": 1.25}
OLDER_SHIFTS = {"asyncio": 1.0, "uvloop": 0.8, "trio": 1.1}


def write_versions(tmp_path: Path, synth, blocks: str | None) -> list[Path]:  # type: ignore[no-untyped-def]
    older = synth.write_run(
        tmp_path / "py3.11",
        synth.standard_specs(OLDER_SHIFTS),
        seed=1,
        python="3.11.7",
        na=synth.STANDARD_NA,
        blocks=blocks,
    )
    newer_shifts = {r: OLDER_SHIFTS[r] * NEWER[r] for r in OLDER_SHIFTS}
    newer = synth.write_run(
        tmp_path / "py3.12",
        synth.standard_specs(newer_shifts),
        seed=2,
        python="3.12.1",
        na=synth.STANDARD_NA,
        blocks=blocks,
    )
    return [older, newer]


@pytest.fixture
def two_versions(tmp_path: Path, synth) -> list[Path]:  # type: ignore[no-untyped-def]
    """Two versions measured interleaved (an ``ab`` run of two interpreters)."""
    return write_versions(tmp_path, synth, blocks="ab")


def test_versions_measured_apart_get_their_ratio_and_no_verdict(tmp_path: Path, synth) -> None:  # type: ignore[no-untyped-def]
    """One run per version, made one after the other: wall time moves between runs, so the
    ratio is shown without a verdict."""
    ratios = across_versions(load_results(write_versions(tmp_path, synth, blocks=None))).ratios
    assert set(ratios["verdict"]) == {NOT_INTERLEAVED}
    asyncio = ratios[ratios["runtime"] == "asyncio"]
    assert asyncio["ratio"].between(0.8 * 0.97, 0.8 * 1.03).all()


def test_one_version_is_not_a_version_comparison(standard_run: Path) -> None:
    assert not has_several_versions(load_results([standard_run]))


def test_versions_sort_numerically() -> None:
    assert sorted(["3.10.13", "3.9.18", "3.13.0"], key=version_key) == [
        "3.9.18",
        "3.10.13",
        "3.13.0",
    ]


def test_each_runtime_gets_its_own_verdict(two_versions: list[Path]) -> None:
    results = load_results(two_versions)
    assert has_several_versions(results)
    versions = across_versions(results, confidence=0.95, floor=0.02)
    ratios = versions.ratios
    assert set(ratios["baseline_version"]) == {"3.11.7"}
    assert set(ratios["version"]) == {"3.12.1"}
    verdicts = ratios.groupby("runtime")["verdict"].agg(set).to_dict()
    assert verdicts["asyncio"] == {FASTER}
    assert verdicts["trio"] == {SLOWER}
    assert verdicts["uvloop"] <= {EQUIVALENT, INCONCLUSIVE}
    for runtime, expected in NEWER.items():
        mine = ratios[ratios["runtime"] == runtime]
        assert (mine["ratio"].between(expected * 0.97, expected * 1.03)).all(), runtime
        covered = (mine["ci_low"] <= expected) & (mine["ci_high"] >= expected)
        assert covered.mean() > 0.8, runtime
    # The family is every version comparison of the machine, whatever the runtime.
    assert set(ratios["family_size"]) == {len(ratios)}


def test_absolute_times_have_process_level_intervals(two_versions: list[Path]) -> None:
    versions = across_versions(load_results(two_versions))
    times = versions.times
    assert set(times["version"]) == {"3.11.7", "3.12.1"}
    assert (times["n_processes"] == 6).all()
    assert ((times["time_low"] < times["time"]) & (times["time"] < times["time_high"])).all()


@pytest.fixture(scope="module")
def two_hosts(tmp_path_factory: pytest.TempPathFactory, synth):  # type: ignore[no-untyped-def]
    """Two versions interleaved on bench-host and one run on another host, and the one report
    of all three (built once: the two tests below read it)."""
    root = tmp_path_factory.mktemp("versions")
    runs = write_versions(root, synth, blocks="ab")
    other = synth.write_run(
        root / "other-host",
        synth.standard_specs(OLDER_SHIFTS),
        seed=5,
        python="3.13.0",
        hostname="other-host",
    )
    return [*runs, other], build_report([*runs, other], root / "out", Settings())


def test_the_report_has_a_section_across_versions(two_hosts) -> None:  # type: ignore[no-untyped-def]
    _, report = two_hosts
    markdown = report.markdown.read_text()
    assert "## Across Python versions" in markdown
    assert "### bench-host: Python 3.11.7, 3.12.1" in markdown
    for runtime in NEWER:
        assert f"{runtime}: time per item by Python version" in markdown
    assert "3.12.1 / 3.11.7" in markdown
    assert "0.8" in markdown and fmt.TIMES in markdown
    section = markdown[markdown.index("## Across Python versions") :]
    row = next(
        line
        for line in section.splitlines()
        if line.startswith("| protocol.async_generator | mode=checkpoint, items=1000 ")
        and "slower" in line
    )
    assert "3.11.7" not in row  # cells hold values, not labels
    kinds = {(p.kind, p.family) for p in report.plots}
    assert ("versions", "protocol") in kinds and ("versions", "io") in kinds
    for plot in report.plots:
        assert plot.png.exists() and plot.svg.exists()
    assert (report.markdown.parent / "versions_ratios.csv").exists()
    assert report.html.read_text().count("data:image/png;base64,") == len(report.plots)


def test_a_benchmark_missing_on_one_version_is_na(tmp_path: Path, synth) -> None:  # type: ignore[no-untyped-def]
    older = synth.write_run(
        tmp_path / "a", synth.standard_specs(OLDER_SHIFTS), seed=3, python="3.11.7"
    )
    newer_specs = [s for s in synth.standard_specs(OLDER_SHIFTS) if s.workload != "io.file_chunks"]
    newer = synth.write_run(tmp_path / "b", newer_specs, seed=4, python="3.13.0")
    versions = across_versions(load_results([older, newer]))
    assert "io.file_chunks" not in set(versions.ratios["workload"])
    assert "io.file_chunks" in set(versions.times["workload"])
    report = build_report([older, newer], tmp_path / "out", Settings())
    row = next(
        line
        for line in report.markdown.read_text().splitlines()
        if line.startswith("| io.file_chunks | chunk=1024 ") and "n/a" in line
    )
    assert row.count("n/a") == 2  # the time on 3.13 and the ratio


def test_machines_are_never_pooled(two_hosts) -> None:  # type: ignore[no-untyped-def]
    runs, report = two_hosts
    versions = across_versions(load_results(runs))
    assert set(versions.ratios["hostname"]) == {"bench-host"}
    assert set(versions.ratios["baseline_version"]) == {"3.11.7"}
    markdown = report.markdown.read_text()
    assert "### bench-host: Python 3.11.7, 3.12.1" in markdown
    assert "### other-host" not in markdown
    version_plots = [p for p in report.plots if p.kind == "versions"]
    assert version_plots and all("other-host" not in p.png.name for p in version_plots)


def interleave_blocks(folder: Path, block_logs: list[float], experiment: str) -> None:
    """Stamp run ``i`` of every benchmark with block ``i`` of ``experiment`` and slow it by the
    block's drift ``exp(block_logs[i])``, as a machine's drift falls on a whole block."""
    for path in folder.glob("*.json"):
        if path.name == "manifest.json":
            continue
        suite = pyperf.BenchmarkSuite.load(str(path))
        rebuilt = []
        for benchmark in suite.get_benchmarks():
            runs = []
            for index, run in enumerate(benchmark.get_runs()):
                factor = math.exp(block_logs[index])
                metadata = dict(run.get_metadata())
                metadata[BLOCK] = f"{experiment}|{benchmark.get_name()}|{index}"
                runs.append(
                    pyperf.Run(
                        [v * factor for v in run.values],
                        warmups=[(loops, v * factor) for loops, v in run.warmups],
                        metadata=metadata,
                        collect_metadata=False,
                    )
                )
            rebuilt.append(pyperf.Benchmark(runs))
        pyperf.BenchmarkSuite(rebuilt).dump(str(path), replace=True)


def test_versions_that_ran_in_shared_blocks_are_paired(tmp_path: Path, synth) -> None:  # type: ignore[no-untyped-def]
    """Seeded drift of 20% between blocks, shared by both versions: paired within blocks, the
    ratio's interval is narrow (the drift cancels) and still covers the truth. Without shared
    labels (another experiment's blocks) the versions ran apart and get no interval."""
    drift = list(np.random.default_rng(7).normal(0.0, 0.2, size=6))
    folders = []
    for name, python, shifts, seed in (
        ("py3.11", "3.11.7", OLDER_SHIFTS, 1),
        ("py3.12", "3.12.1", {r: OLDER_SHIFTS[r] * NEWER[r] for r in OLDER_SHIFTS}, 2),
    ):
        folder = synth.write_run(tmp_path / name, synth.standard_specs(shifts), seed=seed,
                                 python=python)  # fmt: skip
        interleave_blocks(folder, drift, "matrix")
        folders.append(folder)
    paired = across_versions(load_results(folders)).ratios
    assert paired["paired"].astype(bool).all()

    interleave_blocks(folders[1], [0.0] * 6, "another")  # same values, other blocks
    welch = across_versions(load_results(folders)).ratios
    assert not welch["paired"].astype(bool).any()
    assert welch["ci_low"].isna().all()  # one run per version apart: no interval, no verdict
    # The drift (sd 0.2 in log) cancels: intervals narrower than the drift alone would make them.
    assert np.log(paired["ci_high"] / paired["ci_low"]).median() < 0.2
    for runtime, expected in NEWER.items():
        mine = paired[paired["runtime"] == runtime]
        assert ((mine["ci_low"] <= expected) & (mine["ci_high"] >= expected)).mean() > 0.8


def _counted_twin(folder: Path, runtime: str, scale: float) -> None:
    """``<runtime>.instructions.json`` beside ``<runtime>.json``: the same runs as counts
    (pyperf unit ``integer``), every value times ``scale``."""
    suite = pyperf.BenchmarkSuite.load(str(folder / f"{runtime}.json"))
    counted = []
    for benchmark in suite.get_benchmarks():
        runs = []
        for run in benchmark.get_runs():
            metadata = {**run.get_metadata(), "unit": "integer", "suite_measure": "instructions"}
            values = [round(v * scale) for v in run.values]
            runs.append(pyperf.Run(values, metadata=metadata, collect_metadata=False))
        counted.append(pyperf.Benchmark(runs))
    pyperf.BenchmarkSuite(counted).dump(str(folder / f"{runtime}.instructions.json"))


def test_wall_time_and_instructions_are_never_pooled_across_versions(
    tmp_path: Path,
    synth,  # type: ignore[no-untyped-def]
) -> None:
    """Each version holds both metrics; instructions say 3.12 costs 1.5x on asyncio while its
    wall time says 0.8x. Pooled, the two would blur into one cell; apart, each keeps its own."""
    older, newer = write_versions(tmp_path, synth, blocks="ab")
    _counted_twin(older, "asyncio", 1e9)
    _counted_twin(newer, "asyncio", 1e9 * 1.5 / NEWER["asyncio"])
    ratios = across_versions(load_results([older, newer])).ratios
    asyncio = ratios[ratios["runtime"] == "asyncio"]
    by_metric = {metric: rows["ratio"] for metric, rows in asyncio.groupby("metric")}
    assert set(by_metric) == {"time", "instructions"}
    assert by_metric["instructions"].between(1.5 * 0.97, 1.5 * 1.03).all()
    assert by_metric["time"].between(0.8 * 0.97, 0.8 * 1.03).all()
    assert len(by_metric["time"]) == len(by_metric["instructions"])


def test_the_summary_gives_each_runtime_its_geometric_mean_and_verdict_counts(
    two_hosts,  # type: ignore[no-untyped-def]
) -> None:
    from analysis.views.versions_view import summary_table

    runs, _ = two_hosts
    versions = across_versions(load_results(runs))
    machine = ("bench-host", "cpython")
    table = summary_table(versions, machine).text.set_index("runtime")
    assert list(table.index) == sorted(NEWER)
    for runtime, expected in NEWER.items():
        row = table.loc[runtime]
        assert row["version"] == "3.12.1 / 3.11.7"
        mean = float(row["geometric mean of the ratios"].rstrip(fmt.TIMES))
        assert abs(mean / expected - 1) < 0.03, runtime
        mine = versions.ratios[versions.ratios["runtime"] == runtime]
        assert int(row["benchmarks"]) == len(mine)
    assert table.loc["asyncio", "decided"] == f"{int(table.loc['asyncio', 'benchmarks'])} faster"
    assert table.loc["trio", "decided"] == f"{int(table.loc['trio', 'benchmarks'])} slower"
