"""I/O workloads: verified on every runtime they support, fixtures built once, no leaks."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import tracemalloc
from pathlib import Path

import pytest

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureError, ensure_fixture
from benchmarks.measured.workload import Case, Fixture
from benchmarks.measured.workloads.io import _inputs
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running.harness import time_batch

IO_WORKLOADS = catalog.select_workloads(["io.*"])
#: Every variant (api, shape, reading, compression) at the smallest input and the default
#: 64 KiB chunk: a smaller chunk runs the same code more often (4 096 times on 4 MiB), so it
#: would make these tests slower, not stricter.
SMALL_SPECS = [
    spec
    for spec in catalog.expand(IO_WORKLOADS, ladder=True)
    if spec.params.get("size_mib", 4) == 4
    and spec.params.get("rows", 10_000) == 10_000
    and spec.params.get("chunk", 65536) == 65536
]


@pytest.fixture(scope="session")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fixtures")


def case_for(spec: catalog.BenchmarkSpec, root: Path) -> Case:
    assert spec.workload.fixture is not None
    return Case(spec.params, ensure_fixture(spec.workload.fixture(Case(spec.params)), root))


@pytest.mark.parametrize("spec", SMALL_SPECS, ids=lambda spec: spec.name)
def test_io_workload_gives_verified_result(
    spec: catalog.BenchmarkSpec, runtime_name: str, fixture_root: Path
) -> None:
    case = case_for(spec, fixture_root)
    reason = spec.workload.unsupported(runtime_name, case)
    if reason is not None:
        assert runtime_name == "trio" and "asyncio event loops" in reason
        pytest.skip(reason)
    time_batch(2, RUNTIMES[runtime_name], spec.workload, case)  # raises on a wrong result


def test_asyncio_only_libraries_are_na_on_trio_with_a_reason() -> None:
    na = {
        spec.name: spec.workload.unsupported("trio", Case(spec.params))
        for spec in [
            *catalog.expand(IO_WORKLOADS, overrides={"api": ("anyio", "aiofiles")}),
            *catalog.expand(IO_WORKLOADS, overrides={"api": ("anyio", "aiozipstream")}),
        ]
    }
    assert {name for name, reason in na.items() if reason} == {
        "io.csv_rows[api=aiofiles,reading=readlines,rows=10000]",
        "io.file_chunks[api=aiofiles,shape=iterable,chunk=65536,size_mib=4]",
        "io.zip_backup[api=aiozipstream,compression=stored,chunk=65536,size_mib=4]",
    }


def test_io_workloads_say_how_they_are_checked() -> None:
    for workload in IO_WORKLOADS:
        for part in ("Measures:", "Unit:", "Checked", "Why:"):
            assert part in workload.description, f"{workload.name} docstring lacks {part}"


def zip_case(api: str, compression: str, root: Path) -> Case:
    params = {"api": api, "compression": compression, "chunk": 65536, "size_mib": 4}
    return case_for(catalog.BenchmarkSpec(catalog.load_workload("io.zip_backup"), params), root)


def test_zip_backup_stores_by_default_as_the_tutorial_does() -> None:
    workload = catalog.load_workload("io.zip_backup")
    assert {spec["compression"] for spec in workload.cases()} == {"stored"}
    assert set(workload.params["compression"]) == {"stored", "deflate"}


@pytest.mark.parametrize("api", ["anyio", "aiozipstream"])
@pytest.mark.parametrize("compression", ["stored", "deflate"])
def test_zip_backup_uses_the_requested_compression(
    api: str, compression: str, fixture_root: Path
) -> None:
    """The archive's members use the method asked for, and the check tells the two apart."""
    import zipfile

    from benchmarks.measured.workload import WrongResult

    workload = catalog.load_workload("io.zip_backup")
    assert workload.session is not None and workload.verify is not None
    case = zip_case(api, compression, fixture_root)
    other = zip_case(api, "deflate" if compression == "stored" else "stored", fixture_root)
    method = {"stored": zipfile.ZIP_STORED, "deflate": zipfile.ZIP_DEFLATED}[compression]

    async def build_and_inspect() -> set[int]:
        async with workload.open(case) as run_once:
            archive = await run_once()
            assert isinstance(archive, Path)
            workload.check(case, archive)
            with pytest.raises(WrongResult, match="compression"):
                workload.check(other, archive)
            with zipfile.ZipFile(archive) as opened:
                return {info.compress_type for info in opened.infolist()}

    assert RUNTIMES["asyncio"].run(build_and_inspect) == {method}


def test_file_ladder_reaches_256_mib() -> None:
    workload = catalog.load_workload("io.file_chunks")
    assert max(workload.params["size_mib"]) >= 256
    assert set(workload.params["chunk"]) == {1024, 64 * 1024, 1024 * 1024}


