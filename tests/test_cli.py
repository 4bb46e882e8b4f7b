"""The command line: the matrix, and one clear line with exit code 2 for bad input."""

from __future__ import annotations

import asyncio
import platform
import sys

import pytest

from benchmarks import cli
from benchmarks.commands import selection
from benchmarks.measured import catalog
from benchmarks.measured.workload import Case
from benchmarks.platform.runtimes import DEFAULT_RUNTIMES, RUNTIMES, Runtime
from benchmarks.running import scheduler
from benchmarks.running.harness import time_batch
from tests.conftest import run_cli


def test_list_shows_every_benchmark_on_every_runtime() -> None:
    completed = run_cli("list")
    assert completed.returncode == 0, completed.stderr
    header = completed.stdout.splitlines()[0]
    for runtime in RUNTIMES:
        assert runtime in header
    for spec in catalog.expand(catalog.all_workloads()):
        assert spec.name in completed.stdout


def test_list_shows_unavailable_runtime_with_its_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ghost = Runtime("ghost", backend="asyncio", requires=("no_such_module_for_tests",))
    monkeypatch.setitem(RUNTIMES, "ghost", ghost)
    assert (
        cli.main(["list", "--workload", "protocol.sync_reference", "--runtime", "asyncio", "ghost"])
        == 0
    )
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("protocol.sync_reference"))
    assert row.split()[2:] == ["ok", "n/a", "[1]"]
    assert "[1] no_such_module_for_tests is not importable" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["run", "--runtime", "curio"],
            "unknown runtime 'curio'; valid runtimes: asyncio, uvloop, trio, rloop, ",
        ),
        (
            ["list", "--runtime", "curio"],
            "unknown runtime 'curio'; valid runtimes: asyncio, uvloop, trio, rloop, ",
        ),
        (
            ["run", "--workload", "nothing.like.this"],
            "no workload matches 'nothing.like.this'; valid workloads: ",
        ),
        (
            ["run", "--workload", "protocol.*", "--param", "items=7"],
            "items=7 is on no selected ladder; valid values: 10, 1000, 100000",
        ),
        (
            ["run", "--param", "colour=red"],
            "bad --param 'colour=red'; parameters of the selected workloads: ",
        ),
        (["run", "--no-such-pyperf-option"], "unrecognized arguments: --no-such-pyperf-option"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args: list[str], expected: str) -> None:
    completed = run_cli(*args)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: ")
    assert expected in lines[0]


