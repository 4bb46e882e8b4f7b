"""Issue 16, the measuring half: each defect a hostile user found, as a test that failed before.

In-process with the stub runner of ``test_run_folder`` wherever possible; the few subprocesses
are ``list`` or a run stopped during its start-up imports, which measure nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyperf
import pytest

from benchmarks import cli
from benchmarks.commands import run as run_verb
from benchmarks.commands import selection
from benchmarks.platform import runtimes
from benchmarks.running import counting, run_command, scheduler, timer_accuracy
from benchmarks.storage import interrupt, results, run_output
from benchmarks.storage.results import RunFolder, RunFolderError
from tests.conftest import AVAILABLE_RUNTIMES, REPO_ROOT
from tests.test_run_folder import (
    BENCHMARK,
    SELECTION,
    StubRunner,
    main,
    one_error_line,
)


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Callable[..., StubRunner]:
    """The stub runner of ``test_run_folder``, installed in the command."""

    def install(values: int = 9, fail_on: Sequence[str] = ()) -> StubRunner:
        runner = StubRunner(values, fail_on)
        monkeypatch.setattr(
            run_command, "choose_measure", lambda args: (runner, scheduler.Settings())
        )
        monkeypatch.setattr(run_verb, "check_pyperf_arguments", lambda args: None)
        return runner

    return install


def manifest_of(folder: Path) -> dict[str, object]:
    return dict(json.loads((folder / "manifest.json").read_text()))


# -- item 4: --force over a corrupt manifest leaves no file of the old run ------------------


def test_force_over_a_corrupt_manifest_removes_every_file_of_the_old_run(tmp_path: Path) -> None:
    run = tmp_path / "R"
    run.mkdir()
    (run / "manifest.json").write_text("{")
    (run / "trio.json").write_text('{"version": "1.0", "benchmarks": []}')
    (run / "rloop.json").write_text("truncated")  # a registered runtime, unreadable
    (run / "timer_accuracy.json").write_text("{}")
    (run / "notes.txt").write_text("mine")  # not a run file: kept
    manifest = {"format": results.MANIFEST_FORMAT, "run_id": "x", "runtimes": ["asyncio"]}
    manifest |= {"command": ["run"], "na": [], "loops": {}}
    with RunFolder.open(run, manifest, force=True):
        pass
    assert sorted(p.name for p in run.iterdir()) == ["manifest.json", "notes.txt"]


# -- item 5: run ids are unique, never the folder's name -------------------------------------


def test_run_ids_are_unique_and_not_the_folder_name(
    tmp_path: Path, stub: Callable[..., StubRunner]
) -> None:
    stub()
    first, second = tmp_path / "a" / "base", tmp_path / "b" / "base"
    assert main(*SELECTION, "--runtime", "asyncio", "-o", str(first)) == 0
    assert main(*SELECTION, "--runtime", "asyncio", "-o", str(second)) == 0
    ids = [manifest_of(folder)["run_id"] for folder in (first, second)]
    assert ids[0] != ids[1]
    assert "base" not in ids
    assert all(len(str(i).split("-")[-1]) == 8 for i in ids)  # the random part
    assert results.new_run_id() != results.new_run_id()


def test_resume_keeps_the_run_id(tmp_path: Path, stub: Callable[..., StubRunner]) -> None:
    stub(fail_on=["asyncio"])
    run = tmp_path / "run"
    assert main(*SELECTION, "--runtime", "asyncio", "-o", str(run)) == 1
    first = manifest_of(run)["run_id"]
    stub()
    assert main(*SELECTION, "--runtime", "asyncio", "--resume", "-o", str(run)) == 0
    assert manifest_of(run)["run_id"] == first


# -- item 9: --min-time must be a positive finite number --------------------------------------


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf"])
def test_a_bad_min_time_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setattr(pyperf.Runner, "_created", set())  # one Runner per process, per test
    run = tmp_path / "run"
    code = main(*SELECTION, f"--min-time={value}", "-o", str(run))
    assert code == 2
    assert "--min-time must be a positive number" in one_error_line(capsys.readouterr().err)
    assert not run.exists()


# -- item 10: --resume measures failed cells again ---------------------------------------------


def test_resume_retries_a_failed_cell(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    failing = AVAILABLE_RUNTIMES[0]
    stub(fail_on=[failing])
    assert main(*SELECTION, "-o", str(run)) == 1
    again = stub()
    assert main(*SELECTION, "--resume", "-o", str(run)) == 0
    # The failed cell is measured again (the scheduler measures a partly kept group whole).
    assert (BENCHMARK, failing) in again.calls
    manifest = manifest_of(run)
    assert not [c for c in manifest["na"] if c["kind"] == "failed"]  # type: ignore[attr-defined]
    assert manifest["complete"] is True
    assert "0 failed" in capsys.readouterr().out.splitlines()[-1]


# -- items 11, 21: the nox bench session reads -o as run does ----------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fast"], None),
        (["-o", "D"], "D"),
        (["--output", "D"], "D"),
        (["--output=D"], "D"),
        (["-oD"], "D"),
        (["--out", "D"], "D"),
        (["-o", "A", "--fast", "-o", "B"], "B"),
        (["--workload", "x*", "-p", "2", "--output=A", "-o", "B"], "B"),
    ],
)
def test_the_bench_session_reads_the_output_folder_as_run_does(
    args: list[str], expected: str | None
) -> None:
    assert run_output.output_of(args) == expected
    parsed, _ = cli.build_parser().parse_known_args(["run", *args])
    assert (None if parsed.output is None else str(parsed.output)) == expected


@pytest.mark.parametrize("args", [["-o"], ["--fast", "--output"], ["--output="]])
def test_the_bench_session_refuses_an_output_option_without_a_folder(args: list[str]) -> None:
    with pytest.raises(ValueError, match="-o/--output"):
        run_output.output_of(args)


# -- item 13: a stop between measuring and merging keeps the benchmark --------------------------


def test_a_signal_inside_a_deferred_region_is_raised_after_it() -> None:
    done = []
    with pytest.raises(interrupt.Interrupted) as stop, interrupt.signals_stop_the_run():
        with interrupt.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)
            done.append("merged")  # the region finishes
        done.append("after")  # never reached
    assert done == ["merged"]
    assert stop.value.exit_code == 130


def test_a_swallowed_stop_is_raised_again_at_the_end() -> None:
    with pytest.raises(interrupt.Interrupted), interrupt.signals_stop_the_run():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)
        except BaseException:  # a library that swallows everything
            pass


def test_a_stop_during_the_merge_keeps_the_benchmark_and_counts_it(
    tmp_path: Path,
    stub: Callable[..., StubRunner],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stub()
    merge = RunFolder.merge

    def merge_then_stop(self: RunFolder, *args: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # arrives between measuring and merging
        merge(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(RunFolder, "merge", merge_then_stop)
    run = tmp_path / "run"
    assert main(*SELECTION, "--runtime", "asyncio", "-o", str(run)) == 130
    assert (run / "asyncio.json").exists()
    assert "1 benchmarks measured and kept" in capsys.readouterr().err
    assert manifest_of(run)["complete"] is True


# -- item 18: a runtime whose import raises anything is n/a with its reason ---------------------


def test_a_broken_runtime_install_is_unavailable_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken_loop_mod.py").write_text("raise RuntimeError('compiled for another ABI')")
    monkeypatch.syspath_prepend(str(tmp_path))
    broken = runtimes.Runtime("broken", "asyncio", requires=("broken_loop_mod",))
    reason = broken.unavailable_reason()
    assert reason is not None and "RuntimeError: compiled for another ABI" in reason
    monkeypatch.setitem(runtimes.RUNTIMES, "broken", broken)
    monkeypatch.setattr(selection, "RUNTIMES", runtimes.RUNTIMES)
    assert cli.main(["list", "--runtime", "broken", *SELECTION]) == 0
    assert "n/a [1]" in capsys.readouterr().out


# -- item 22: timer_accuracy checks -o before measuring -----------------------------------------


@pytest.mark.parametrize("target", ["file", "file/sub"])
def test_timer_accuracy_refuses_a_bad_output_before_measuring(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
) -> None:
    (tmp_path / "file").write_text("x")

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("measured before checking the output")

    monkeypatch.setattr(timer_accuracy, "measure", never)
    assert timer_accuracy.main(["-o", str(tmp_path / target)]) == 2
    assert "is a file, not a folder" in one_error_line(capsys.readouterr().err)


# -- item 25, 27: a failed --resume creates nothing; a newer manifest is refused -----------------


def test_a_failed_resume_leaves_no_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "results" / "new"
    assert main(*SELECTION, "--resume", "-o", str(run)) == 2
    assert "nothing to resume" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "results").exists()


def test_a_manifest_of_another_format_is_not_resumed(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    stub(fail_on=["asyncio"])
    run = tmp_path / "run"
    main(*SELECTION, "--runtime", "asyncio", "-o", str(run))
    manifest = manifest_of(run) | {"format": 99}
    (run / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(*SELECTION, "--runtime", "asyncio", "--resume", "-o", str(run)) == 2
    assert "manifest format 99" in one_error_line(capsys.readouterr().err)
    with pytest.raises(RunFolderError, match="format 99"):
        results.read_manifest(run)


# -- item 28: list columns line up for long units -----------------------------------------------


def test_list_columns_line_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list", "--runtime", "asyncio", "trio"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "  " in line]
    header = lines[0]
    column = header.index("asyncio")
    rows = [line for line in lines[1:] if line.split()[0].count(".") and "[" in line.split()[0]]
    assert any("round trip" in row or "cancellation" in row for row in rows)  # long units
    for row in rows:
        assert row[column : column + 3] in ("ok ", "n/a"), row


# -- items 23, 24: start-up signals and a closed pipe --------------------------------------------


def test_a_closed_pipe_ends_list_quietly() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks", "list"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.parametrize("module", ["benchmarks", "analysis"])
@pytest.mark.parametrize("delay", [0.0, 0.1, 0.3])
def test_sigint_during_the_start_up_imports_is_one_line(
    tmp_path: Path, module: str, delay: float
) -> None:
    # -X importtime reports each import on stderr as it ends: the signal is sent once the
    # handler is in place (argparse is first imported by the command modules, after it); a
    # signal during the interpreter's own start-up (`site`, runpy) is before any code of ours.
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-X", "importtime", "-m", module]
    if module == "analysis":
        command += ["report", str(tmp_path / "none"), "-o", str(tmp_path / "out")]
    else:
        command += ["list"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.rstrip().endswith(b"argparse"):
            break
    time.sleep(delay)
    finished = process.poll() is not None
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    text = "\n".join(
        line for line in err.decode().splitlines() if not line.startswith("import time:")
    )
    assert "Traceback" not in text and "Exception ignored" not in text, text
    # 2: it ended just before the signal; -SIGINT: the signal came during the interpreter's
    # finalization, after the command had finished (Python resets SIGINT to its default there)
    if not finished and process.returncode not in (2, -signal.SIGINT):
        assert process.returncode == 130, text
        assert text.strip().splitlines()[-1].startswith("interrupted"), text


# -- item 28: scratch folders left by a SIGKILL are swept by the next command --------------------


def test_stale_scratch_folders_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    from benchmarks.storage.results import RunLock
    from benchmarks.storage.scratch import sweep_stale

    dead, live, young = (tmp_path / f"aiter-bench-{name}" for name in ("dead", "live", "young"))
    for folder in (dead, live, young):
        folder.mkdir()
    (dead / ".lock").write_text("12345\n")  # its owner was killed: nobody holds the lock
    lock = RunLock(live).acquire()
    try:
        assert sweep_stale("aiter-bench-", tmp_path) == [dead]
    finally:
        lock.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aiter-bench-live", "aiter-bench-young"]


# -- found in the second hostile pass (docs/hostile-pass.md) -----------------------------------


def test_a_bad_affinity_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pyperf.Runner, "_created", set())
    run = tmp_path / "run"
    assert main(*SELECTION, "--affinity", "xyz", "-o", str(run)) == 2
    assert "--affinity must be a CPU list" in one_error_line(capsys.readouterr().err)
    assert not run.exists()


@pytest.mark.parametrize("args", [["--samples", "abc", "-o", "x"], []])
def test_timer_accuracy_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        timer_accuracy.main(args)
    assert stop.value.code == 2
    one_error_line(capsys.readouterr().err)


# -- found in the third hostile pass (docs/hostile-pass.md) ------------------------------------


@pytest.fixture
def nothing_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Measuring, counting or building anything fails the test: the refusal must come first."""
    from benchmarks.running import count_run, experiment, interleave, sensitivity

    def measured(*args: object, **kwargs: object) -> None:
        raise AssertionError("measuring or building started before the input was refused")

    monkeypatch.setattr(pyperf.Runner, "_created", set())
    monkeypatch.setattr(experiment, "measure_groups", measured)
    monkeypatch.setattr(count_run, "count_jobs", measured)
    for module in (interleave, run_command, sensitivity):
        monkeypatch.setattr(module, "build_environment", measured)


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        (
            "AITER_BENCH_INJECT_SLOWDOWN",
            "abc",
            "AITER_BENCH_INJECT_SLOWDOWN: slowdown 'abc' is not",
        ),
        ("AITER_BENCH_INJECT_SLOWDOWN", "-0.1", "must be a fraction between 0 and 10"),
        ("AITER_BENCH_INJECT_WORK", "{bad", "AITER_BENCH_INJECT_WORK is not JSON"),
        ("AITER_BENCH_INJECT_WORK", '{"x": -5}', "iterations >= 0 per item"),
        ("AITER_BENCH_INJECT_WORK", '{"nope.nothing": 5}', "not selected: nope.nothing; selected"),
        ("AITER_BENCH_INJECT_WORK", '{"nope@asyncio": 5}', "not selected: nope@asyncio; selected"),
    ],
)
def test_bad_injection_variables_are_refused_before_measuring(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    nothing_measured: None,
    variable: str,
    value: str,
    fragment: str,
) -> None:
    # Before: accepted, then every worker refused the variable (each benchmark failed), or
    # work named for no selected benchmark injected nothing, silently.
    monkeypatch.setattr(counting, "unavailable_reason", lambda: None)
    monkeypatch.setenv(variable, value)
    run = tmp_path / "run"
    assert main(*SELECTION, "--measure", "instructions", "-o", str(run)) == 2
    assert fragment in one_error_line(capsys.readouterr().err)
    assert not run.exists()


