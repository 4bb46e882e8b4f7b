"""Run folders: one run per folder, locked, described by its manifest, merged atomically.

A run folder belongs to one run. :meth:`RunFolder.open` refuses a folder that already holds a
run unless the run is resumed (``resume=True``: only the cells the manifest lacks are measured,
everything measured is kept) or replaced (``force=True``). A lock file (``DIR/.lock``, held
with an OS lock for as long as the run lives, with the owner's pid inside) stops a second run
from writing into the same folder; the OS releases it when its owner dies, so a lock left by a
killed run is stale and simply taken over.

Each benchmark is merged into ``DIR/<runtime>.json`` as soon as it finishes, by writing a hidden
temporary file next to it and renaming it over the old one. An interrupted run keeps every
benchmark it finished, a reader never sees a half-written file, and the manifest lists the
cells still missing (``complete: false``) until the last one is done.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import pyperf

from analysis.staging import OutputError, check_output_folder
from benchmarks.platform.runtimes import RUNTIMES

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
LOCK_NAME = ".lock"
DEFAULT_RESULTS_ROOT = Path("results")
#: Temporary files are hidden, named after their target, and end with this suffix.
TEMP_SUFFIX = ".tmp"
#: What an older version left behind when interrupted during a merge (``DIR/tmpXXXXXXXX/``).
_LEGACY_TEMP_DIR = re.compile(r"tmp[a-z0-9_]{8}")


class RunFolderError(Exception):
    """The results folder cannot be used; the message is one line for the user."""


def new_run_id(now: datetime | None = None) -> str:
    """A run id unique to one run: its start time (UTC) and a random part, never a folder's
    name (two folders called ``base`` in different places are different runs). Block labels
    contain it, so only processes of one interleaved run can ever be paired."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(4)}"


