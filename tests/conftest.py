"""Shared helpers for the suite's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from benchmarks.platform.runtimes import DEFAULT_RUNTIMES, RUNTIMES

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Default runtimes importable here; the others are tested as n/a, not skipped silently.
AVAILABLE_RUNTIMES = [
    name for name in DEFAULT_RUNTIMES if RUNTIMES[name].unavailable_reason() is None
]
#: Every registered runtime that can run here (the default ones and those measured on request).
RUNNABLE_RUNTIMES = [name for name, rt in RUNTIMES.items() if rt.unavailable_reason() is None]


def run_cli(
    *args: str, cwd: Path = REPO_ROOT, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m benchmarks ARGS`` in a fresh interpreter, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def related(marker: str) -> list[psutil.Process]:
    """Live processes whose command line mentions ``marker`` (a run's unique folder, e.g. its
    scratch folder in TMPDIR)."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if marker in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


@pytest.fixture(params=AVAILABLE_RUNTIMES)
def runtime_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def ab_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``ab`` environment cache for the whole session: environments are built once."""
    return tmp_path_factory.mktemp("ab-cache")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks into the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep tests that share an expensive fixture on one xdist worker (``--dist loadgroup``).

    A module-scoped fixture (one real run shared by a module's tests) would otherwise be built
    once per worker; the ``ab`` environments (``ab_cache``) are shared by every test that
    builds one. Tests without such a fixture are spread freely over the workers. The marks are
    added before xdist's own hook turns them into ``@group`` suffixes of the node ids (it runs
    first otherwise, and no test would be grouped).
    """
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None or item.get_closest_marker("xdist_group") is not None:
            continue
        if "ab_cache" in info.names_closure:
            item.add_marker(pytest.mark.xdist_group("ab-environments"))
            continue
        shared = any(
            definition.scope in ("module", "session") and definition.baseid
            for name in info.names_closure
            for definition in info.name2fixturedefs.get(name, ())
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module else ""))
