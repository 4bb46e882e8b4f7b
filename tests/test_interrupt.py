"""SIGTERM and SIGINT stop a real run cleanly: no orphan, no scratch, results kept and reported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import AVAILABLE_RUNTIMES, REPO_ROOT, related

pytestmark = pytest.mark.slow

#: Many small benchmarks, each with several pyperf worker processes: the run is still going
#: when the first benchmark is merged.
SELECTION = ["--workload", "protocol.*", "--param", "items=10", "-p", "2", "-n", "1", "-w", "0",
             "-l", "1"]  # fmt: skip


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        (signal.SIGTERM, 143),
        # The same handler for Ctrl-C: run by nox -s acceptance, to keep nox -s tests in budget.
        pytest.param(signal.SIGINT, 130, marks=pytest.mark.acceptance),
    ],
)
def test_a_signal_stops_the_run_cleanly(tmp_path: Path, signum: int, code: int) -> None:
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    run = tmp_path / f"interrupted-{signum}-{os.getpid()}"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TMPDIR=str(scratch_root))
    parent = subprocess.Popen(
        [sys.executable, "-m", "benchmarks", "run", *SELECTION, "-o", str(run)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait until the first benchmark is merged on every runtime and a pyperf worker of the
        # next one is running (a grandchild: the runner's own child).
        while not all((run / f"{r}.json").exists() for r in AVAILABLE_RUNTIMES) or not any(
            "--worker" in p.cmdline() for p in related(str(scratch_root))
        ):
            assert parent.poll() is None, parent.communicate()
            time.sleep(0.02)
        assert related(str(scratch_root)), "no child process to end"
        parent.send_signal(signum)
        out, err = parent.communicate(timeout=120)
    finally:
        if parent.poll() is None:
            parent.kill()

    assert parent.returncode == code, out + err
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert "Traceback" not in err
    assert related(str(scratch_root)) == []  # the runner and its pyperf workers are gone
    assert os.listdir(scratch_root) == []  # no aiter-bench-* scratch folder
    assert sorted(p.name for p in run.iterdir()) == sorted(
        ["manifest.json", *(f"{r}.json" for r in AVAILABLE_RUNTIMES)]
    )  # no tmp* folder, no partial file, no lock
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["complete"] is False
    assert len(manifest["missing"]) > 0
    missing = {(c["benchmark"], c["runtime"]) for c in manifest["missing"]}
    first = "protocol.anext_skip_first[mode=nosuspend,items=10]"
    assert not {(first, r) for r in AVAILABLE_RUNTIMES} & missing

    report = subprocess.run(
        [sys.executable, "-m", "analysis", "report", str(run)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert report.returncode == 0, report.stderr
    markdown = (run / "report" / "report.md").read_text()
    assert "**Incomplete**" in markdown
    assert f"{len(manifest['missing'])} benchmark x runtime cells were not measured" in markdown
    assert "n/a: missing" in markdown
