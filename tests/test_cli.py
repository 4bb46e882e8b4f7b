"""The command line: the matrix, and one clear line with exit code 2 for bad input."""

from __future__ import annotations

import pytest

from benchmarks import catalog, cli
from benchmarks.runtimes import RUNTIMES, Runtime
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
            "unknown runtime 'curio'; valid runtimes: asyncio, uvloop, trio",
        ),
        (
            ["list", "--runtime", "curio"],
            "unknown runtime 'curio'; valid runtimes: asyncio, uvloop, trio",
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
    runtimes, specs = cli.plan(cli.build_parser().parse_args(["run"]))
    assert runtimes == list(RUNTIMES)
    protocol = [s for s in specs if s.workload.family == "protocol"]
    assert {s.params["items"] for s in protocol} == {1_000}
    assert len(protocol) == 16


def test_ladder_and_param_selection() -> None:
    parser = cli.build_parser()
    _, ladder = cli.plan(
        parser.parse_args(["run", "--workload", "protocol.async_generator", "--ladder"])
    )
    # nosuspend with anyio, checkpoint with anyio and with the runtime's own checkpoint.
    assert [s.params["items"] for s in ladder] == [10, 1_000, 100_000] * 3
    _, chosen = cli.plan(
        parser.parse_args(
            ["run", "--workload", "protocol.async_generator", "--param", "items=10,100000"]
        )
    )
    assert sorted({s.params["items"] for s in chosen}) == [10, 100_000]


def test_failure_reason_prefers_the_workload_error() -> None:
    stderr = (
        "Traceback (most recent call last):\n"
        "benchmarks.workload.WrongResult: x returned 1, expected 2\n"
        "RuntimeError: /usr/bin/python failed with exit code 1\n"
    )
    assert (
        cli.failure_reason(stderr, 1) == "benchmarks.workload.WrongResult: x returned 1, expected 2"
    )
    assert cli.failure_reason("", 3) == "runner exited with code 3"