def test_work_for_a_selected_benchmark_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.running import preflight

    monkeypatch.setattr(counting, "unavailable_reason", lambda: None)
    for key in (BENCHMARK, f"{BENCHMARK}@asyncio"):
        environ = {"AITER_BENCH_INJECT_WORK": json.dumps({key: 5})}
        preflight.check_measures([counting.INSTRUCTIONS], [BENCHMARK], environ=environ)
    environ = {"AITER_BENCH_INJECT_WORK": json.dumps({f"{BENCHMARK}@nope": 5})}
    with pytest.raises(ValueError, match="not selected"):
        preflight.check_measures([counting.INSTRUCTIONS], [BENCHMARK], environ=environ)


def test_instructions_without_valgrind_are_refused_before_measuring(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    nothing_measured: None,
) -> None:
    # Before: every cell was n/a ("valgrind is not installed") and the run exited 0.
    monkeypatch.setattr(counting, "unavailable_reason", lambda: "valgrind is not installed")
    for measure in ("instructions", "both"):
        pyperf.Runner._created.clear()  # type: ignore[attr-defined]
        run = tmp_path / measure
        assert main(*SELECTION, "--measure", measure, "-o", str(run)) == 2
        line = one_error_line(capsys.readouterr().err)
        assert "valgrind is not installed; or use --measure time" in line
        assert not run.exists()
    from benchmarks.running import interleave

    args = ["ab", "--baseline", ".", "--candidate", ".", "--measure", "instructions"]
    with pytest.raises(ValueError, match="valgrind is not installed"):
        interleave.command(
            cli.build_parser().parse_args([*args, "-o", str(tmp_path / "ab")]), [], [], None
        )
    assert not (tmp_path / "ab").exists()