def test_a_corrupted_input_is_caught(runtime_name: str, tmp_path: Path) -> None:
    """A fast wrong answer fails: flip one byte of the data file and the check notices."""
    workload = catalog.load_workload("io.file_chunks_blocking")
    case = Case({"chunk": 1024, "size_mib": 4}, ensure_fixture(_inputs.data_file(4), tmp_path))
    data = case.fixture_dir / _inputs.DATA_FILE  # type: ignore[operator]
    with open(data, "r+b") as stream:
        stream.seek(1024 * 100)
        original = stream.read(1)
        stream.seek(1024 * 100)
        stream.write(bytes([original[0] ^ 0xFF]))
    with pytest.raises(AssertionError, match="returned"):
        time_batch(1, RUNTIMES[runtime_name], workload, case)


def test_fixtures_are_built_once_and_deterministic(tmp_path: Path) -> None:
    builds: list[Path] = []

    def build(folder: Path) -> None:
        builds.append(folder)
        _inputs.build_csv_file(1_000, folder)

    fixture = Fixture("csv-test", build)
    first = ensure_fixture(fixture, tmp_path / "a")
    again = ensure_fixture(fixture, tmp_path / "a")
    assert first == again and len(builds) == 1
    other = ensure_fixture(fixture, tmp_path / "b")

    def digest(folder: Path) -> str:
        return hashlib.sha256((folder / _inputs.CSV_FILE).read_bytes()).hexdigest()

    assert digest(first) == digest(other)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["csv-test"]


def test_failed_fixture_build_leaves_nothing_that_looks_complete(tmp_path: Path) -> None:
    def build(folder: Path) -> None:
        (folder / "half.bin").write_bytes(b"x")
        raise OSError("disk full")

    with pytest.raises(FixtureError, match="disk full"):
        ensure_fixture(Fixture("broken", build), tmp_path)
    assert list(tmp_path.iterdir()) == []


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def zip_scratch_dirs() -> set[str]:
    prefix = zip_backup_module().scratch_prefix()
    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith(prefix)}


def zip_backup_module():  # type: ignore[no-untyped-def]
    import sys

    return sys.modules[catalog.load_workload("io.zip_backup").module]


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to count descriptors")
@pytest.mark.parametrize("spec", SMALL_SPECS, ids=lambda spec: spec.name)
def test_no_threads_files_or_temporary_files_leak(
    spec: catalog.BenchmarkSpec, runtime_name: str, fixture_root: Path
) -> None:
    case = case_for(spec, fixture_root)
    reason = spec.workload.unsupported(runtime_name, case)
    if reason is not None:
        pytest.skip(reason)
    runtime = RUNTIMES[runtime_name]
    time_batch(1, runtime, spec.workload, case)  # warm: thread pools reach their steady size
    threads, fds, scratch = threading.active_count(), open_fds(), zip_scratch_dirs()
    for _ in range(3):
        time_batch(2, runtime, spec.workload, case)
    # Idle worker threads of a runtime's pool may be reused, never accumulated.
    assert threading.active_count() <= threads + 1
    assert open_fds() == fds
    assert zip_scratch_dirs() == scratch


def peak_memory(workload_name: str, params: dict[str, int | str], root: Path) -> int:
    workload = catalog.load_workload(workload_name)
    case = case_for(catalog.BenchmarkSpec(workload, params), root)
    tracemalloc.start()
    try:
        time_batch(1, RUNTIMES["asyncio"], workload, case)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_csv_memory_stays_flat_as_the_file_grows(fixture_root: Path) -> None:
    def peak(reading: str, rows: int) -> int:
        params = {"api": "anyio", "reading": reading, "rows": rows}
        return peak_memory("io.csv_rows", params, fixture_root)

    streaming_small, streaming_large = peak("streaming", 10_000), peak("streaming", 100_000)
    readlines_small, readlines_large = peak("readlines", 10_000), peak("readlines", 100_000)
    assert streaming_large < streaming_small + 256 * 1024
    assert streaming_large < 2 * 1024 * 1024
    # The tutorial's readlines() iterator grows with the file: the test can tell the difference.
    assert readlines_large > readlines_small + 4 * 1024 * 1024


def test_chunked_file_memory_stays_flat_as_the_file_grows(fixture_root: Path) -> None:
    def peak(size_mib: int) -> int:
        params = {"api": "anyio", "shape": "iterator", "chunk": 65536, "size_mib": size_mib}
        return peak_memory("io.file_chunks", params, fixture_root)

    small, large = peak(4), peak(64)
    assert large < small + 256 * 1024
    assert large < 4 * 65536
