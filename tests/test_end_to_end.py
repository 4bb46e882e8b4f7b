"""A tiny selection through the real command: pyperf files, names, metadata, failures, n/a."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pyperf
import pytest

from benchmarks.platform.runtimes import DEFAULT_RUNTIMES
from tests.conftest import AVAILABLE_RUNTIMES, REPO_ROOT, run_cli

pytestmark = pytest.mark.slow

TINY = ["--param", "items=10", "--debug-single-value"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "run"
    completed = run_cli(
        "run",
        "--workload",
        "protocol.async_generator",
        "protocol.sync_reference",
        "-o",
        str(out),
        "--param",
        "api=anyio",
        *TINY,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "[1/9]" in completed.stdout and "[9/9]" in completed.stdout
    return out


def test_one_pyperf_file_per_runtime(tiny_run: Path) -> None:
    assert sorted(p.name for p in tiny_run.glob("*.json")) == sorted(
        [f"{r}.json" for r in AVAILABLE_RUNTIMES] + ["manifest.json"]
    )
    for runtime in AVAILABLE_RUNTIMES:
        suite = pyperf.BenchmarkSuite.load(str(tiny_run / f"{runtime}.json"))
        assert len(suite.get_benchmarks()) == 3


def test_names_are_identical_across_runtimes(tiny_run: Path) -> None:
    names = {
        runtime: sorted(
            pyperf.BenchmarkSuite.load(str(tiny_run / f"{runtime}.json")).get_benchmark_names()
        )
        for runtime in AVAILABLE_RUNTIMES
    }
    first = names[AVAILABLE_RUNTIMES[0]]
    assert first == [
        "protocol.async_generator[mode=checkpoint,api=anyio,items=10]",
        "protocol.async_generator[mode=nosuspend,api=anyio,items=10]",
        "protocol.sync_reference[items=10]",
    ]
    assert all(n == first for n in names.values())


def test_metadata_identifies_runtime_workload_and_parameters(tiny_run: Path) -> None:
    suite = pyperf.BenchmarkSuite.load(str(tiny_run / "trio.json"))
    bench = suite.get_benchmark("protocol.async_generator[mode=checkpoint,api=anyio,items=10]")
    metadata = bench.get_metadata()
    assert metadata["runtime"] == "trio"
    assert metadata["runtime_backend"] == "trio"
    assert metadata["workload"] == "protocol.async_generator"
    assert metadata["workload_family"] == "protocol"
    assert metadata["param_mode"] == "checkpoint"
    assert metadata["param_items"] == 10
    assert metadata["param_names"] == "mode,api,items"
    assert metadata["param_api"] == "anyio" and metadata["primitives"] == "anyio"
    assert metadata["timer_bound"] == 0
    assert metadata["inner_loops"] == 10
    assert metadata["item_unit"] == "item"
    assert metadata["suite_mode"] == "debug-single-value"
    run_id = json.loads((tiny_run / "manifest.json").read_text())["run_id"]
    assert metadata["suite_run_id"] == run_id != "run"  # unique, never the folder's name
    for key in (
        "anyio_version",
        "trio_version",
        "uvloop_version",
        "python_build",
        "python_version",
    ):
        assert metadata[key]


def test_manifest_records_a_complete_run(tiny_run: Path) -> None:
    manifest = json.loads((tiny_run / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert manifest["na"] == []
    assert manifest["runtimes"] == list(DEFAULT_RUNTIMES)
    assert len(manifest["benchmarks"]) == 3


def test_compare_to_table_works_directly(tiny_run: Path) -> None:
    import subprocess
    import sys

    files = [str(tiny_run / f"{r}.json") for r in AVAILABLE_RUNTIMES]
    completed = subprocess.run(
        [sys.executable, "-m", "pyperf", "compare_to", *files, "--table"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert "protocol.sync_reference[items=10]" in completed.stdout


BROKEN_WORKLOAD = '''
"""A workload that is wrong on trio and unsupported on uvloop (test only).

