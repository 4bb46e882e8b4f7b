"""Stopping a run cleanly: SIGINT and SIGTERM become an exception, children die with their group.

While :func:`signals_stop_the_run` is active, the first SIGINT or SIGTERM raises
:class:`Interrupted` in the main thread, so every ``with``/``finally`` block on the way out runs
(scratch folders are removed, the manifest is written, the lock released); later signals are
ignored until the run has finished cleaning up. :func:`run_child` starts each child in its own
process group (session) and, whatever stops the parent, ends the whole group: the child and
every pyperf worker it started. The exit code is ``128 + signal number``: 130 for SIGINT, 143
for SIGTERM, as a shell reports a process killed by that signal.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

#: The signals that stop a run.
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
#: Seconds a child's group gets to exit after SIGTERM before it is killed.
GRACE_SECONDS = 5.0


class Interrupted(BaseException):
    """The run was asked to stop by a signal (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@dataclass
class _Stop:
    """What the handler of one :func:`signals_stop_the_run` has seen."""

    received: int | None = None
    #: Inside :func:`deferred`: the signal is kept and raised when the region ends.
    deferring: int = 0
    #: Whether someone took the Interrupted (caught it and stopped the run, see
    #: :func:`handled`); a stop nobody took is raised again when the run ends.
    taken: bool = False


_active: list[_Stop] = []


@contextlib.contextmanager
def signals_stop_the_run() -> Iterator[None]:
    """Turn the first SIGINT/SIGTERM into :class:`Interrupted`; restore the handlers after.

    A stop is never lost: when the Interrupted was swallowed on the way (a library that
    catches BaseException, an ``Exception ignored in ...`` of a finaliser) and the block
    ends normally, it is raised again at the end, so the command still exits 130 / 143.
    """
    state = _Stop()

    def handler(signum: int, frame: FrameType | None) -> None:
        if state.received is not None:  # a second signal must not interrupt the clean-up
            return
        state.received = signum
        if not state.deferring:
            raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    _active.append(state)
    try:
        yield
    finally:
        _active.remove(state)
        for signum, old in previous.items():
            signal.signal(signum, old)
    if state.received is not None and not state.taken:
        raise Interrupted(state.received)


def handled(stop: Interrupted) -> int:
    """Mark ``stop`` as taken (the run stopped on it); its exit code."""
    for state in _active:
        state.taken = True
    return stop.exit_code


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A short region a stop signal must not cut in two (merging a measured benchmark into its
    run): a signal that arrives inside is raised as :class:`Interrupted` when it ends."""
    state = _active[-1] if _active else None
    if state is None:
        yield
        return
    state.deferring += 1
    try:
        yield
    finally:
        state.deferring -= 1
    if not state.deferring and state.received is not None:
        raise Interrupted(state.received)


#: Children started by :func:`run_child` that are still running (from any thread).
_ACTIVE: set[subprocess.Popen[str]] = set()


def run_child(
    command: Sequence[str],
    *,
    capture_stdout: bool,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in its own process group (in ``cwd``, with ``env`` when given;
    ``stdin``: text for its standard input); end the whole group if anything stops us."""
    process = subprocess.Popen(
        command,
        stdin=None if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE if capture_stdout else None,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=None if env is None else dict(env),
        start_new_session=sys.platform != "win32",
    )
    _ACTIVE.add(process)
    try:
        stdout, stderr = process.communicate(stdin)
    except BaseException:
        end_group(process)
        raise
    finally:
        _ACTIVE.discard(process)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def end_all_children() -> None:
    """End the process group of every child still running (children waited on by other
    threads, such as parallel instrumented processes)."""
    for process in list(_ACTIVE):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def end_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM the child's process group, then SIGKILL whatever is left of it."""
    if sys.platform == "win32":  # pragma: no cover - no process groups there
        process.kill()
        process.wait()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=GRACE_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers that outlived their parent
    process.communicate()


# -- the moments before and after a command: start-up imports and a closed stdout -------------


def stop_during_startup(signum: int, frame: FrameType | None) -> None:
    """SIGINT handler for the start-up imports (``__main__`` installs it first thing).

    Nothing has been written yet, so the process ends at once with one line and exit code 130.
    It never raises: a KeyboardInterrupt raised inside an import can be swallowed ("Exception
    ignored in ...") and the command would then go on as if never stopped.
    """
    os.write(2, b"interrupted\n")
    os._exit(128 + signum)


@contextlib.contextmanager
def quiet_exit() -> Iterator[None]:
    """The outermost frame of a command: a Ctrl-C that no inner handler took is one line and
    exit code 130, and a stdout closed early (``python -m benchmarks list | head -1``) ends
    quietly with exit code 141 (as a shell reports SIGPIPE), never a traceback."""
    try:
        try:
            yield
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit
        raise SystemExit(128 + signal.SIGPIPE) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(128 + signal.SIGINT) from None
