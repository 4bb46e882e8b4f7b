"""Output paths: checked before any work, written all or nothing.

Every command that writes outputs (``report``, ``history``, ``compare``, ``timer_accuracy``, and
``ab`` / ``calibrate`` through the same functions) uses this module, so every kind of output
fault is handled once:

- :func:`check_output_folder` and :func:`check_output_file` run *before* any loading or
  measuring: a target that is a file, lies below a file, or sits where nothing can be written
  (a read-only mount, ``/proc``, a folder without write permission) is refused in one line.
  Nothing is created by a check (a probe folder is made and removed at once).
- :func:`staged_folder` builds a folder of outputs in a hidden sibling folder and moves it into
  place when the block succeeds. A failure while writing (a full disk, ...) leaves no partial
  file behind. When the target already exists, each top-level entry written (``report.md``,
  ``results.csv``, ``plots/``, ...) replaces the entry of the same name and nothing else in the
  folder is touched; the replacement is journalled: when any entry cannot be replaced (an
  immutable file, ...), the entries already replaced are put back, so the folder holds either
  the whole new output or the whole old one, never a mixture.
- :func:`write_files` writes several single files (``compare --json --markdown``) the same
  way: all are staged first, and none replaces its target unless every one was staged.

Every problem becomes an :class:`OutputError` (an :class:`AnalysisError`) of one line. This
module imports the standard library only, so the measuring half can use it without pandas.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from analysis.errors import AnalysisError

TEMP_SUFFIX = ".tmp"


class OutputError(AnalysisError):
    """An output path that cannot be written; the message is one line for the user."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def _refuse_files_on_the_way(target: Path, what: str) -> None:
    for path in (target, *target.parents):
        if path.exists() and not path.is_dir():
            where = "" if path == target else f" (in {target})"
            raise OutputError(f"{path} is a file, not a folder{where}; choose a {what}")


def _probe(folder: Path, target: Path) -> None:
    """Make and remove a hidden folder in ``folder``: the only sure test that it is writable
    (permissions, read-only mounts, pseudo file systems, quotas on inodes)."""
    try:
        probe = tempfile.mkdtemp(dir=folder, prefix=".write-check.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise OutputError(f"cannot write to {target}: {_reason(exc)} (in {folder})") from None
    os.rmdir(probe)


def check_output_folder(target: Path, what: str = "folder") -> None:
    """Refuse, in one line, an output folder that cannot be written: empty name, a file (or a
    path below a file), or a place where nothing can be created. Creates nothing."""
    if str(target).strip() == "":
        raise OutputError(f"the output {what} is empty ('-o'): name a folder")
    _refuse_files_on_the_way(target, what)
    _probe(_nearest_existing(target), target)


def check_output_file(target: Path) -> None:
    """Refuse, in one line, an output file that cannot be written: a folder, a path below a
    file, a file without write permission, or a place where nothing can be created."""
    if str(target).strip() == "":
        raise OutputError("the output file name is empty: name a file")
    if target.is_dir():
        raise OutputError(f"{target} is a folder, not a file; name a file")
    _refuse_files_on_the_way(target.parent, "file")
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"cannot write to {target}: permission denied")
    _probe(_nearest_existing(target.parent), target)


#: Kept for callers of the earlier name.
check_target = check_output_folder


def _folder_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A hidden empty folder next to ``target``; moved into place when the block succeeds."""
    target = Path(os.path.abspath(target))
    check_output_folder(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
        )
    except OSError as exc:
        raise OutputError(f"cannot write to {target}: {_reason(exc)}") from None
    try:
        yield staging
        move_into_place(staging, target)
    except OSError as exc:
        raise OutputError(f"cannot write to {target}: {_reason(exc)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def move_into_place(staging: Path, target: Path) -> None:
    """Move the entries of ``staging`` into ``target``: all of them, or (on any failure, which
    is re-raised) none, with the old entries put back."""
    if not target.exists():
        os.chmod(staging, _folder_mode())  # mkdtemp makes it private (0700)
        os.replace(staging, target)
        return
    backup = Path(tempfile.mkdtemp(dir=target, prefix=".replaced.", suffix=TEMP_SUFFIX))
    set_aside: list[str] = []
    placed: list[str] = []
    try:
        for entry in sorted(staging.iterdir()):
            destination = target / entry.name
            if destination.exists() or destination.is_symlink():
                os.replace(destination, backup / entry.name)
                set_aside.append(entry.name)
            os.replace(entry, destination)
            placed.append(entry.name)
    except OSError:
        _roll_back(staging, target, backup, placed, set_aside)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _roll_back(
    staging: Path, target: Path, backup: Path, placed: list[str], set_aside: list[str]
) -> None:
    for name in reversed(placed):
        with contextlib.suppress(OSError):
            os.replace(target / name, staging / name)
    for name in reversed(set_aside):
        with contextlib.suppress(OSError):
            os.replace(backup / name, target / name)


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_files(texts: Mapping[Path, str]) -> None:
    """Write every ``path: text`` atomically and together: each is staged in a hidden file next
    to it, and only when all are staged are they renamed into place."""
    for path in texts:
        check_output_file(path)
    staged: dict[Path, Path] = {}
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX
            )
            staged[path] = Path(name)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.chmod(name, _file_mode())
        for path, temporary in staged.items():
            os.replace(temporary, path)
    except OSError as exc:
        failed = next((p for p, t in staged.items() if t.exists()), next(iter(texts)))
        raise OutputError(f"cannot write {failed}: {_reason(exc)}") from None
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


def append_text(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` (the GitHub step summary); a failure is one line."""
    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        raise OutputError(f"cannot append to {path}: {_reason(exc)}") from None