def test_bad_input_writes_no_results(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    assert run_cli("run", "--runtime", "curio", "-o", str(out)).returncode == 2
    assert not out.exists()


def test_default_selection_is_every_workload_at_its_default_size() -> None:
    runtimes, specs = selection.plan(cli.build_parser().parse_args(["run"]))
    assert runtimes == list(DEFAULT_RUNTIMES)
    protocol = [s for s in specs if s.workload.family == "protocol"]
    assert {s.params["items"] for s in protocol} == {1_000}
    # async_generator: nosuspend control + checkpoint anyio/native; four checkpoint shapes;
    # sync_reference. Ladder-only workloads (e.g. async_genexpr) are left out.
    assert len(protocol) == 8
    assert "protocol.async_genexpr" not in {s.workload.name for s in specs}
    assert len(specs) == 24
    _, named = selection.plan(
        cli.build_parser().parse_args(["run", "--workload", "protocol.async_g*"])
    )
    assert {s.workload.name for s in named} == {
        "protocol.async_generator",
        "protocol.async_genexpr",
    }


def test_ladder_and_param_selection() -> None:
    parser = cli.build_parser()
    _, ladder = selection.plan(
        parser.parse_args(["run", "--workload", "protocol.async_generator", "--ladder"])
    )
    # nosuspend with anyio, checkpoint with anyio and with the runtime's own checkpoint.
    assert [s.params["items"] for s in ladder] == [10, 1_000, 100_000] * 3
    _, chosen = selection.plan(
        parser.parse_args(
            ["run", "--workload", "protocol.async_generator", "--param", "items=10,100000"]
        )
    )
    assert sorted({s.params["items"] for s in chosen}) == [10, 100_000]


def test_failure_reason_prefers_the_workload_error() -> None:
    stderr = (
        "Traceback (most recent call last):\n"
        "benchmarks.measured.workload.WrongResult: x returned 1, expected 2\n"
        "RuntimeError: /usr/bin/python failed with exit code 1\n"
    )
    expected = "benchmarks.measured.workload.WrongResult: x returned 1, expected 2"
    assert scheduler.failure_reason(stderr, 1) == expected
    assert scheduler.failure_reason("", 3) == "runner exited with code 3"


NEW_RUNTIMES = ("rloop", "asyncio-eager", "uvloop-eager")


def test_new_runtimes_are_registered_but_not_in_the_default_run() -> None:
    assert set(NEW_RUNTIMES) <= set(RUNTIMES)
    assert DEFAULT_RUNTIMES == ("asyncio", "uvloop", "trio")
    assert selection.selected_runtimes(None) == ["asyncio", "uvloop", "trio"]
    assert selection.selected_runtimes(["rloop", "asyncio"]) == ["rloop", "asyncio"]


def test_list_shows_every_runtime_with_its_na_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list", "--workload", "protocol.sync_reference"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[2:] == list(RUNTIMES)
    row = next(line for line in out.splitlines() if line.startswith("protocol.sync_reference"))
    for name in NEW_RUNTIMES:
        reason = RUNTIMES[name].unavailable_reason()
        if reason is not None:
            assert f"] {reason}" in out
    assert row.count("n/a") == sum(RUNTIMES[n].unavailable_reason() is not None for n in RUNTIMES)
    assert "measured only when named with --runtime: rloop, asyncio-eager, uvloop-eager" in out


def test_eager_runtimes_need_python_3_12() -> None:
    for name in ("asyncio-eager", "uvloop-eager"):
        runtime = RUNTIMES[name]
        assert runtime.min_python == (3, 12)
        reason = runtime.unavailable_reason()
        if sys.version_info < (3, 12):
            assert reason is not None and reason.startswith(f"{name} needs Python 3.12+ (this is ")
        else:
            assert reason is None or "needs Python" not in reason
    future = Runtime("future", backend="asyncio", min_python=(3, 99))
    assert future.unavailable_reason() == (
        f"future needs Python 3.99+ (this is {platform.python_version()})"
    )


@pytest.mark.parametrize(
    "name", [n for n in NEW_RUNTIMES if RUNTIMES[n].unavailable_reason() is None]
)
def test_each_new_runtime_runs_a_workload(name: str) -> None:
    """The loop it promises is the loop that runs (rloop's, or an eager task factory)."""

    async def running_loop() -> tuple[str, bool]:
        loop = asyncio.get_running_loop()
        return type(loop).__module__, loop.get_task_factory() is not None

    module, has_factory = RUNTIMES[name].run(running_loop)
    if name == "rloop":
        assert module.startswith("rloop")
    else:
        assert has_factory
        assert module.startswith("uvloop" if name.startswith("uvloop") else "asyncio")
    workload = catalog.load_workload("protocol.async_generator")
    case = Case({"mode": "checkpoint", "items": 10})
    assert time_batch(2, RUNTIMES[name], workload, case) > 0


@pytest.mark.parametrize(
    ("command", "layouts"),
    [
        (["run"], 1),
        (["ab", "--baseline", ".", "--candidate", "."], 3),
        (["calibrate"], 3),
        (["ab", "--baseline", ".", "--candidate", ".", "--count-layouts", "1"], 1),
    ],
)
def test_the_gate_counts_three_layouts_and_run_one(command: list[str], layouts: int) -> None:
    """``ab`` and ``calibrate`` count the gate's layouts by default; ``run`` keeps one for its
    time budget (docs/instructions.md, "Layouts")."""
    args, _ = cli.build_parser().parse_known_args(command)
    assert args.count_layouts == layouts
