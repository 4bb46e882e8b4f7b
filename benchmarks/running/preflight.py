"""Checks ``run`` and ``ab`` make before anything is built or measured (one line each).

What the environment says matters as much as the arguments: a measure this machine cannot
take (instructions without Valgrind), injected slowdowns or work that every worker would refuse
(``AITER_BENCH_INJECT_SLOWDOWN``, ``AITER_BENCH_INJECT_WORK``), work for benchmarks not in the
selection (a typo that would inject nothing), and an environment cache that cannot be written.
Each is a :class:`ValueError` whose message is one line naming the problem and the choices.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from analysis.staging import OutputError, check_output_folder
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running import counting, harness

#: How many valid benchmark names a message lists before "...".
SHOWN_NAMES = 6


def check_measures(
    measures: Sequence[str],
    benchmarks: Sequence[str],
    mode: str = "default",
    environ: Mapping[str, str] | None = None,
) -> None:
    """The measures can be taken here and the injection variables are usable."""
    environ = os.environ if environ is None else environ
    text = environ.get(harness.SLOWDOWN_ENV, "")
    try:
        harness.parse_slowdown(text)
    except ValueError as exc:
        raise ValueError(f"{harness.SLOWDOWN_ENV}: {exc}; unset it or give one") from None
    if counting.INSTRUCTIONS not in measures:
        return
    if mode == "memory":
        raise ValueError(
            "--track-memory/--tracemalloc measure memory, not instructions: use --measure time"
        )
    reason = counting.unavailable_reason()
    if reason is not None:
        raise ValueError(f"--measure {'/'.join(measures)}: {reason}; or use --measure time")
    work = harness.parse_work(environ.get(harness.WORK_ENV, ""))
    unknown = sorted(name for name in work if _benchmark_of(name) not in benchmarks)
    if unknown:
        shown = ", ".join(list(benchmarks)[:SHOWN_NAMES])
        more = ", ..." if len(benchmarks) > SHOWN_NAMES else ""
        raise ValueError(
            f"{harness.WORK_ENV} names benchmarks that are not selected: {', '.join(unknown)}; "
            f"selected: {shown}{more}"
        )


def _benchmark_of(key: str) -> str:
    """The benchmark of a work entry: ``"<benchmark>"`` or ``"<benchmark>@<runtime>"``."""
    benchmark, at, runtime = key.rpartition("@")
    return benchmark if at and runtime in RUNTIMES else key


def check_cache(path: Path) -> None:
    """The environment cache can be created or written."""
    try:
        check_output_folder(path)
    except OutputError as exc:
        raise ValueError(f"--cache: {exc}") from None