def test_instructions_and_memory_tracking_do_not_combine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_measured: None
) -> None:
    run = tmp_path / "run"
    assert main(*SELECTION, "--measure", "instructions", "--track-memory", "-o", str(run)) == 2
    assert "measure memory, not instructions" in one_error_line(capsys.readouterr().err)


def test_an_unusable_environment_cache_is_refused_before_any_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_measured: None
) -> None:
    # Before: `run --python 3.11 3.12 --cache /dev/null` made both run folders, then a
    # FileExistsError traceback (exit 1).
    (tmp_path / "file").write_text("x")
    run = tmp_path / "run"
    code = main(*SELECTION, "--python", "3.11", "3.12", "--cache", str(tmp_path / "file"),
                "-o", str(run))  # fmt: skip
    assert code == 2
    assert "--cache: " in one_error_line(capsys.readouterr().err)
    assert not run.exists()
    ab = tmp_path / "ab"
    code = cli_code("ab", "--baseline", ".", "--candidate", ".", "--cache",
                    str(tmp_path / "file" / "c"), "-o", str(ab))  # fmt: skip
    assert code == 2
    assert "--cache: " in one_error_line(capsys.readouterr().err)
    assert not ab.exists()


def cli_code(*args: str) -> int:
    try:
        return cli.main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_a_failed_ab_start_leaves_no_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.running import interleave

    def no_such_ref(*args: object, **kwargs: object) -> None:
        raise ValueError("ref=nokey: not a commit of the repository")

    monkeypatch.setattr(interleave, "build_environment", no_such_ref)
    ab = tmp_path / "ab"
    assert cli_code("ab", "--baseline", "nokey", "--candidate", ".", "-o", str(ab)) == 2
    assert "not a commit" in one_error_line(capsys.readouterr().err)
    assert not ab.exists()
    kept = tmp_path / "kept"
    kept.mkdir()  # a folder the user made is left where it is
    assert cli_code("ab", "--baseline", "nokey", "--candidate", ".", "-o", str(kept)) == 2
    assert kept.is_dir()


