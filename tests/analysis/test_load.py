"""Loading pyperf files and folders into one tidy frame."""

from __future__ import annotations

import gzip
import shutil

import pandas as pd
import pytest

from analysis import AnalysisError, load_results
from analysis.statistics.context import assign_context


def test_one_row_per_value_with_metadata_columns(standard_run):
    results = load_results([standard_run])
    values = results.values
    # 3 runtimes x (6 protocol + 2 io) benchmarks, minus trio's n/a cell; 6 processes x 5 values
    assert len(values) == (3 * 8 - 1) * 30
    for column in (
        "runtime",
        "workload",
        "workload_family",
        "params",
        "item_unit",
        "unit",
        "value",
        "python_version",
        "hostname",
        "suite_run_id",
        "suite_mode",
        "anyio_version",
        "trio_version",
        "uvloop_version",
        "python_build",
        "source_file",
        "param_items",
        "param_mode",
        "param_chunk",
        "bytes_per_item",
    ):
        assert column in values.columns, column
    assert set(values["runtime"]) == {"asyncio", "trio", "uvloop"}
    assert values["param_items"].dtype == "Int64"
    assert values["param_chunk"].dtype == "Int64"
    assert set(values["param_items"].dropna()) == {10, 1000, 100000}
    assert set(values["source_file"].map(lambda p: p.rsplit("/", 1)[-1])) == {
        "asyncio.json",
        "trio.json",
        "uvloop.json",
    }
    row = values[(values["workload"] == "protocol.async_generator")].iloc[0]
    assert row["params"].startswith("mode=")  # workload order from param_names: mode, items
    assert results.param_columns == ["param_chunk", "param_items", "param_mode"]


def test_names_are_never_parsed(make_run, synth, tmp_path):
    folder = make_run([synth.Spec("asyncio", "protocol.loop", {"items": 5})])
    suite = folder / "asyncio.json"
    suite.write_text(suite.read_text().replace("protocol.loop[items=5]", "whatever name"))
    values = load_results([suite]).values
    assert set(values["workload"]) == {"protocol.loop"}
    assert set(values["params"]) == {"items=5"}
    assert set(values["benchmark"]) == {"whatever name"}


def test_sizes_sort_numerically(make_run, synth):
    folder = make_run([synth.Spec("asyncio", "w.x", {"items": n}) for n in (100, 20, 3)])
    values = load_results([folder]).values
    order = values.drop_duplicates("params").sort_values("params_order")["params"].tolist()
    assert order == ["items=3", "items=20", "items=100"]


def test_manifest_na_cells(standard_run):
    na = load_results([standard_run]).na
    assert len(na) == 1
    cell = na.iloc[0]
    assert (cell["runtime"], cell["workload"], cell["params"], cell["kind"]) == (
        "trio",
        "io.file_chunks",
        "chunk=65536",
        "unsupported",
    )
    assert "aiofiles" in cell["reason"]


def test_explicit_file_reads_its_manifest_too(standard_run):
    results = load_results([standard_run / "trio.json"])
    assert set(results.values["runtime"]) == {"trio"}
    assert len(results.na) == 1


def test_folders_are_searched_recursively_and_hidden_folders_skipped(tmp_path, synth):
    synth.write_run(tmp_path / "results" / "run-a", [synth.Spec("asyncio", "w.x")])
    synth.write_run(tmp_path / "results" / "run-b", [synth.Spec("trio", "w.x")])
    hidden = tmp_path / "results" / ".cache"
    hidden.mkdir()
    (hidden / "junk.json").write_text("{not json")
    results = load_results([tmp_path / "results"])
    assert set(results.values["suite_run_id"]) == {"run-a", "run-b"}
    assert len(results.sources) == 2
    assert len(results.manifests) == 2


def test_the_same_file_twice_is_read_once(standard_run):
    once = load_results([standard_run])
    twice = load_results([standard_run, standard_run / "asyncio.json"])
    assert len(once.values) == len(twice.values)


def test_gzip_files(make_run, synth):
    folder = make_run([synth.Spec("asyncio", "w.x")])
    with (folder / "asyncio.json").open("rb") as src, gzip.open(folder / "a.json.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    (folder / "asyncio.json").unlink()
    assert len(load_results([folder]).values) == 30


def test_missing_required_metadata_names_the_file(make_run, synth):
    folder = make_run([synth.Spec("asyncio", "w.x")])
    path = folder / "asyncio.json"
    path.write_text(path.read_text().replace('"workload":', '"not_workload":'))
    with pytest.raises(AnalysisError, match=r"asyncio\.json.*lacks metadata workload"):
        load_results([path])


def test_context_separates_machines_and_pythons(tmp_path, synth):
    synth.write_run(tmp_path / "a", [synth.Spec("asyncio", "w.x")], hostname="alpha")
    synth.write_run(
        tmp_path / "b", [synth.Spec("asyncio", "w.x")], hostname="alpha", python="3.13.1"
    )
    synth.write_run(tmp_path / "c", [synth.Spec("asyncio", "w.x")], hostname="beta")
    values = assign_context(load_results([tmp_path])).values
    assert values["context"].nunique() == 3
    assert "alpha, CPython 3.13.1" in set(values["context"])  # without pyperf's "(64-bit)"


def test_split_runs(tmp_path, synth):
    synth.write_run(tmp_path / "a", [synth.Spec("asyncio", "w.x")])
    synth.write_run(tmp_path / "b", [synth.Spec("asyncio", "w.x")])
    results = load_results([tmp_path])
    assert assign_context(results).values["context"].nunique() == 1
    assert assign_context(results, split_runs=True).values["context"].nunique() == 2


def test_tidy_frame_round_trips_through_parquet(standard_run, tmp_path):
    values = load_results([standard_run]).values
    values.to_parquet(tmp_path / "x.parquet")
    back = pd.read_parquet(tmp_path / "x.parquet")
    assert len(back) == len(values)
