"""Which suite made a result: its git commit, dirty flag and commit date, and the machine.

Computed once in the parent process and never by running git in a worker: ``run`` hands it to
every runner on its command line (``benchmarks.running.runner --identity JSON``); ``ab`` stamps each
side's identity on that side's merged results, so that a side may be an older commit whose runner
predates the option. Every benchmark's
pyperf metadata and the run manifest carry these keys (results/FORMAT.md). The environment
(Python, library versions) is recorded by the worker itself (``runtimes.environment_metadata``),
because in an A/B run each side has its own; pyperf adds ``hostname`` and ``cpu_model_name``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

#: Value of every identity key that cannot be known (not a git checkout, git missing).
UNKNOWN = "unknown"
#: The keys, all strings, in the order they are documented.
IDENTITY_KEYS: tuple[str, ...] = ("suite_commit", "suite_commit_date", "suite_dirty", "machine")
#: Names the machine when the host name does not (CI runners get a new host name every job).
MACHINE_ENV = "AITER_BENCH_MACHINE"
#: The suite's own source folder (the parent of the ``benchmarks`` package).
SUITE_SOURCE = Path(__file__).resolve().parents[2]


def unknown_identity() -> dict[str, str]:
    return {**dict.fromkeys(IDENTITY_KEYS, UNKNOWN), "machine": machine()}


def _git(source: Path, *args: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", "-C", str(source), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def checkout_identity(source: Path = SUITE_SOURCE) -> dict[str, str]:
    """The commit checked out at ``source`` and whether its tracked files differ from it."""
    if _git(source, "rev-parse", "--show-toplevel") is None:
        return unknown_identity()
    commit = _git(source, "rev-parse", "HEAD")
    if commit is None:
        return unknown_identity()
    status = _git(source, "status", "--porcelain", "--untracked-files=no")
    return {
        "suite_commit": commit,
        "suite_commit_date": _git(source, "show", "-s", "--format=%cI", commit) or UNKNOWN,
        "suite_dirty": UNKNOWN if status is None else str(bool(status)).lower(),
        "machine": machine(),
    }


def commit_identity(repository: Path, commit: str) -> dict[str, str]:
    """A clean commit of ``repository`` (an A/B side built from ``git archive``)."""
    return {
        "suite_commit": commit,
        "suite_commit_date": _git(repository, "show", "-s", "--format=%cI", commit) or UNKNOWN,
        "suite_dirty": "false",
        "machine": machine(),
    }


def machine() -> str:
    """``AITER_BENCH_MACHINE`` when set, else the host name (as pyperf records ``hostname``)."""
    return os.environ.get(MACHINE_ENV, "").strip() or socket.gethostname() or UNKNOWN


def encode(identity: dict[str, str]) -> str:
    return json.dumps(identity, sort_keys=True)


def decode(text: str) -> dict[str, str]:
    """The identity given on a worker's command line; unknown keys are ignored."""
    given = json.loads(text)
    if not isinstance(given, dict):
        raise ValueError("identity must be a JSON object")
    return {key: str(given.get(key, UNKNOWN)) for key in IDENTITY_KEYS}
