"""Fixtures: a failed build fails only its benchmarks; stale builds go; every byte is checked."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyperf
import pytest

from benchmarks import cli
from benchmarks.commands import run as run_verb
from benchmarks.measured.fixtures import FixtureError, ensure_fixture, remove_stale_builds
from benchmarks.measured.workload import Fixture
from benchmarks.measured.workloads.io import _inputs
from benchmarks.running import run_command, scheduler
from tests.conftest import run_cli
from tests.test_run_folder import StubRunner


def dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(finished.stdout)


@pytest.mark.slow
def test_a_fixture_root_that_is_a_file_fails_only_the_benchmarks_that_need_it(
    tmp_path: Path,
) -> None:
    not_a_folder = tmp_path / "fixtures"
    not_a_folder.write_text("a file")
    out = tmp_path / "run"
    completed = run_cli(
        "run",
        "--workload", "io.csv_rows", "protocol.sync_reference",
        "--param", "api=anyio", "--param", "reading=streaming", "--param", "items=10",
        "--runtime", "asyncio",
        "--fixture-root", str(not_a_folder),
        "-o", str(out),
        "--debug-single-value",
    )  # fmt: skip
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    reason = "fixture csv-10000rows-seed20240807 could not be built: "
    assert f"FAILED io.csv_rows[api=anyio,reading=streaming,rows=10000] on asyncio: {reason}" in (
        completed.stdout
    )
    measured = pyperf.BenchmarkSuite.load(str(out / "asyncio.json")).get_benchmark_names()
    assert measured == ["protocol.sync_reference[items=10]"]  # the run went on
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True
    [failed] = manifest["na"]
    assert failed["kind"] == "failed"
    assert failed["workload"] == "io.csv_rows"
    assert failed["reason"] == f"{reason}{not_a_folder} is not a folder"
    assert not_a_folder.read_text() == "a file"


def test_a_full_disk_while_building_is_a_fixture_error_and_leaves_nothing(tmp_path: Path) -> None:
    def full_disk(folder: Path) -> None:
        (folder / "data.bin").write_bytes(b"x" * 100)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(FixtureError, match=r"fixture big could not be built in .*No space left"):
        ensure_fixture(Fixture("big", full_disk), tmp_path)
    assert os.listdir(tmp_path) == []


def test_stale_building_folders_are_removed_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    stale = root / f"datafile-4MiB-seed1.building-{dead_pid()}"
    live = root / f"datafile-4MiB-seed1.building-{os.getppid()}"  # a build still going on
    for folder in (stale, live):
        folder.mkdir(parents=True)
        (folder / "data.bin").write_bytes(b"x" * 1000)
    # Through the stub measure of test_run_folder: no real worker process is started.
    stub = StubRunner()
    monkeypatch.setattr(run_command, "choose_measure", lambda args: (stub, scheduler.Settings()))
    monkeypatch.setattr(run_verb, "check_pyperf_arguments", lambda args: None)
    args = ["run", "--workload", "protocol.sync_reference", "--param", "items=10"]
    assert cli.main([*args, "--fixture-root", str(root), "-o", str(tmp_path / "run")]) == 0
    assert sorted(p.name for p in root.iterdir()) == [live.name]


def test_remove_stale_builds_ignores_other_folders(tmp_path: Path) -> None:
    (tmp_path / "datafile-4MiB-seed1").mkdir()
    (tmp_path / "notes.building-x").mkdir()
    assert remove_stale_builds(tmp_path) == []
    assert remove_stale_builds(tmp_path / "absent") == []


def test_corruption_in_the_middle_of_a_chunk_is_detected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = ensure_fixture(_inputs.data_file(1), tmp_path)
    data = folder / _inputs.DATA_FILE
    original = data.read_bytes()
    chunk = 64 * 1024
    corrupt = bytearray(original)
    corrupt[chunk // 2] ^= 0xFF  # a byte in the middle of the first 64 KiB chunk
    data.write_bytes(bytes(corrupt))

    def signature(content: bytes) -> int:
        value = 0
        for start in range(0, len(content), chunk):
            value = _inputs.chunk_signature(content[start : start + chunk], value)
        return value

    # The workload's own (cheap, timed) check cannot see it: that was the defect.
    assert signature(bytes(corrupt)) == signature(original)

    assert ensure_fixture(_inputs.data_file(1), tmp_path) == folder
    assert hashlib.sha256(data.read_bytes()).digest() == hashlib.sha256(original).digest()
    assert "fails its checksum; rebuilding it" in capsys.readouterr().err


def test_an_intact_fixture_is_reused_not_rebuilt(tmp_path: Path) -> None:
    builds: list[Path] = []

    def build(folder: Path) -> None:
        builds.append(folder)
        (folder / "data.bin").write_bytes(bytes(range(256)) * 64)

    fixture = Fixture("counted", build)
    first = ensure_fixture(fixture, tmp_path)
    assert ensure_fixture(fixture, tmp_path) == first
    assert len(builds) == 1
    marker = json.loads((first / ".complete").read_text())
    assert marker["sha256"] == {"data.bin": hashlib.sha256(bytes(range(256)) * 64).hexdigest()}
