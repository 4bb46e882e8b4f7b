"""The sharded gate's job matrix: one shard per workload pattern x runtime, bad input refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.platform.runtimes import DEFAULT_RUNTIMES
from benchmarks.running import shard_plan

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_every_pattern_runs_on_every_default_runtime_when_none_is_named() -> None:
    plan = shard_plan.matrix(shard_plan.patterns_of('["protocol.*", "io.*"]'),
                             shard_plan.runtimes_of(""))  # fmt: skip
    pairs = [(e["workloads"], e["runtime"]) for e in plan["include"]]
    assert pairs == [(p, r) for p in ("protocol.*", "io.*") for r in DEFAULT_RUNTIMES]
    assert [e["shard"] for e in plan["include"]][:2] == [
        f"protocol_{DEFAULT_RUNTIMES[0]}",
        f"protocol_{DEFAULT_RUNTIMES[1]}",
    ]


def test_named_runtimes_are_kept_in_order_without_repeats() -> None:
    assert shard_plan.runtimes_of("trio, asyncio trio\nrloop") == ("trio", "asyncio", "rloop")


def test_shard_names_are_folder_names_and_unique() -> None:
    assert shard_plan.shard_name("protocol.*", "trio") == "protocol_trio"
    assert shard_plan.shard_name("io.csv_*", "asyncio-eager") == "io.csv_asyncio-eager"
    with pytest.raises(shard_plan.PlanError, match="same shard name"):
        shard_plan.matrix(["io.a*", "io.a?"], ["trio"])


@pytest.mark.parametrize(
    ("shards", "runtimes", "message"),
    [
        ('["protocol.*"]', "trio bogus", "unknown runtime 'bogus'; valid: asyncio"),
        ("protocol.*", "", "shards: not JSON"),
        ("[]", "", "non-empty JSON list"),
        ('{"a": 1}', "", "non-empty JSON list"),
        ('["io.*", 3]', "", "every entry must be"),
        ('["io.*", "io.*"]', "", "listed twice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    shards: str, runtimes: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = shard_plan.main({"INPUT_SHARDS": shards, "INPUT_RUNTIMES": runtimes})
    said = capsys.readouterr()
    assert code == 2
    assert said.out == ""
    assert said.err.count("\n") == 1 and message in said.err


def test_the_matrix_is_written_to_github_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.write_text("earlier=1\n")
    environ = {"INPUT_SHARDS": '["streams.*"]', "INPUT_RUNTIMES": "uvloop",
               "GITHUB_OUTPUT": str(output)}  # fmt: skip
    assert shard_plan.main(environ) == 0
    first, line = output.read_text().splitlines()
    assert first == "earlier=1"
    key, value = line.split("=", 1)
    assert key == "matrix"
    assert json.loads(value) == {
        "include": [{"workloads": "streams.*", "runtime": "uvloop", "shard": "streams_uvloop"}]
    }


def test_an_unwritable_github_output_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {"INPUT_SHARDS": '["io.*"]', "GITHUB_OUTPUT": str(tmp_path / "no" / "output")}
    assert shard_plan.main(environ) == 2
    assert capsys.readouterr().err.startswith("error: cannot write GITHUB_OUTPUT")


def test_the_plan_runs_before_anything_is_installed() -> None:
    """The plan job has only a bare interpreter: the module imports the standard library only."""
    probe = (
        "import sys, benchmarks.running.shard_plan as p; "
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " - set(sys.stdlib_module_names) - {'__main__'}))"
    )
    # -S: no site-packages at all, as on a runner where nothing was installed yet.
    done = subprocess.run([sys.executable, "-S", "-c", probe], cwd=REPO_ROOT, capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert done.stdout.strip() == "['benchmarks']"
