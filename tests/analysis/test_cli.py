"""``python -m analysis report``: bad input is one line on stderr and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main

REPO = Path(__file__).resolve().parents[2]


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_corrupt_json(capsys, tmp_path):
    bad = tmp_path / "asyncio.json"
    bad.write_text('{"benchmarks": [{"runs": [')
    code, _, err = run_main(capsys, str(bad), "-o", str(tmp_path / "out"))
    assert_one_line_error(code, err, str(bad), "not valid JSON")


def test_truncated_pyperf_file(capsys, standard_run, tmp_path):
    path = standard_run / "trio.json"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    code, _, err = run_main(capsys, str(standard_run), "-o", str(tmp_path / "out"))
    assert_one_line_error(code, err, "trio.json", "corrupt or truncated")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"hello": "world"}', "not a pyperf benchmark suite"),
        ("[1, 2, 3]", "not a pyperf benchmark suite"),
        ('{"benchmarks": [], "version": "1.0"}', "not a valid pyperf suite"),
        ('{"benchmarks": [{"runs": []}], "version": "1.0"}', "not a valid pyperf suite"),
    ],
)
def test_json_that_is_not_a_pyperf_suite(capsys, tmp_path, content, fragment):
    bad = tmp_path / "other.json"
    bad.write_text(content)
    code, _, err = run_main(capsys, str(bad), "-o", str(tmp_path / "out"))
    assert_one_line_error(code, err, str(bad), fragment)


def test_empty_folder(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_main(capsys, str(empty))
    assert_one_line_error(code, err, str(empty), "no pyperf JSON files")


def test_missing_path(capsys, tmp_path):
    code, _, err = run_main(capsys, str(tmp_path / "nope"))
    assert_one_line_error(code, err, "no such file or folder")


def test_corrupt_manifest(capsys, standard_run, tmp_path):
    (standard_run / "manifest.json").write_text("{")
    code, _, err = run_main(capsys, str(standard_run), "-o", str(tmp_path / "out"))
    assert_one_line_error(code, err, "manifest.json")


def test_baseline_asked_for_but_not_measured(capsys, make_run, synth, tmp_path):
    folder = make_run([synth.Spec("trio", "w.x"), synth.Spec("uvloop", "w.x")])
    code, _, err = run_main(
        capsys, str(folder), "-o", str(tmp_path / "out"), "--baseline", "asyncio"
    )
    assert_one_line_error(code, err, "baseline runtime 'asyncio'", "trio, uvloop", "--baseline")


def test_without_the_default_baseline_the_first_runtime_measured_is_the_baseline(
    capsys, make_run, synth, tmp_path
):
    folder = make_run([synth.Spec("trio", "w.x"), synth.Spec("uvloop", "w.x", shift=1.3)])
    code, _, err = run_main(capsys, str(folder), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "baseline: trio, the first runtime measured (asyncio was not measured)" in err
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert markdown.startswith("# Async runtime benchmarks: ratio to trio")
    assert "uvloop takes 1.3" in markdown


def test_no_common_baseline_across_machines(capsys, tmp_path, synth):
    synth.write_run(tmp_path / "a", [synth.Spec("asyncio", "w.x")], hostname="alpha")
    synth.write_run(tmp_path / "b", [synth.Spec("trio", "w.x")], hostname="beta")
    code, _, err = run_main(
        capsys, str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "out")
    )
    assert_one_line_error(code, err, "no common baseline")


def test_no_common_benchmark(capsys, make_run, synth, tmp_path):
    folder = make_run([synth.Spec("asyncio", "w.x"), synth.Spec("trio", "w.y")])
    code, _, err = run_main(capsys, str(folder), "-o", str(tmp_path / "out"))
    assert_one_line_error(code, err, "no common baseline")


def test_bad_settings(capsys, standard_run, tmp_path):
    code, _, err = run_main(capsys, str(standard_run), "--confidence", "2")
    assert_one_line_error(code, err, "confidence")


def test_success_writes_into_default_folder(capsys, small_run):
    code, out, _ = run_main(capsys, str(small_run))
    assert code == 0
    assert (small_run / "report" / "report.md").is_file()
    assert "wrote" in out
    # Running again over the same folder ignores the report it wrote.
    assert main(["report", str(small_run)]) == 0


def test_python_dash_m(tmp_path):
    """The entry point through the interpreter: ``--help`` exits 0, bad input exits 2 with one
    line. (A full report through ``main`` is test_success_writes_into_default_folder; doing it
    again in a subprocess cost 25 s of the test budget.)"""
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "report" in proc.stdout
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"x": 1}))
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "report", str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"error: {bad}: not a pyperf benchmark suite (no 'benchmarks' list)"
    )
