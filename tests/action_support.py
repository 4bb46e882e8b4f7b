"""Running the action's entry script as the composite action does: inputs as ``INPUT_*``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import REPO_ROOT


def action_environ(inputs: Mapping[str, str], **extra: str) -> dict[str, str]:
    """This process's environment without any GitHub variable, plus the inputs and ``extra``."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INPUT_", "GITHUB_", "RUNNER_"))
    }
    environ["PYTHONPATH"] = str(REPO_ROOT)
    for name, value in inputs.items():
        environ["INPUT_" + name.upper().replace("-", "_")] = value
    environ.update(extra)
    return environ


def run_action(
    inputs: Mapping[str, str], workspace: Path, timeout: float = 900, **extra: str
) -> subprocess.CompletedProcess[str]:
    """``python -m benchmarks.running.action`` started in ``workspace`` (the job's checkout)."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.running.action"],
        cwd=workspace,
        env=action_environ(inputs, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def read_outputs(path: Path) -> dict[str, str]:
    """The ``name=value`` lines of a ``$GITHUB_OUTPUT`` file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)