Unit: item. Why: proves one failure does not stop the run.
"""
from benchmarks.measured.workload import Case, Workload

PARAMS = {"items": (10, 1000, 100000)}


def prepare(case: Case):
    async def run_once() -> int:
        import sniffio
        return -1 if sniffio.current_async_library() == "trio" else case.int("items")
    return run_once


WORKLOAD = Workload(
    name="protocol.zz_broken",
    description=__doc__,
    item_unit="item",
    params=PARAMS,
    inner_loops=lambda case: case.int("items"),
    expected=lambda case: case.int("items"),
    prepare=prepare,
    unsupported=lambda runtime, case: "not for uvloop (test)" if runtime == "uvloop" else None,
)
'''


def test_a_failure_on_one_runtime_does_not_stop_the_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(
        REPO_ROOT / "benchmarks",
        project / "benchmarks",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (project / "benchmarks/measured/workloads/protocol/zz_broken.py").write_text(
        textwrap.dedent(BROKEN_WORKLOAD)
    )
    out = tmp_path / "run"
    completed = run_cli(
        "run",
        "--workload",
        "protocol.zz_broken",
        "protocol.sync_reference",
        "-o",
        str(out),
        *TINY,
        cwd=project,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "FAILED protocol.zz_broken[items=10] on trio: " in completed.stdout
    assert "returned -1, expected 10" in completed.stdout
    trio = pyperf.BenchmarkSuite.load(str(out / "trio.json")).get_benchmark_names()
    assert trio == ["protocol.sync_reference[items=10]"]
    asyncio = pyperf.BenchmarkSuite.load(str(out / "asyncio.json")).get_benchmark_names()
    assert sorted(asyncio) == ["protocol.sync_reference[items=10]", "protocol.zz_broken[items=10]"]
    manifest = json.loads((out / "manifest.json").read_text())
    cells = {(c["runtime"], c["kind"]): c for c in manifest["na"]}
    assert set(cells) == {("trio", "failed"), ("uvloop", "unsupported")}
    assert "returned -1, expected 10" in cells["trio", "failed"]["reason"]
    assert cells["uvloop", "unsupported"]["reason"] == "not for uvloop (test)"
    assert cells["uvloop", "unsupported"]["params"] == {"items": 10}
    assert manifest["complete"] is True


def test_fixtures_are_built_by_the_parent_and_shared_by_workers(tmp_path: Path) -> None:
    out, fixtures = tmp_path / "run", tmp_path / "fixtures"
    completed = run_cli(
        "run",
        "--workload", "io.csv_rows",
        "--param", "api=anyio", "--param", "reading=streaming",
        "--runtime", "asyncio", "trio",
        "--fixture-root", str(fixtures),
        "-o", str(out),
        "--debug-single-value",
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert [p.name for p in fixtures.iterdir()] == ["csv-10000rows-seed20240807"]
    bench = pyperf.BenchmarkSuite.load(str(out / "trio.json")).get_benchmarks()[0]
    metadata = bench.get_metadata()
    assert metadata["item_unit"] == "row"
    assert metadata["inner_loops"] == 10_000
    assert 20 < metadata["bytes_per_item"] < 60


def test_loops_are_calibrated_once_and_shared_by_every_runtime(tmp_path: Path) -> None:
    out = tmp_path / "run"
    completed = run_cli(
        "run",
        "--workload",
        "protocol.async_generator",
        "--param",
        "items=10",
        "--param",
        "mode=checkpoint",
        "--param",
        "api=anyio",
        "-o",
        str(out),
        "-p",
        "2",
        "-n",
        "1",
        "-w",
        "0",
        "--min-time",
        "0.005",
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    recorded = manifest["loops"]["protocol.async_generator[mode=checkpoint,api=anyio,items=10]"]
    assert recorded["on"] in AVAILABLE_RUNTIMES
    assert recorded["loops"] >= 1
    for runtime in AVAILABLE_RUNTIMES:
        benchmark = pyperf.BenchmarkSuite.load(str(out / f"{runtime}.json")).get_benchmarks()[0]
        loops = {run.get_metadata()["loops"] for run in benchmark.get_runs()}
        assert loops == {recorded["loops"]}, runtime


BROKEN_RUNTIME = """

def _refusing_loop():
    raise RuntimeError("zz-broken loop refuses to start (test)")


RUNTIMES["zz-broken"] = Runtime(
    "zz-broken", backend="asyncio", backend_options={"loop_factory": _refusing_loop}
)
"""


def test_a_runtime_whose_start_raises_is_recorded_as_failed_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    shutil.copytree(
        REPO_ROOT / "benchmarks",
        project / "benchmarks",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    runtimes = project / "benchmarks/platform/runtimes.py"
    runtimes.write_text(runtimes.read_text() + BROKEN_RUNTIME)
    out = tmp_path / "run"
    completed = run_cli(
        "run",
        "--workload",
        "protocol.sync_reference",
        "protocol.async_generator",
        "--runtime",
        "zz-broken",
        "asyncio",
        "-o",
        str(out),
        *TINY,
        cwd=project,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    benchmarks = manifest["benchmarks"]
    assert len(benchmarks) >= 2
    failed = [line for line in completed.stdout.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == len(benchmarks)
    for line in failed:
        assert line.endswith(" on zz-broken: RuntimeError: zz-broken loop refuses to start (test)")
    assert not (out / "zz-broken.json").exists()
    # Every benchmark after a failure still ran on the runtime that works.
    measured = pyperf.BenchmarkSuite.load(str(out / "asyncio.json")).get_benchmark_names()
    assert sorted(measured) == sorted(benchmarks)
    assert {(c["runtime"], c["kind"]) for c in manifest["na"]} == {("zz-broken", "failed")}
    assert len(manifest["na"]) == len(benchmarks)
    assert manifest["complete"] is True
