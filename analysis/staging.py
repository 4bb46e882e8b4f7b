"""Write an output folder all or nothing: build it in a hidden folder next to it, then move it in.

A failure while writing (a full disk, a read-only folder, ...) leaves no partial file behind:
the folder being built is removed and the target keeps what it held before. When the target
already exists, each top-level entry written (``report.md``, ``results.csv``, ``plots/``, ...)
replaces the entry of the same name, and nothing else in the folder is touched. Every
problem with the target becomes an :class:`AnalysisError` of one line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import AnalysisError

TEMP_SUFFIX = ".tmp"


def check_target(target: Path) -> None:
    """Refuse a target that is, or lies below, a file, in one line."""
    if str(target) == "":
        raise AnalysisError("the output folder is empty ('-o'): name a folder")
    for path in (target, *target.parents):
        if path.exists() and not path.is_dir():
            where = "" if path == target else f" (in {target})"
            raise AnalysisError(f"{path} is a file, not a folder{where}; choose a folder")


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A hidden empty folder next to ``target``; moved into place when the block succeeds."""
    check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
        )
    except OSError as exc:
        raise AnalysisError(f"cannot write to {target}: {_reason(exc)}") from None
    try:
        yield staging
        _move_into_place(staging, target)
    except OSError as exc:
        raise AnalysisError(f"cannot write to {target}: {_reason(exc)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _folder_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.chmod(staging, _folder_mode())  # mkdtemp makes it private (0700)
        os.replace(staging, target)
        return
    for entry in sorted(staging.iterdir()):
        destination = target / entry.name
        if destination.is_dir() and not destination.is_symlink():
            old = destination.with_name(f".{entry.name}.old{TEMP_SUFFIX}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(destination, old)
            os.replace(entry, destination)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(entry, destination)
