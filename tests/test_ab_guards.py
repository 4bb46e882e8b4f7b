"""``ab`` refuses what it cannot do before building anything, never replaces an A/B silently,
and stops cleanly on SIGINT/SIGTERM (issue 16, items 1, 9, 16, 17 and 26).

In-process cases replace the environment build with this interpreter and checkout (so the
workers are real but nothing is installed); the signal cases run the real command.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import cli
from benchmarks.platform.environments import Environment, Spec
from benchmarks.running import interleave
from benchmarks.storage import identity
from tests.conftest import REPO_ROOT, related

TINY = ["--workload", "protocol.sync_reference", "--param", "items=10", "--runtime", "asyncio",
        "-p", "2", "-n", "1", "-w", "0", "-l", "4", "--no-compare"]  # fmt: skip


def here(spec: Spec, repository: Path, cache: Path, log: object = print) -> Environment:
    """An environment that is this interpreter and this checkout (no build)."""
    return Environment(spec, Path(sys.executable), REPO_ROOT, identity.checkout_identity(),
                       "3.x")  # fmt: skip


def no_build(spec: Spec, repository: Path, cache: Path, log: object = print) -> Environment:
    raise AssertionError("an environment was built before the bad input was refused")


def ab(*args: str) -> int:
    try:
        return cli.main(["ab", "--baseline", ".", "--candidate", ".", *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_an_existing_ab_is_refused_then_resumed_or_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(interleave, "build_environment", here)
    out = tmp_path / "ab"
    assert ab(*TINY, "-o", str(out)) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()

    monkeypatch.setattr(interleave, "build_environment", no_build)
    assert ab(*TINY, "-o", str(out)) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "holds an A/B run" in line and "--resume" in line and "--force" in line
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    monkeypatch.setattr(interleave, "build_environment", here)
    assert ab(*TINY, "--resume", "-o", str(out)) == 0  # complete: nothing is measured again
    assert "A/B x2" not in capsys.readouterr().out
    for side in interleave.SIDES:
        assert (out / side / "asyncio.json").read_bytes() == before[out / side / "asyncio.json"]
        manifest = json.loads((out / side / "manifest.json").read_text())
        assert len(manifest["resumed"]) == 1 and manifest["complete"] is True

    assert ab(*TINY, "--force", "-o", str(out)) == 0
    after = (out / "baseline" / "asyncio.json").read_bytes()
    assert after != before[out / "baseline" / "asyncio.json"]  # measured anew
    manifest = json.loads((out / "baseline" / "manifest.json").read_text())
    assert "resumed" not in manifest and manifest["design"]["order"] == "williams"
    assert sorted(p.name for p in out.iterdir()) == ["baseline", "candidate"]  # no lock left


def test_resume_of_nothing_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(interleave, "build_environment", no_build)
    assert ab(*TINY, "--resume", "-o", str(tmp_path / "none")) == 2
    assert "nothing to resume" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["-p", "0"], "--processes must be at least 1, not 0"),
        (["--min-time", "nan"], "--min-time must be a number of seconds above 0, not nan"),
        (["--compare-option=--threshold=abc"], "bad --compare-option --threshold=abc"),
        (["--compare-option=--no-such-option"], "bad --compare-option --no-such-option"),
    ],
)
def test_bad_input_is_refused_before_anything_is_built(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    fragment: str,
) -> None:
    monkeypatch.setattr(interleave, "build_environment", no_build)
    selection = ["--workload", "protocol.sync_reference", "--param", "items=10"]
    assert ab(*selection, *args, "-o", str(tmp_path / "ab")) == 2
    assert fragment in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "ab").exists()


def test_unusable_output_folders_are_refused_before_anything_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(interleave, "build_environment", no_build)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert ab(*TINY, "-o", str(a_file)) == 2
    assert "is a file, not a folder" in one_error_line(capsys.readouterr().err)
    assert ab(*TINY, "-o", str(a_file / "under")) == 2
    assert "is a file, not a folder" in one_error_line(capsys.readouterr().err)
    assert ab(*TINY, "-o", "/proc/ab") == 2
    assert "/proc/ab" in one_error_line(capsys.readouterr().err)
    if os.geteuid() != 0:  # root writes anywhere
        read_only = tmp_path / "ro"
        read_only.mkdir(mode=0o555)
        assert ab(*TINY, "-o", str(read_only / "ab")) == 2
        one_error_line(capsys.readouterr().err)


# -- signals: the real command -------------------------------------------------------------


def start_ab(tmp_path: Path, out: Path, cache: Path, scratch: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TMPDIR=str(scratch))
    selection = ["--workload", "protocol.*", "--param", "items=10", "--runtime", "asyncio",
                 "-p", "3", "-n", "1", "-w", "0", "-l", "1", "--no-compare"]  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks", "ab", "--baseline", ".", "--candidate", ".",
         *selection, "-o", str(out), "--cache", str(cache)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
# SIGTERM only: SIGINT takes the same handler (benchmarks/storage/interrupt.py), and `run` is
# stopped by both in tests/test_interrupt.py.
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143)])
def test_a_signal_stops_ab_cleanly(tmp_path: Path, ab_cache: Path, signum: int, code: int) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / f"ab-{signum}-{os.getpid()}"
    parent = start_ab(tmp_path, out, ab_cache, scratch)
    try:
        while not (out / "baseline" / "asyncio.json").exists() or not any(
            "--worker" in " ".join(p.cmdline()) for p in related(str(scratch))
        ):
            assert parent.poll() is None, parent.communicate()
            time.sleep(0.02)
        parent.send_signal(signum)
        stdout, err = parent.communicate(timeout=120)
    finally:
        if parent.poll() is None:
            parent.kill()
    assert parent.returncode == code, stdout + err
    assert f"interrupted by {signal.Signals(signum).name}" in err and "Traceback" not in err
    assert related(str(scratch)) == []  # no orphan worker (its output is in the scratch)
    assert os.listdir(scratch) == []  # no aiter-ab-* scratch folder
    for side in interleave.SIDES:
        manifest = json.loads((out / side / "manifest.json").read_text())
        assert manifest["complete"] is False and manifest["missing"]
        assert sorted(p.name for p in (out / side).iterdir()) == ["asyncio.json", "manifest.json"]
    assert sorted(p.name for p in out.iterdir()) == ["baseline", "candidate"]  # no lock


@pytest.mark.slow
def test_sigterm_during_the_environment_build_leaves_nothing(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    cache = tmp_path / f"cache-{os.getpid()}"
    parent = start_ab(tmp_path, tmp_path / "ab", cache, scratch)
    try:
        while not any(p.name.startswith("venv-") for p in cache.glob("*")) or not related(
            cache.name
        ):
            assert parent.poll() is None, parent.communicate()
            time.sleep(0.02)
        time.sleep(0.2)  # venv/ensurepip is running
        parent.send_signal(signal.SIGTERM)
        stdout, err = parent.communicate(timeout=120)
    finally:
        if parent.poll() is None:
            parent.kill()
    assert parent.returncode == 143, stdout + err
    assert "Traceback" not in err
    assert related(cache.name) == []  # venv and ensurepip ended with us
    assert not list(cache.glob("venv-*"))  # no half-built environment
