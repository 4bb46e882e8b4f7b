"""Scratch folders in TMPDIR that a killed command does not leave behind for ever.

:func:`scratch_folder` makes ``TMPDIR/<prefix>XXXXXXXX/`` and holds an OS lock on a file inside
for as long as it lives (the run folder's :class:`benchmarks.storage.results.RunLock`); the kernel
releases the lock when its owner dies, however it dies. A SIGKILL leaves the folder behind, so
every new scratch folder first sweeps the old ones of the same prefix whose lock nobody holds.
A folder without a lock file is swept only when it is a day old (it may be one being created
this instant, or one of an older version).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.storage.results import LOCK_NAME, RunFolderError, RunLock

#: A scratch folder without a lock file is left alone for this long.
UNLOCKED_GRACE_SECONDS = 24 * 3600.0


def sweep_stale(prefix: str, root: Path | None = None) -> list[Path]:
    """Remove the scratch folders of ``prefix`` whose owner is gone; the folders removed."""
    removed: list[Path] = []
    for entry in sorted(Path(root or tempfile.gettempdir()).glob(f"{prefix}*")):
        if not entry.is_dir() or entry.is_symlink():
            continue
        if (entry / LOCK_NAME).exists():
            try:
                lock = RunLock(entry).acquire()  # only succeeds when the owner is dead
            except RunFolderError:
                continue
            lock.release()
        elif time.time() - entry.stat().st_mtime < UNLOCKED_GRACE_SECONDS:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A new locked scratch folder, removed on the way out (stale ones swept first)."""
    with contextlib.suppress(OSError):
        sweep_stale(prefix)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        lock = RunLock(folder).acquire()
        try:
            yield folder
        finally:
            lock.release()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
