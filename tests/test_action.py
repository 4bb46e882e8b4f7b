"""The action's entry script (benchmarks/running/action.py) outside Actions: inputs, sides,
outputs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmarks.platform.environments import environment_key, local_folder_fingerprint
from benchmarks.running import action
from benchmarks.storage.results import MANIFEST_NAME
from tests.action_support import read_outputs, run_action


def inputs(**values: str) -> dict[str, str]:
    return {"INPUT_" + k.upper(): v for k, v in values.items()}


# --- inputs ------------------------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    read = action.read_inputs({"GITHUB_WORKSPACE": str(tmp_path)})
    assert (read.mode, read.measure, read.fail_on, read.head_ref) == (
        "ab",
        "instructions",
        "regression",
        "HEAD",
    )
    assert read.runtimes == read.workloads == read.ab_options == ()
    assert read.threshold is None
    assert read.library == tmp_path.resolve()
    assert read.results == tmp_path.resolve() / ".aiter-bench" / "results"
    assert read.cache is True
    assert read.shard == "all"


def test_runner_temp_holds_the_scratch_space(tmp_path: Path) -> None:
    read = action.read_inputs({"RUNNER_TEMP": str(tmp_path), "GITHUB_WORKSPACE": "/nowhere"})
    assert read.results == tmp_path.resolve() / "aiter-bench" / "results"
    assert read.cache_dir == tmp_path.resolve() / "aiter-bench" / "ab-cache"


def test_selections_take_spaces_commas_and_newlines() -> None:
    read = action.read_inputs(
        inputs(runtimes="trio, asyncio\nuvloop", workloads="protocol.* streams.*", threshold="0.01")
    )
    assert read.runtimes == ("trio", "asyncio", "uvloop")
    assert read.workloads == ("protocol.*", "streams.*")
    assert read.threshold == 0.01
    assert read.shard == "protocol._-streams"


def test_hyphenated_input_names_are_read_both_ways() -> None:
    assert action.read_inputs({"INPUT_FAIL_ON": "never"}).fail_on == "never"
    assert action.read_inputs({"INPUT_FAIL-ON": "inconclusive"}).fail_on == "inconclusive"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"measure": "cycles"}, "measure: 'cycles' is not one of time, instructions, both"),
        ({"mode": "gate"}, "mode: 'gate' is not one of ab, measure, compare"),
        ({"fail_on": "always"}, "fail-on: 'always' is not one of regression, inconclusive, never"),
        ({"threshold": "5%"}, "threshold: '5%' is not a fraction in [0, 1)"),
        ({"threshold": "1.5"}, "threshold: '1.5' is not a fraction in [0, 1)"),
        ({"runtimes": "asyncio curio"}, "runtimes: unknown runtime 'curio'; valid: asyncio,"),
        ({"workloads": "nosuch.*"}, "workloads: "),
        ({"ab_options": "-o elsewhere"}, "ab-options: -o is set by the action's own inputs"),
        ({"ab_options": "--measure=time"}, "ab-options: --measure is set by the action's own"),
        ({"ab_options": "'unclosed"}, "ab-options: "),
        ({"shard": "a/b"}, "shard: 'a/b' is not a folder name"),
        ({"cache": "yes"}, "cache: 'yes' is not one of true, false"),
    ],
)
def test_bad_inputs_are_one_line(values: dict[str, str], message: str) -> None:
    with pytest.raises(action.InputError) as raised:
        action.read_inputs(inputs(**values))
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_relative_spec_paths_start_from_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    spec = action.absolute_spec("pip=./lib,pip=anyio==4.16.0,python=3.12,ref=HEAD", tmp_path)
    assert spec == f"pip={(tmp_path / 'lib').resolve()},pip=anyio==4.16.0,python=3.12,ref=HEAD"
    # a path that does not exist is left for ab to report; a URL is not a path
    assert action.absolute_spec("pip=./missing", tmp_path) == "pip=./missing"
    url = "pip=git+https://example.org/x.git"
    assert action.absolute_spec(url, tmp_path) == url
    assert action.absolute_spec("", tmp_path) == ""


# --- the entry script as a process -------------------------------------------------------------


def test_bad_input_exits_2_with_one_line_an_annotation_and_outputs(tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    completed = run_action(
        {"measure": "cycles"},
        tmp_path,
        GITHUB_OUTPUT=str(output),
        GITHUB_ACTIONS="true",
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "error: measure: 'cycles' is not one of time, instructions, both"
    ]
    assert "Traceback" not in completed.stdout + completed.stderr
    assert "::error title=async-iteration-bench%3A bad input::measure" in completed.stdout
    assert read_outputs(output)["verdict"] == "error"


def test_outside_actions_there_are_no_annotations(tmp_path: Path) -> None:
    completed = run_action({"measure": "cycles"}, tmp_path)
    assert completed.returncode == 2
    assert "::error" not in completed.stdout


def test_unknown_arguments_exit_2(tmp_path: Path) -> None:
    assert action.main(["--gate"], {}) == 2


def test_no_pull_request_and_no_baseline_exits_2(tmp_path: Path) -> None:
    completed = run_action({"measure": "time", "workloads": "protocol.sync_reference"}, tmp_path)
    assert completed.returncode == 2
    assert "baseline is empty and so is base-ref" in completed.stderr


def test_instructions_need_the_suite_and_valgrind(tmp_path: Path) -> None:
    reason = action.instructions_available()
    if reason is None:
        pytest.skip("this suite has --measure and valgrind is installed: nothing to refuse")
    completed = run_action(
        {"measure": "instructions", "baseline": "HEAD", "candidate": "HEAD"}, tmp_path
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == f"error: measure: instructions: {reason}"


def test_compare_mode_needs_both_sides(tmp_path: Path) -> None:
    (tmp_path / "merged" / "baseline").mkdir(parents=True)
    completed = run_action({"mode": "compare", "results": "merged"}, tmp_path)
    assert completed.returncode == 2
    assert "merged/candidate is missing; download every shard's artifact" in completed.stderr


def test_ab_mode_never_writes_into_existing_results(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kept.json").write_text("{}")
    completed = run_action(
        {"measure": "time", "baseline": "HEAD", "candidate": "HEAD", "results": "out"}, tmp_path
    )
    assert completed.returncode == 2
    assert "already holds results; name a new folder" in completed.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["kept.json"]


def test_cache_key_follows_the_baseline(tmp_path: Path) -> None:
    first = action.cache_key({"INPUT_BASE_REF": "a" * 40})
    second = action.cache_key({"INPUT_BASE_REF": "b" * 40})
    assert first["prefix"] == second["prefix"]
    assert first["key"] != second["key"]
    assert first["key"].startswith(first["prefix"] + "-")
    output = tmp_path / "github_output"
    assert action.main(["--cache-key"], {"GITHUB_OUTPUT": str(output)}) == 0
    assert set(read_outputs(output)) == {"key", "prefix"}


# --- the sides: the library under test at two commits ------------------------------------------


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "mylib"
    folder.mkdir()
    git(folder, "init", "-q")
    for number in (1, 2):
        (folder / "mylib.py").write_text(f"VERSION = {number}\n")
        git(folder, "add", "mylib.py")
        git(folder, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", f"v{number}")
    return folder


def test_default_sides_are_worktrees_of_base_and_head(library: Path, tmp_path: Path) -> None:
    base = git(library, "rev-parse", "HEAD~1")
    read = action.read_inputs(
        {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_LIBRARY": "mylib", "INPUT_BASE_REF": base}
    )
    baseline, candidate = action.side_specs(read)
    head = git(library, "rev-parse", "HEAD")
    assert baseline == f"pip={read.work / 'library' / ('mylib-' + base[:12])}"
    assert candidate == f"pip={read.work / 'library' / ('mylib-' + head[:12])}"
    assert (Path(baseline[4:]) / "mylib.py").read_text() == "VERSION = 1\n"
    assert (Path(candidate[4:]) / "mylib.py").read_text() == "VERSION = 2\n"
    assert action.side_specs(read) == (baseline, candidate)  # reused, not checked out again


def test_given_specs_are_kept(library: Path, tmp_path: Path) -> None:
    read = action.read_inputs(
        {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_BASELINE": "HEAD", "INPUT_CANDIDATE": "."}
    )
    assert action.side_specs(read) == ("HEAD", ".")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"INPUT_BASE_REF": "nosuchref"}, "'nosuchref' is not a commit of the library"),
        ({"INPUT_BASE_REF": "HEAD", "INPUT_LIBRARY": ".."}, "is not a git checkout"),
        ({"INPUT_BASELINE": "color=red"}, "unknown SPEC key 'color'"),
    ],
)
def test_bad_sides_are_one_line(
    library: Path, tmp_path: Path, values: dict[str, str], message: str
) -> None:
    environ = {"GITHUB_WORKSPACE": str(library), **values}
    with pytest.raises(action.InputError, match=message):
        action.side_specs(action.read_inputs(environ))


# --- the environment cache ---------------------------------------------------------------------


def test_an_edited_local_requirement_gets_a_new_environment(library: Path) -> None:
    python = Path("/usr/bin/env")
    before = environment_key(python, "commit:x", (str(library),))
    assert environment_key(python, "commit:x", (str(library),)) == before
    (library / "mylib.py").write_text("VERSION = 3\n")  # uncommitted: counts
    assert environment_key(python, "commit:x", (str(library),)) != before
    assert local_folder_fingerprint(Path("anyio==4.16.0")) == "-"  # a name has no content


def test_what_a_build_writes_into_a_checkout_does_not_count(library: Path) -> None:
    (library / ".gitignore").write_text("*.so\n")
    before = local_folder_fingerprint(library)
    (library / "mylib.so").write_bytes(b"built")  # ignored by git
    assert local_folder_fingerprint(library) == before
    (library / "new.py").write_text("X = 1\n")  # untracked, not ignored: a source file
    assert local_folder_fingerprint(library) != before


def test_installing_a_checkout_without_a_gitignore_does_not_make_it_new(library: Path) -> None:
    # Before: pip's build of the folder (build/, *.egg-info/) counted as untracked source, so the
    # action's first build of a side was stale to ab's, which built the same side again.
    before = local_folder_fingerprint(library)
    (library / "build" / "lib").mkdir(parents=True)
    (library / "build" / "lib" / "mylib.py").write_text("VERSION = 2\n")
    (library / "mylib.egg-info").mkdir()
    (library / "mylib.egg-info" / "PKG-INFO").write_text("Name: mylib\n")
    assert local_folder_fingerprint(library) == before
    (library / "tools" / "build").mkdir(parents=True)
    (library / "tools" / "build" / "make.py").write_text("X = 1\n")  # untracked source elsewhere
    assert local_folder_fingerprint(library) != before


def test_a_plain_folder_counts_by_its_files(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    (folder / "__pycache__").mkdir(parents=True)
    (folder / "lib.py").write_text("A = 1\n")
    (folder / "__pycache__" / "lib.pyc").write_bytes(b"x")
    before = local_folder_fingerprint(folder)
    (folder / "__pycache__" / "lib.pyc").write_bytes(b"y")
    assert local_folder_fingerprint(folder) == before
    (folder / "lib.py").write_text("A = 2\n")
    assert local_folder_fingerprint(folder) != before


def test_prune_keeps_only_what_this_run_uses(tmp_path: Path) -> None:
    for name in ("venv-used", "venv-old", "src-used", "src-old", "fixtures"):
        (tmp_path / name).mkdir()
    removed = action.prune_cache(tmp_path, {tmp_path / "venv-used", tmp_path / "src-used"})
    assert removed == ["src-old", "venv-old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fixtures", "src-used", "venv-used"]


# --- reading the results -----------------------------------------------------------------------


def write_manifest(folder: Path, side: str, na: list[dict[str, str]]) -> None:
    folder.mkdir(parents=True)
    manifest = {"ab": {"side": side}, "na": na}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))


def test_failed_cells_come_from_every_shard_manifest(tmp_path: Path) -> None:
    failed = {"benchmark": "b1", "runtime": "trio", "kind": "failed", "reason": "boom"}
    unsupported = {"benchmark": "b2", "runtime": "trio", "kind": "unsupported", "reason": "-"}
    write_manifest(tmp_path / "baseline" / "s1", "baseline", [unsupported])
    write_manifest(tmp_path / "candidate" / "s1", "candidate", [failed])
    cells = action.failed_cells(tmp_path)
    assert [(c["side"], c["benchmark"], c["reason"]) for c in cells] == [
        ("candidate", "b1", "boom")
    ]


def test_failures_are_annotated_and_summarised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.md"
    cell = {"benchmark": "b1", "runtime": "trio", "side": "candidate", "reason": "boom"}
    action.report_failures({"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}, [cell])
    assert "::error title=failed%3A b1 on trio (candidate)::boom" in capsys.readouterr().out
    assert "- failed: b1 on trio (candidate): boom" in summary.read_text()


@pytest.mark.parametrize(
    ("counts", "verdict"),
    [
        ({"regression": 2, "equivalent": 3}, "regression"),
        ({"inconclusive": 1, "equivalent": 3}, "inconclusive"),
        ({"equivalent": 3, "improvement": 1}, "pass"),
    ],
)
def test_verdict_output(tmp_path: Path, counts: dict[str, int], verdict: str) -> None:
    (tmp_path / "compare.json").write_text(json.dumps({"counts": counts, "headline": "h"}))
    outputs = action.comparison_outputs(tmp_path)
    assert outputs == {
        "verdict": verdict,
        "regressions": str(counts.get("regression", 0)),
        "headline": "h",
    }


def test_missing_comparison_is_an_error_verdict(tmp_path: Path) -> None:
    assert action.comparison_outputs(tmp_path)["verdict"] == "error"


def test_outputs_are_single_lines(tmp_path: Path) -> None:
    path = tmp_path / "out"
    action.write_outputs({"GITHUB_OUTPUT": str(path)}, {"headline": "two\nlines", "n": "1"})
    assert path.read_text() == "headline=two lines\nn=1\n"


def test_ab_command_passes_the_inputs_through(tmp_path: Path) -> None:
    read = action.read_inputs(
        inputs(
            runtimes="trio",
            workloads="protocol.*",
            measure="both",
            threshold="0.02",
            fail_on="inconclusive",
            ab_options="--fast",
            cache_dir=str(tmp_path),
        )
    )
    command = action.ab_command(read, ("HEAD", "."), tmp_path / "o")
    assert command[1:4] == ["-m", "benchmarks", "ab"]
    text = " ".join(command[4:])
    assert text == (
        f"--baseline HEAD --candidate . --cache {tmp_path} -o {tmp_path / 'o'} --runtime trio "
        "--workload protocol.* --measure both --compare-option=--fail-on=inconclusive "
        "--compare-option=--threshold=0.02 --fast"
    )
    shard = action.read_inputs(inputs(mode="measure", measure="time"))
    shard_command = action.ab_command(shard, ("HEAD", "."), tmp_path)
    assert "--no-compare" in shard_command
    assert "--measure" not in shard_command  # time: today's ab, which has no --measure, runs it
    assert not any(part.startswith("--compare-option") for part in shard_command)


@pytest.mark.parametrize(
    ("code", "failed", "expected"),
    [
        (0, False, (0, "pass")),
        (1, False, (1, "pass")),  # ab's own failure code, whatever compare said
        (0, True, (1, "failed")),
        (1, True, (1, "failed")),
        (3, False, (3, "pass")),
        (2, False, (2, "error")),
        (143, True, (143, "error")),
    ],
)
def test_settle(code: int, failed: bool, expected: tuple[int, str]) -> None:
    cells = [{"benchmark": "b", "side": "candidate"}] if failed else []
    settled, outputs = action.settle(code, cells, {"verdict": "pass"})
    assert (settled, outputs["verdict"]) == expected
