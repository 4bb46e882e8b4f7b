"""A report says when its run is incomplete, and never reads memory (bytes) as time."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis import load_results
from analysis.cli import main


def one_error_line(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


MISSING = [
    {"runtime": "trio", "workload": "w.y", "benchmark": "w.y[n=1]", "params": {"n": 1}},
    {"runtime": "asyncio", "workload": "w.z", "benchmark": "w.z", "params": {}},
    # Merged just before the run stopped, so measured after all: not reported missing.
    {"runtime": "trio", "workload": "w.x", "benchmark": "w.x", "params": {}},
]


def interrupted_run(make_run: Callable[..., Path], synth: type) -> Path:
    folder = make_run(
        [
            synth.Spec("asyncio", "w.x"),
            synth.Spec("trio", "w.x"),
            synth.Spec("asyncio", "w.y", {"n": 1}),
        ]
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(complete=False, missing=MISSING)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_a_report_on_an_incomplete_run_says_so_and_lists_what_is_missing(
    capsys: pytest.CaptureFixture[str],
    make_run: Callable[..., Path],
    synth: type,
    tmp_path: Path,
) -> None:
    folder = interrupted_run(make_run, synth)
    out = tmp_path / "out"
    assert main(["report", str(folder), "-o", str(out)]) == 0
    assert f"note: run {folder.name} is incomplete" in capsys.readouterr().err
    markdown = (out / "report.md").read_text()
    header = markdown[: markdown.index("**Geometric mean")]
    assert (
        f"| **Incomplete** | run {folder.name} stopped before its end (manifest complete: false); "
        "2 benchmark x runtime cells were not measured (listed as n/a: missing) |"
    ) in header
    listed = markdown[markdown.index("**Not measured (n/a)**") :]
    assert "| trio | w.y | n=1 | missing | not measured: the run stopped before its end" in listed
    assert "| asyncio | w.z |  | missing | not measured" in listed
    assert "| trio | w.x |" not in listed


def test_a_complete_run_is_not_called_incomplete(
    make_run: Callable[..., Path], synth: type
) -> None:
    folder = make_run([synth.Spec("asyncio", "w.x"), synth.Spec("trio", "w.x")])
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(complete=True, missing=[])
    (folder / "manifest.json").write_text(json.dumps(manifest))
    results = load_results([folder])
    assert results.incomplete == ()
    assert "missing" not in set(results.na["kind"])


def test_memory_results_are_refused_not_read_as_time(
    capsys: pytest.CaptureFixture[str],
    make_run: Callable[..., Path],
    synth: type,
    tmp_path: Path,
) -> None:
    # The case: --track-memory peaks (bytes) reported as "asyncio time 19000000 s".
    memory = {"unit": "byte"}
    folder = make_run(
        [synth.Spec(r, "w.x", median=19e6, extra=memory) for r in ("asyncio", "trio")]
    )
    out = tmp_path / "out"
    code = main(["report", str(folder), "-o", str(out)])
    line = one_error_line(code, capsys.readouterr().err)
    assert f"{folder / 'asyncio.json'} (unit: byte); {folder / 'trio.json'} (unit: byte)" in line
    assert "memory-tracking results (--track-memory/--tracemalloc), not times" in line
    assert not out.exists()


def test_mixed_time_and_memory_results_are_refused_naming_the_files(
    capsys: pytest.CaptureFixture[str], synth: type, tmp_path: Path
) -> None:
    times = synth.write_run(tmp_path / "times", [synth.Spec("asyncio", "w.x")])
    memory = synth.write_run(
        tmp_path / "memory", [synth.Spec("trio", "w.x", median=19e6, extra={"unit": "byte"})]
    )
    code = main(["report", str(times), str(memory), "-o", str(tmp_path / "out")])
    line = one_error_line(code, capsys.readouterr().err)
    assert line == (
        f"error: time and memory results are mixed: {memory / 'trio.json'} (unit: byte) are "
        f"not times, {times / 'asyncio.json'} are; report them separately"
    )