@pytest.mark.parametrize("output", ["/dev/null", "/proc/x"])
def test_calibrate_checks_its_output_before_building(
    capsys: pytest.CaptureFixture[str], nothing_measured: None, output: str
) -> None:
    # Before: the output was first written after every pair had been measured.
    from benchmarks.running import sensitivity

    with pytest.raises(SystemExit) as stop:
        sensitivity.main(["--pairs", "1", "--family-size", "5", "-o", output])
    assert stop.value.code == 2
    one_error_line(capsys.readouterr().err)


def action_environ(tmp_path: Path, **more: str) -> dict[str, str]:
    inputs = {"baseline": ".", "candidate": "slowdown=0.05", "measure": "time"}
    inputs |= {"results": str(tmp_path / "results"), "cache-dir": str(tmp_path / "cache")}
    environ = {"GITHUB_WORKSPACE": str(tmp_path)}
    environ |= {"INPUT_" + k.upper().replace("-", "_"): v for k, v in inputs.items()}
    return environ | more


@pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"])
@pytest.mark.parametrize("where", ["folder", "missing folder", "/proc"])
def test_the_action_checks_the_runner_files_first(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    where: str,
) -> None:
    # Before: a traceback (exit 1), after the environments were built and both sides measured.
    from benchmarks.running import action

    monkeypatch.setattr(action, "prepare_environments", lambda *a: pytest.fail("built"))
    path = {"folder": tmp_path, "missing folder": tmp_path / "no" / "f", "/proc": Path("/proc/x")}
    environ = action_environ(tmp_path, **{variable: str(path[where])})
    assert action.main([], environ) == 2
    assert variable in one_error_line(capsys.readouterr().err)
    assert action.main(["--cache-key"], environ) == 2
    one_error_line(capsys.readouterr().err)


