"""A run folder belongs to one run: refusal, --resume, --force, the lock, output-path errors.

The command runs in this process with the pyperf runner replaced by a stub that writes a known
number of values, so every case is fast and exact. (Real runs: tests/test_interrupt.py.)
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pyperf
import pytest

from benchmarks import cli
from benchmarks.commands import run as run_verb
from benchmarks.running import run_command, scheduler
from benchmarks.storage import interrupt, results
from benchmarks.storage.results import LOCK_NAME, RunLock
from tests.conftest import AVAILABLE_RUNTIMES, REPO_ROOT

SELECTION = ["--workload", "protocol.sync_reference", "--param", "items=10"]
BENCHMARK = "protocol.sync_reference[items=10]"
TWO = ["--workload", "protocol.sync_reference", "--param", "items=10,1000"]
TWO_NAMES = [BENCHMARK, "protocol.sync_reference[items=1000]"]


class StubRunner:
    """Stands in for the time measure (:class:`benchmarks.running.scheduler.Measure`): writes
    ``values`` values per arm, or fails on ``fail_on`` runtimes."""

    name = "stub"
    needs_loops = False

    def __init__(self, values: int = 9, fail_on: Sequence[str] = ()) -> None:
        self.values = values
        self.fail_on = set(fail_on)
        self.calls: list[tuple[str, str]] = []

    def measure_group(
        self,
        group: scheduler.Group,
        context: scheduler.Context,
        fixture_dir: Path | None,
        loops: int | None,
    ) -> dict[str, scheduler.Outcome]:
        outcomes: dict[str, scheduler.Outcome] = {}
        for index, arm in enumerate(group.arms):
            spec, runtime = group.spec, arm.runtime
            self.calls.append((spec.name, runtime))
            if runtime in self.fail_on:
                outcomes[arm.name] = "benchmarks.measured.workload.WrongResult: stub failure"
                continue
            metadata = {"name": spec.name, "unit": "second", "runtime": runtime,
                        "item_unit": "item"}  # fmt: skip
            run = pyperf.Run(
                [1e-6 * (i + 1) for i in range(self.values)],
                metadata=metadata,
                collect_metadata=False,
            )
            measured_file = context.scratch / f"stub-{index}.json"
            pyperf.BenchmarkSuite([pyperf.Benchmark([run])]).dump(str(measured_file), replace=True)
            outcomes[arm.name] = measured_file
        return outcomes


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Callable[..., StubRunner]:
    def install(values: int = 9, fail_on: Sequence[str] = ()) -> StubRunner:
        runner = StubRunner(values, fail_on)
        monkeypatch.setattr(
            run_command, "choose_measure", lambda args: (runner, scheduler.Settings())
        )
        # pyperf allows one Runner per process; the real command checks options with one.
        monkeypatch.setattr(run_verb, "check_pyperf_arguments", lambda args: None)
        return runner

    return install


def values_of(folder: Path, runtime: str) -> dict[str, tuple[float, ...]]:
    suite = pyperf.BenchmarkSuite.load(str(folder / f"{runtime}.json"))
    return {b.get_name(): b.get_values() for b in suite.get_benchmarks()}


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def main(*args: str) -> int:
    try:
        return cli.main(["run", *args])
    except SystemExit as exc:  # OneLineParser / fail()
        return int(exc.code or 0)


# -- one run per folder ---------------------------------------------------------------------


def test_an_existing_run_folder_is_refused_and_left_untouched(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    # The case: 9 measured values, then a --debug-single-value run into the same -o.
    run = tmp_path / "run"
    stub(values=9, fail_on=["trio"])
    assert main(*SELECTION, "-o", str(run)) == 1  # trio failed: recorded in the manifest
    manifest = (run / "manifest.json").read_bytes()
    before = {r: values_of(run, r) for r in AVAILABLE_RUNTIMES if r != "trio"}
    assert all(len(v[BENCHMARK]) == 9 for v in before.values())
    capsys.readouterr()

    again = stub(values=1)
    assert main(*SELECTION, "--debug-single-value", "-o", str(run)) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{run} holds a run; use --resume to continue it, --force to replace it" in line
    assert again.calls == []
    assert (run / "manifest.json").read_bytes() == manifest  # failures and n/a kept
    assert {r: values_of(run, r) for r in before} == before
    assert not (run / LOCK_NAME).exists()


def test_a_non_empty_folder_that_is_no_run_is_refused(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    runner = stub()
    assert main(*SELECTION, "-o", str(tmp_path)) == 2
    assert "is not empty (notes.txt)" in one_error_line(capsys.readouterr().err)
    assert runner.calls == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_force_replaces_the_previous_run(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    stub(values=9)
    assert main(*TWO, "-o", str(run)) == 0
    stub(values=1)
    assert main(*SELECTION, "--debug-single-value", "--force", "-o", str(run)) == 0
    assert values_of(run, "asyncio") == {BENCHMARK: (1e-6,)}  # the old benchmarks are gone
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["mode"] == "debug-single-value" and manifest["complete"] is True


def test_resume_measures_only_what_the_manifest_lacks(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    stub(values=9, fail_on=["trio"])

    # Stop the run as SIGINT would, when the second benchmark is about to be merged.
    original = results.RunFolder.merge

    def merge_then_stop(self: results.RunFolder, cell: results.Cell, measured: Path) -> None:
        if cell.benchmark == TWO_NAMES[1]:
            raise interrupt.Interrupted(signal.SIGINT)
        original(self, cell, measured)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(results.RunFolder, "merge", merge_then_stop)
        assert main(*TWO, "-o", str(run)) == 130
    interrupted = json.loads((run / "manifest.json").read_text())
    assert interrupted["complete"] is False
    # The first benchmark is done on every runtime (trio failing); of the second, nothing was
    # kept: everything of it is missing.
    merged = [(TWO_NAMES[0], r) for r in AVAILABLE_RUNTIMES if r != "trio"]
    missing = {(c["benchmark"], c["runtime"]) for c in interrupted["missing"]}
    assert missing == {(TWO_NAMES[1], r) for r in AVAILABLE_RUNTIMES}
    done = merged
    kept = {r: values_of(run, r) for r in AVAILABLE_RUNTIMES if (run / f"{r}.json").exists()}
    capsys.readouterr()

    second = stub(values=5, fail_on=["trio"])
    assert main(*TWO, "--resume", "-o", str(run)) == 1  # trio fails again on new cells
    # --resume measures failed cells again (issue 16, item 10); the scheduler measures a
    # partly kept benchmark again whole, so the first benchmark is measured on every runtime.
    assert set(second.calls) == missing | {(TWO_NAMES[0], r) for r in AVAILABLE_RUNTIMES}
    assert set(done) <= set(second.calls)
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["missing"] == []
    assert manifest["run_id"] == interrupted["run_id"]
    assert len(manifest["resumed"]) == 1
    for runtime in kept:  # the benchmark measured again whole holds the new values only
        assert len(values_of(run, runtime)[TWO_NAMES[0]]) == 5
    failed = [(c["benchmark"], c["runtime"]) for c in manifest["na"] if c["kind"] == "failed"]
    assert len(failed) == len(set(failed)) == 2  # each trio cell recorded once


def test_resume_measures_a_partly_kept_benchmark_again_on_every_runtime(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    """The arms of a block must have run together: a benchmark stopped after one runtime was
    merged is measured again on all its runtimes, replacing what was kept of it."""
    run = tmp_path / "run"
    stub(values=9)
    original = results.RunFolder.merge
    merges: list[results.Cell] = []

    def merge_once(self: results.RunFolder, cell: results.Cell, measured: Path) -> None:
        if merges:
            raise interrupt.Interrupted(signal.SIGTERM)
        merges.append(cell)
        original(self, cell, measured)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(results.RunFolder, "merge", merge_once)
        assert main(*SELECTION, "-o", str(run)) == 143
    (first,) = merges
    assert len(values_of(run, first.runtime)[BENCHMARK]) == 9
    capsys.readouterr()
    second = stub(values=5)
    assert main(*SELECTION, "--resume", "-o", str(run)) == 0
    assert sorted(second.calls) == sorted((BENCHMARK, r) for r in AVAILABLE_RUNTIMES)
    for runtime in AVAILABLE_RUNTIMES:  # every runtime from the same, second, set of blocks
        assert len(values_of(run, runtime)[BENCHMARK]) == 5


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            [*SELECTION, "--debug-single-value"],
            "another mode ('default', this command: 'debug-single-value')",  # checked first
        ),
        ([*SELECTION, "--runtime", "asyncio"], "another runtimes"),
        (
            [*SELECTION, "--affinity", "0"],
            "another pyperf_options ([], this command: [--affinity, 0])",
        ),
        (["--workload", "protocol.sync_reference", "--param", "items=1000"], "another benchmarks"),
    ],
)
def test_resume_refuses_another_selection(
    tmp_path: Path,
    stub: Callable[..., StubRunner],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    fragment: str,
) -> None:
    run = tmp_path / "run"
    stub()
    assert main(*SELECTION, "-o", str(run)) == 0
    manifest = (run / "manifest.json").read_bytes()
    capsys.readouterr()
    runner = stub()
    assert main(*args, "--resume", "-o", str(run)) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"cannot resume {run}: its run has {fragment}" in line
    assert runner.calls == []
    assert (run / "manifest.json").read_bytes() == manifest


def test_resume_needs_a_run_to_resume(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    stub()
    assert main(*SELECTION, "--resume", "-o", str(tmp_path / "new")) == 2
    assert "nothing to resume in" in one_error_line(capsys.readouterr().err)
    assert main(*SELECTION, "--resume") == 2
    assert "--resume needs -o DIR" in one_error_line(capsys.readouterr().err)
    assert main(*SELECTION, "--resume", "--force", "-o", str(tmp_path)) == 2
    assert "not allowed with argument" in one_error_line(capsys.readouterr().err)


# -- the lock -------------------------------------------------------------------------------


def test_a_second_run_into_a_locked_folder_is_refused(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    runner = stub()
    lock = RunLock(run).acquire()  # another run holds the folder
    try:
        assert main(*SELECTION, "-o", str(run)) == 2
    finally:
        lock.release()
    line = one_error_line(capsys.readouterr().err)
    assert f"{run} is in use by another run (pid {os.getpid()}" in line
    assert runner.calls == [] and sorted(os.listdir(run)) == []
    assert main(*SELECTION, "-o", str(run)) == 0  # released: the folder can be used


def test_a_stale_lock_is_taken_over(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    (run / LOCK_NAME).write_text(dead.stdout)  # left by a run that was killed
    stub()
    assert main(*SELECTION, "-o", str(run)) == 0
    assert not (run / LOCK_NAME).exists()


@pytest.mark.slow
def test_two_runs_into_one_folder_at_once(tmp_path: Path) -> None:
    """The issue's case: both exited 0 and one result was lost. Now exactly one runs."""
    run = tmp_path / "run"
    command = [sys.executable, "-m", "benchmarks", "run", *SELECTION, "--runtime", "asyncio",
               "--debug-single-value", "-o", str(run)]  # fmt: skip
    first, second = (
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    )
    outcomes = sorted(
        (p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in (first, second)
    )
    assert [code for code, _ in outcomes] == [0, 2], outcomes
    line = one_error_line(outcomes[1][1])
    assert "is in use by another run" in line or "holds a run" in line
    assert values_of(run, "asyncio").keys() == {BENCHMARK}


def test_a_default_run_folder_is_created_atomically(tmp_path: Path) -> None:
    existing = results.default_run_dir(tmp_path, "3.11")
    existing.mkdir()  # another run created this name first
    created = results.create_run_dir(tmp_path, "3.11")
    assert created.is_dir() and created != existing


# -- output-path errors ---------------------------------------------------------------------


def read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` read-only, also for root (who ignores permission bits)."""
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    inside = str(folder.resolve())

    def refuse(original: Callable[..., object]) -> Callable[..., object]:
        def wrapper(path: object, *args: object, **kwargs: object) -> object:
            named = isinstance(path, (str, os.PathLike))
            if named and os.path.abspath(os.fspath(path)).startswith(inside):  # type: ignore[arg-type]
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return original(path, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(os, "mkdir", refuse(os.mkdir))
    monkeypatch.setattr(os, "open", refuse(os.open))
    monkeypatch.setattr("builtins.open", refuse(open))


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("file", "{file} is a file, not a folder; choose a folder"),
        ("file/sub", "{file} is a file, not a folder (in {file}/sub)"),
        ("", "argument -o/--output: an empty folder name"),
        ("readonly/run", "cannot write to {tmp}/readonly/run: Permission denied"),
        ("readonly", "cannot write to {tmp}/readonly: Permission denied"),
    ],
)
def test_output_path_errors_are_one_line(
    tmp_path: Path,
    stub: Callable[..., StubRunner],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    fragment: str,
) -> None:
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "readonly").mkdir()
    monkeypatch.chdir(tmp_path)
    if target.startswith("readonly"):
        read_only(monkeypatch, tmp_path / "readonly")
    runner = stub()
    output = str(tmp_path / target) if target else ""
    assert main(*SELECTION, "-o", output) == 2
    line = one_error_line(capsys.readouterr().err)
    assert fragment.format(file=tmp_path / "file", tmp=tmp_path) in line
    assert runner.calls == []
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["file", "readonly"]  # nothing written, not even '.'
    assert os.listdir(tmp_path / "readonly") == []


def test_a_full_disk_is_one_line_and_leaves_no_partial_file(
    tmp_path: Path,
    stub: Callable[..., StubRunner],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = tmp_path / "run"
    stub()
    original = pyperf.BenchmarkSuite.dump

    def full_disk(self: pyperf.BenchmarkSuite, path: str, *args: object, **kw: object) -> None:
        if Path(path).parent == run:  # the merge into the run folder, not the stub's own file
            Path(path).write_text('{"partial')
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        original(self, path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pyperf.BenchmarkSuite, "dump", full_disk)
    assert main(*SELECTION, "-o", str(run)) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == f"error: cannot write results to {run}: No space left on device"
    assert sorted(os.listdir(run)) == ["manifest.json"]  # no partial or temporary file
    assert json.loads((run / "manifest.json").read_text())["complete"] is False


# -- minor points ---------------------------------------------------------------------------


def test_manifest_has_the_mode_of_the_result_files(
    tmp_path: Path, stub: Callable[..., StubRunner]
) -> None:
    old = os.umask(0o022)
    try:
        stub()
        assert main(*SELECTION, "-o", str(tmp_path / "run")) == 0
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "run").iterdir()}
    assert set(modes.values()) == {0o644}, modes


def test_repeated_param_values_are_measured_once_with_a_note(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    runner = stub()
    args = ["--workload", "protocol.sync_reference", "--runtime", "asyncio"]
    assert main(*args, "--param", "items=10,10", "--param", "items=1000,10", "-o",
                str(tmp_path / "run")) == 0  # fmt: skip
    assert runner.calls == [
        ("protocol.sync_reference[items=10]", "asyncio"),
        ("protocol.sync_reference[items=1000]", "asyncio"),
    ]
    err = capsys.readouterr().err
    assert err.count("note: --param items=10 is given twice; measured once") == 2


def test_empty_output_is_refused_by_the_real_command(tmp_path: Path) -> None:
    """The issue's case: ``-o ''`` wrote into the current folder."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "run", *SELECTION, "--debug-single-value", "-o", ""],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert "an empty folder name" in one_error_line(completed.stderr)
    assert os.listdir(tmp_path) == []


def test_force_replaces_a_run_whose_manifest_is_corrupt(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    stub()
    assert main(*SELECTION, "-o", str(run)) == 0
    (run / "manifest.json").write_text('{"trunc')
    assert main(*SELECTION, "--resume", "-o", str(run)) == 2
    assert "manifest.json cannot be read" in one_error_line(capsys.readouterr().err)
    assert main(*SELECTION, "--force", "-o", str(run)) == 0
    assert json.loads((run / "manifest.json").read_text())["complete"] is True
