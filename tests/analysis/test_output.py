"""``python -m analysis report``: output-path errors and usage errors are one line and exit 2;
the report is written whole or not at all; raw HTML from metadata stays text in report.md."""

from __future__ import annotations

import errno
import os
import signal
import stat
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.rendering import plots


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


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
        ("readonly/report", "cannot write to {tmp}/readonly/report: Permission denied"),
    ],
)
def test_output_path_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    standard_run: Path,
    tmp_path: Path,
    target: str,
    fragment: str,
) -> None:
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "readonly").mkdir()
    if target.startswith("readonly"):
        read_only(monkeypatch, tmp_path / "readonly")
    code, _, err = run_main(capsys, "report", str(standard_run), "-o", str(tmp_path / target))
    line = one_error_line(code, err)
    assert fragment.format(file=tmp_path / "file", tmp=tmp_path) in line
    monkeypatch.undo()
    assert (tmp_path / "file").read_text() == "not a folder"
    assert os.listdir(tmp_path / "readonly") == []


def test_a_full_disk_leaves_no_partial_file_and_keeps_the_old_report(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    small_run: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "report"
    assert main(["report", str(small_run), "-o", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()

    def full_disk(self: pd.DataFrame, path: object, *args: object, **kwargs: object) -> None:
        Path(str(path)).write_bytes(b"")  # the 0-byte results.csv of the issue
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    code, _, err = run_main(capsys, "report", str(small_run), "-o", str(out))
    assert one_error_line(code, err) == f"error: cannot write to {out}: No space left on device"
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the previous report, whole; no 0-byte results.csv
    assert sorted(os.listdir(tmp_path)) == sorted([small_run.name, "report"])  # no staging

    fresh = tmp_path / "fresh"
    code, _, err = run_main(capsys, "report", str(small_run), "-o", str(fresh))
    assert code == 2 and not fresh.exists()


def test_a_report_into_a_folder_with_other_files_keeps_them(
    capsys: pytest.CaptureFixture[str], small_run: Path
) -> None:
    # -o on the run folder itself: the report's files join the run's, which stay.
    before = sorted(os.listdir(small_run))
    assert main(["report", str(small_run), "-o", str(small_run)]) == 0
    after = set(os.listdir(small_run))
    assert set(before) <= after and {"report.md", "results.csv", "plots"} <= after
    assert not [name for name in after if name.startswith(".")]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "the following arguments are required: command"),
        (["report"], "the following arguments are required: RESULTS"),
        (["report", "x", "--floor", "abc"], "argument --floor: invalid float value: 'abc'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["report", "x", "-o", ""], "argument -o/--output: an empty folder name"),
    ],
)
def test_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    code, out, err = run_main(capsys, *args)
    assert fragment in one_error_line(code, err)
    assert out == ""


def test_raw_html_from_metadata_is_text_in_report_md(
    capsys: pytest.CaptureFixture[str], make_run: Callable[..., Path], synth: type, tmp_path: Path
) -> None:
    script = "<script>alert(1)</script>"
    image = "<img src=x onerror=alert(1)>"
    specs = [
        synth.Spec(runtime, "w.x", {"tag": image}, extra={"cpu_model_name": script})
        for runtime in ("asyncio", "trio")
    ]
    folder = make_run(specs, hostname=f"host{script}")
    out = tmp_path / "out"
    assert main(["report", str(folder), "-o", str(out)]) == 0
    markdown = (out / "report.md").read_text()
    assert "<script" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_report_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    standard_run: Path,
    tmp_path: Path,
    signum: int,
    code: int,
) -> None:
    def stopped(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signum)  # arrives while the report is half written
        raise AssertionError("the signal did not stop the report")

    monkeypatch.setattr(plots, "draw_all", stopped)
    out = tmp_path / "out"
    code_seen, _, err = run_main(capsys, "report", str(standard_run), "-o", str(out))
    assert code_seen == code
    assert err.strip() == "interrupted: no report written"
    assert sorted(os.listdir(tmp_path)) == [standard_run.name]  # no staging folder, no out
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