def default_run_dir(root: Path, python_version: str, now: datetime | None = None) -> Path:
    """A new folder named by date, Python version and machine; never an existing one."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%dT%H%M%S")
    host = socket.gethostname().split(".")[0] or "host"
    base = root / f"{stamp}_py{python_version}_{host}"
    candidate, suffix = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{suffix}")
        suffix += 1
    return candidate


def create_run_dir(root: Path, python_version: str, now: datetime | None = None) -> Path:
    """Like :func:`default_run_dir`, but created atomically: two runs never share it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        while True:
            candidate = default_run_dir(root, python_version, now)
            with contextlib.suppress(FileExistsError):
                candidate.mkdir()
                return candidate
    except OSError as exc:
        raise RunFolderError(f"cannot create a results folder in {root}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def file_mode() -> int:
    """The mode ``open()`` gives a new file (0644 under the usual umask 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """A hidden temporary path next to ``path``, renamed over it when the block succeeds."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, file_mode())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with staged_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


#: The measure whose files carry no suffix (``DIR/<runtime>.json``).
TIME_MEASURE = "time"
#: Every measure a run folder may hold files of.
KNOWN_MEASURES: tuple[str, ...] = (TIME_MEASURE, "instructions")


def suite_path(run_dir: Path, runtime: str, measure: str = TIME_MEASURE) -> Path:
    """``DIR/<runtime>.json`` for times, ``DIR/<runtime>.<measure>.json`` for other measures."""
    if measure == TIME_MEASURE:
        return run_dir / f"{runtime}.json"
    return run_dir / f"{runtime}.{measure}.json"


def merge_benchmark(
    run_dir: Path, runtime: str, measured_file: Path, measure: str = TIME_MEASURE
) -> None:
    """Add (or replace) the benchmark(s) in ``measured_file`` in the runtime's suite file."""
    measured = pyperf.BenchmarkSuite.load(str(measured_file))
    target = suite_path(run_dir, runtime, measure)
    replaced = set(measured.get_benchmark_names())
    kept: list[pyperf.Benchmark] = []
    if target.exists():
        existing = pyperf.BenchmarkSuite.load(str(target))
        kept = [b for b in existing.get_benchmarks() if b.get_name() not in replaced]
    suite = pyperf.BenchmarkSuite(kept + measured.get_benchmarks())
    with staged_file(target) as temporary:
        suite.dump(str(temporary), replace=True)


def write_manifest(run_dir: Path, manifest: Mapping[str, Any]) -> None:
    write_atomically(run_dir / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")


def read_manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{path} cannot be read ({exc}); use --force to start over") from None
    if not isinstance(manifest, dict):
        raise RunFolderError(f"{path} is not a run manifest; use --force to start over")
    if manifest.get("format") != MANIFEST_FORMAT:
        raise RunFolderError(
            f"{path} has manifest format {manifest.get('format')!r}; this version reads format "
            f"{MANIFEST_FORMAT} only; resume it with the version that made it, or use --force "
            "to start over"
        )
    return manifest


def prepare_output_dir(path: Path) -> None:
    """Create ``path`` (and its parents), or say in one line why it cannot hold results (the
    check every command shares: :func:`analysis.staging.check_output_folder`)."""
    try:
        check_output_folder(path)
    except OutputError as exc:
        raise RunFolderError(str(exc)) from None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFolderError(f"cannot create results folder {path}: {_reason(exc)}") from None


class RunLock:
    """``DIR/.lock``: held with an OS lock by one live run; a dead owner's lock is stale.

    The pid of the owner is written inside, for the message a second run prints. The OS lock
    (``fcntl.flock``, ``msvcrt.locking`` on Windows) is released by the kernel when its owner
    exits, however it exits, so a lock file left behind by a killed run is taken over.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._stream: IO[str] | None = None

    def acquire(self) -> RunLock:
        while True:
            try:
                stream = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 (held open)
            except OSError as exc:
                raise RunFolderError(
                    f"cannot write in results folder {self.path.parent}: {_reason(exc)}"
                ) from None
            if not _try_lock(stream):
                stream.seek(0)
                owner = stream.read().strip() or "unknown"
                stream.close()
                raise RunFolderError(
                    f"{self.path.parent} is in use by another run (pid {owner}, lock "
                    f"{self.path}); wait for it to finish or choose another folder"
                )
            if _same_file(stream, self.path):  # not unlinked by a previous owner meanwhile
                break
            stream.close()
        stream.seek(0)
        stream.truncate()
        stream.write(f"{os.getpid()}\n")
        stream.flush()
        self._stream = stream
        return self

    def release(self) -> None:
        if self._stream is not None:
            self.path.unlink(missing_ok=True)
            self._stream.close()  # closing releases the OS lock
            self._stream = None


def _same_file(stream: IO[str], path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(stream.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


def _try_lock(stream: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Cell:
    """One benchmark on one runtime: the unit a run measures, records as n/a, or misses."""

    benchmark: str
    runtime: str
    workload: str
    params: Mapping[str, Any]
    #: How the cell is measured: ``time`` or ``instructions``.
    measure: str = TIME_MEASURE

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.benchmark, self.runtime, self.measure)

    def as_dict(self) -> dict[str, Any]:
        return {
            "runtime": self.runtime,
            "workload": self.workload,
            "benchmark": self.benchmark,
            "params": dict(self.params),
            "measure": self.measure,
        }


def cell_key(entry: Mapping[str, Any]) -> tuple[str, str, str]:
    """The key of a manifest's cell entry (entries without ``measure`` are times)."""
    return (
        str(entry.get("benchmark")),
        str(entry.get("runtime")),
        str(entry.get("measure", TIME_MEASURE)),
    )


#: Manifest keys that must match for ``--resume``: what is measured, and how.
SELECTION_KEYS: tuple[str, ...] = (
    "mode",
    "pyperf_options",
    "runtimes",
    "benchmarks",
    "measures",
)
#: What a manifest written before a key existed means by it.
SELECTION_DEFAULTS: dict[str, Any] = {"measures": [TIME_MEASURE]}
#: The kind of a cell whose measurement failed: ``--resume`` measures it again.
FAILED = "failed"


class RunFolder:
    """A locked run folder and its manifest; the one writer of results into it."""

    def __init__(self, path: Path, manifest: dict[str, Any], lock: RunLock) -> None:
        self.path = path
        self.manifest = manifest
        self._lock = lock
        self.done: set[tuple[str, str, str]] = set()

    @classmethod
    def open(
        cls,
        path: Path,
        manifest: dict[str, Any],
        *,
        resume: bool = False,
        force: bool = False,
    ) -> RunFolder:
        """Lock ``path`` for the run described by ``manifest`` (its selection and command).

        Raises :class:`RunFolderError` (one line) when the folder cannot be written, is in use,
        already holds a run (without ``resume`` or ``force``), or holds a different selection
        than the one resumed.
        """
        if resume and not (path / MANIFEST_NAME).is_file():
            # Checked before anything is created: a failed --resume leaves no empty folder.
            raise RunFolderError(f"nothing to resume in {path}: it has no {MANIFEST_NAME}")
        prepare_output_dir(path)
        lock = RunLock(path).acquire()
        try:
            folder = cls(path, manifest, lock)
            with folder._writing():
                folder._take_over(resume=resume, force=force)
                write_manifest(path, folder.manifest)
        except BaseException:
            lock.release()
            raise
        return folder

    def _take_over(self, *, resume: bool, force: bool) -> None:
        self._remove_temporaries()
        previous = self.path / MANIFEST_NAME
        contents = sorted(p.name for p in self.path.iterdir() if p.name != LOCK_NAME)
        if resume:
            if not previous.exists():
                raise RunFolderError(f"nothing to resume in {self.path}: it has no {MANIFEST_NAME}")
            self._resume(read_manifest(self.path))
        elif contents and not force:
            what = "holds a run" if previous.exists() else f"is not empty ({', '.join(contents)})"
            raise RunFolderError(
                f"{self.path} {what}; use --resume to continue it, --force to replace it, "
                "or choose a new folder"
            )
        elif contents:
            self._discard_previous_run()

    def _resume(self, previous: dict[str, Any]) -> None:
        for key in SELECTION_KEYS:
            default = SELECTION_DEFAULTS.get(key)
            if previous.get(key, default) != self.manifest.get(key, default):
                raise RunFolderError(
                    f"cannot resume {self.path}: its run has another {key} "
                    f"({_summary(previous.get(key))}, this command: "
                    f"{_summary(self.manifest.get(key))}); repeat the original selection, "
                    "or use --force to start over"
                )
        # Cells that failed are measured again; n/a cells (unsupported, unavailable) are kept.
        recorded = [
            c for c in previous.get("na", []) if isinstance(c, dict) and c.get("kind") != FAILED
        ]
        self.done = {cell_key(c) for c in recorded}
        for measure in self.manifest.get("measures", [TIME_MEASURE]):
            for runtime in self.manifest["runtimes"]:
                measured = self._measured(runtime, measure)
                self.done |= {(name, runtime, measure) for name in measured}
        resumes = [*previous.get("resumed", []), self.manifest["command"]]
        self.manifest.update(
            run_id=previous.get("run_id", self.manifest.get("run_id")),
            command=previous.get("command", self.manifest["command"]),
            resumed=resumes,
            na=recorded,
            loops=previous.get("loops", {}),
        )
        if "design" in previous:  # the order design (its seed) of the run continued
            self.manifest["design"] = previous["design"]

    def _measured(self, runtime: str, measure: str = TIME_MEASURE) -> list[str]:
        path = suite_path(self.path, runtime, measure)
        if not path.exists():
            return []
        try:
            return list(pyperf.BenchmarkSuite.load(str(path)).get_benchmark_names())
        except Exception as exc:  # pyperf raises ValueError, KeyError, JSONDecodeError, ...
            raise RunFolderError(
                f"cannot resume {self.path}: {path.name} cannot be read ({exc}); "
                "use --force to start over"
            ) from None

    def _discard_previous_run(self) -> None:
        """Remove every file a run writes, whatever the old manifest says (it may be corrupt or
        name other runtimes): no file of the old run survives to be mixed into the new one."""
        names = {*self.manifest.get("runtimes", []), *RUNTIMES}
        with contextlib.suppress(RunFolderError, OSError, ValueError):
            names |= {str(r) for r in _raw_manifest(self.path).get("runtimes", [])}
        for name in names:
            for measure in KNOWN_MEASURES:
                suite_path(self.path, str(name), measure).unlink(missing_ok=True)
        for entry in self.path.iterdir():  # any other pyperf suite file of the old run
            if entry.is_file() and entry.name.endswith(".json") and _is_pyperf_file(entry):
                entry.unlink()
        for name in RUN_FILES:
            (self.path / name).unlink(missing_ok=True)

    def _remove_temporaries(self) -> None:
        """Partial files of an interrupted write (only the lock holder may do this)."""
        for entry in self.path.iterdir():
            if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX):
                entry.unlink(missing_ok=True)
            elif entry.is_dir() and _LEGACY_TEMP_DIR.fullmatch(entry.name):
                shutil.rmtree(entry, ignore_errors=True)

    # -- the run itself ------------------------------------------------------------------

    def plan(self, cells: Iterable[Cell]) -> list[Cell]:
        """The cells still to do (not measured, not recorded); the manifest lists them."""
        todo = [cell for cell in cells if cell.key not in self.done]
        self.manifest["complete"] = not todo
        self.manifest["missing"] = [cell.as_dict() for cell in todo]
        with self._writing():
            write_manifest(self.path, self.manifest)
        return todo

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Turn a failed write (full disk, folder gone, ...) into one line for the user."""
        try:
            yield
        except OSError as exc:
            raise RunFolderError(f"cannot write results to {self.path}: {_reason(exc)}") from None

    def _settle(self, cell: Cell) -> None:
        self.done.add(cell.key)
        missing = self.manifest["missing"]
        missing[:] = [c for c in missing if cell_key(c) != cell.key]
        self.manifest["complete"] = not missing

    def record(self, cell: Cell, kind: str, reason: str) -> None:
        """Record a cell that was not measured: n/a (``unsupported``...) or ``failed``."""
        self.manifest["na"].append({**cell.as_dict(), "kind": kind, "reason": reason})
        self._settle(cell)
        with self._writing():
            write_manifest(self.path, self.manifest)

    def merge(self, cell: Cell, measured_file: Path) -> None:
        """Merge a freshly measured benchmark into its runtime's suite file (a cell measured
        again loses what was recorded of it before)."""
        with self._writing():
            merge_benchmark(self.path, cell.runtime, measured_file, cell.measure)
            na = self.manifest["na"]
            na[:] = [c for c in na if cell_key(c) != cell.key]
            self._settle(cell)
            write_manifest(self.path, self.manifest)

    def loops(self, benchmark: str) -> int | None:
        """The loops calibrated for ``benchmark`` in this run (kept across --resume)."""
        entry = self.manifest.setdefault("loops", {}).get(benchmark)
        return int(entry["loops"]) if isinstance(entry, dict) and "loops" in entry else None

    def record_loops(self, benchmark: str, loops: int, runtime: str) -> None:
        """Record the loops every runtime of ``benchmark`` uses, and where they were calibrated."""
        self.manifest.setdefault("loops", {})[benchmark] = {"loops": loops, "on": runtime}
        with self._writing():
            write_manifest(self.path, self.manifest)

    @property
    def missing(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("missing", []))

    def close(self) -> None:
        """Write the manifest a last time (best effort) and release the lock."""
        try:
            with contextlib.suppress(OSError):
                write_manifest(self.path, self.manifest)
        finally:
            self._lock.release()

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


#: Files of a run besides its suite files (removed by ``--force``).
RUN_FILES: tuple[str, ...] = (MANIFEST_NAME, "timer_accuracy.json")


def _raw_manifest(run_dir: Path) -> dict[str, Any]:
    data = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _is_pyperf_file(path: Path) -> bool:
    """A pyperf suite file (``benchmarks`` and ``version`` keys), read without pyperf."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "benchmarks" in data and "version" in data


def _summary(value: object) -> str:
    if isinstance(value, Sequence) and not isinstance(value, str):
        shown = ", ".join(map(str, value[:3]))
        return f"{len(value)}: {shown}, ..." if len(value) > 3 else f"[{shown}]"
    return repr(value)
