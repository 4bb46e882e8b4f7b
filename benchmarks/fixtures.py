"""Building workload input data once, outside every timed region, shared by all workers.

The parent process builds each distinct :class:`~benchmarks.workload.Fixture` (by key) before
the first benchmark that reads it, into ``<root>/<key>/``. A folder is built under a temporary
name and renamed when complete, so a crash never leaves half-written data that looks finished.
Complete folders are reused by later runs: the data is deterministic, so the key names it
exactly. The default root, ``.fixture-cache/``, is ignored by git.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from benchmarks.workload import Fixture

DEFAULT_FIXTURE_ROOT = Path(".fixture-cache")
COMPLETE_MARKER = ".complete"


def ensure_fixture(fixture: Fixture, root: Path) -> Path:
    """The folder holding the fixture's data, building it first if needed."""
    folder = root / fixture.key
    if (folder / COMPLETE_MARKER).exists():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{fixture.key}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        fixture.build(staging)
        (staging / COMPLETE_MARKER).write_text(fixture.key + "\n")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
