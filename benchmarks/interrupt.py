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


@contextlib.contextmanager
def signals_stop_the_run() -> Iterator[None]:
    """Turn the first SIGINT/SIGTERM into :class:`Interrupted`; restore the handlers after."""
    raised = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if not raised:  # a second signal must not interrupt the clean-up of the first
            raised = True
            raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


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