def test_the_action_refuses_bad_folders_and_ab_options_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.running import action

    monkeypatch.setattr(action, "prepare_environments", lambda *a: pytest.fail("built"))
    (tmp_path / "file").write_text("x")
    environ = action_environ(tmp_path, INPUT_CACHE_DIR=str(tmp_path / "file" / "cache"))
    assert action.main([], environ) == 2  # before: NotADirectoryError traceback
    assert "cache-dir: cannot create" in one_error_line(capsys.readouterr().err)
    environ = action_environ(tmp_path, INPUT_AB_OPTIONS="--bogus 3")
    assert action.main([], environ) == 2  # before: refused by ab after both builds
    assert "ab-options: unrecognized arguments: --bogus 3" in one_error_line(
        capsys.readouterr().err
    )


def test_the_action_summary_header_escapes_markdown(tmp_path: Path) -> None:
    from benchmarks.running import action

    inputs = action.read_inputs(action_environ(tmp_path, INPUT_WORKLOADS="protocol.*"))
    text = action.header(inputs, ["pip=[x](http://x.invalid)", "ref=*main*|x"])
    assert "[x](http://x.invalid)" not in text and "*main*" not in text
    assert "\\[x\\](http://x.invalid)" in text and "\\*main\\*\\|x" in text


# -- a fresh run with n/a cells is not announced as resumed -----------------------------------


@pytest.mark.skipif("trio" not in AVAILABLE_RUNTIMES, reason="needs trio, whose n/a cell it uses")
def test_a_fresh_run_with_na_cells_does_not_say_resuming(
    tmp_path: Path, stub: Callable[..., StubRunner], capsys: pytest.CaptureFixture[str]
) -> None:
    stub()
    run = tmp_path / "run"
    selection = [
        "--workload",
        "streams.tcp_lines",
        "--param",
        "api=native",
        "--param",
        "lines=1000",
    ]
    assert main(*selection, "--runtime", "trio", "asyncio", "-o", str(run)) == 0
    first = capsys.readouterr()
    assert "receive_some only" in first.out + first.err  # the n/a cell was recorded
    assert "resuming" not in first.out + first.err
    assert main(*selection, "--runtime", "trio", "asyncio", "--resume", "-o", str(run)) == 0
    assert "resuming: 2 cells already done" in "".join(capsys.readouterr())
