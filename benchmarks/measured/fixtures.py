"""Building workload input data once, outside every timed region, shared by all workers.

The parent process builds each distinct :class:`~benchmarks.measured.workload.Fixture` (by key)
before the first benchmark that reads it, into ``<root>/<key>/``. A folder is built under a
temporary name (``<key>.building-<pid>``) and renamed when complete, so a crash never leaves
half-written data that looks finished; a later run removes building folders whose process is gone.
Complete folders are reused by later runs: the data is deterministic, so the key names it
exactly. The marker that says a folder is complete records the SHA-256 of every file, computed
once at build; a reused folder is checked against it byte for byte and rebuilt if anything
differs. The default root, ``.fixture-cache/``, is ignored by git.

A build that fails (a full disk, a root that is a file, ...) raises :class:`FixtureError` with
a one-line reason; the run records it for the benchmarks that need that fixture and goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

import psutil

from benchmarks.measured.workload import Fixture

DEFAULT_FIXTURE_ROOT = Path(".fixture-cache")
COMPLETE_MARKER = ".complete"
_BUILDING = re.compile(r".+\.building-(\d+)")
_HASH_BLOCK = 1 << 20


class FixtureError(Exception):
    """A fixture could not be built; the message says why, in one line."""


def ensure_fixture(fixture: Fixture, root: Path) -> Path:
    """The folder holding the fixture's data, building (or rebuilding) it first if needed."""
    folder = root / fixture.key
    if root.exists() and not root.is_dir():
        raise FixtureError(f"fixture {fixture.key} could not be built: {root} is not a folder")
    try:
        if _verified(folder):
            return folder
        return _build(fixture, root, folder)
    except FixtureError:
        raise
    except Exception as exc:
        raise FixtureError(f"fixture {fixture.key} could not be built in {root}: {exc}") from None


class FixtureCache:
    """The fixtures of one run: each built (or verified) once; a failed build is remembered.

    Creating the cache removes building folders left by killed runs.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[str, Path | FixtureError] = {}
        remove_stale_builds(root)

    def folder(self, fixture: Fixture | None) -> Path | None:
        """The fixture's folder (None for no fixture); raises FixtureError if it cannot be built."""
        if fixture is None:
            return None
        if fixture.key not in self._folders:
            try:
                self._folders[fixture.key] = ensure_fixture(fixture, self.root).resolve()
            except FixtureError as exc:
                self._folders[fixture.key] = exc
        result = self._folders[fixture.key]
        if isinstance(result, FixtureError):
            raise result
        return result


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below ``folder`` (but the marker), by relative path."""
    sums: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != COMPLETE_MARKER:
            digest = hashlib.sha256()
            with open(path, "rb") as stream:
                while block := stream.read(_HASH_BLOCK):
                    digest.update(block)
            sums[path.relative_to(folder).as_posix()] = digest.hexdigest()
    return sums


def _verified(folder: Path) -> bool:
    """Whether ``folder`` is complete and every byte is what was built."""
    marker = folder / COMPLETE_MARKER
    if not marker.exists():
        return False
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8")).get("sha256")
    except (ValueError, AttributeError):
        recorded = None  # a marker from before checksums: rebuild once
    if recorded is not None and checksums(folder) == recorded:
        return True
    print(f"note: fixture {folder} fails its checksum; rebuilding it", file=sys.stderr)
    return False


def _build(fixture: Fixture, root: Path, folder: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(root)
    staging = root / f"{fixture.key}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        fixture.build(staging)
        marker = {"key": fixture.key, "sha256": checksums(staging)}
        (staging / COMPLETE_MARKER).write_text(json.dumps(marker, indent=1) + "\n")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def remove_stale_builds(root: Path) -> list[Path]:
    """Remove ``<key>.building-<pid>`` folders whose process no longer exists."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        match = _BUILDING.fullmatch(entry.name)
        if match and entry.is_dir() and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    return pid == os.getpid() or psutil.pid_exists(pid)
