"""Sessions: ``bench`` (measure and report), ``bench-3.X``, ``matrix``, ``tests``, ``fidelity``,
``report``, ``lint``, ``ab`` (interleaved A/B of two environments) and ``calibrate``
(sensitivity of the A/B gate).

Every session installs what it needs from pyproject.toml into its own virtualenv, so the only
prerequisites are Python and ``pip install nox``. ``bench`` runs on the interpreter that runs
nox; ``bench-3.10`` .. ``bench-3.13`` on that CPython, found by
``benchmarks/platform/interpreters.py`` (``BENCH_PYTHONS``, ``python3.X`` on PATH, pyenv, uv);
``matrix`` on every one installed, all versions interleaved in one run.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmarks.platform import interpreters
from benchmarks.storage import run_output

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
# uv when it is installed (the README's commands install it beside nox: the test session's
# install drops from about 85 s to seconds), else virtualenv and pip.
nox.options.default_venv_backend = "uv|virtualenv"


def _split_report_args(args: list[str]) -> tuple[list[str], list[str]]:
    """``RUN ARGS --report REPORT ARGS``: what follows ``--report`` goes to the report."""
    if "--report" not in args:
        return args, []
    at = args.index("--report")
    return args[:at], args[at + 1 :]


@nox.session
def bench(session: nox.Session) -> None:
    """Run the default matrix (or ``-- ARGS`` for ``python -m benchmarks run``), then report;
    ``-- ARGS --report REPORT_ARGS`` passes ``REPORT_ARGS`` (e.g. ``--baseline trio``) to
    ``python -m analysis report``."""
    _bench(session)


def _bench(session: nox.Session) -> None:
    session.install("-e", ".[analysis]")
    args, report_args = _split_report_args(list(session.posargs))
    try:
        output = run_output.output_of(args)  # as `run` reads it: -o, --output=, the last one
    except ValueError as exc:
        session.error(str(exc))
    if output is None:
        run_dir = session.run(
            "python",
            "-c",
            "import platform; from pathlib import Path; "
            "from benchmarks.storage.results import DEFAULT_RESULTS_ROOT, default_run_dir; "
            "v = '.'.join(platform.python_version_tuple()[:2]); "
            "print(default_run_dir(DEFAULT_RESULTS_ROOT, v))",
            silent=True,
        )
        if not isinstance(run_dir, str):  # --install-only: nothing runs
            return
        output = run_dir.strip()
        args += ["-o", output]
    # A failed benchmark exits 1 but the results measured are kept and still reported.
    session.run("python", "-m", "benchmarks", "run", *args, success_codes=[0, 1])
    # Requested vs achieved sleeps per runtime, for reading timer_bound cells (plain JSON).
    session.run("python", "-m", "benchmarks.running.timer_accuracy", "-o", output)
    session.run("python", "-m", "analysis", "report", output, *report_args)  # <output>/report/


def _bench_on(version: str, executable: str | None) -> None:
    def bench_version(session: nox.Session) -> None:
        _bench(session)

    bench_version.__doc__ = f"``bench`` on CPython {version} ({executable or 'not found'})."
    nox.session(name=f"bench-{version}", python=executable or version)(bench_version)


try:
    _FOUND = interpreters.discover()
except interpreters.InterpreterError as _error:
    print(f"error: {_error}", file=sys.stderr)
    sys.exit(2)
for _interpreter in _FOUND:
    _bench_on(_interpreter.version, _interpreter.executable)


@nox.session
def matrix(session: nox.Session) -> None:
    """The default matrix on every installed CPython 3.10-3.13, interleaved, then one report.

    One ``python -m benchmarks run --python 3.10 3.11 ...``: every (version x runtime) arm of
    each benchmark runs in shared blocks (each version in an environment of its own), so the
    versions view pairs the versions within blocks. Results go to
    ``results/matrix-<time>/py3.X/`` and the report across them to
    ``results/matrix-<time>/report/``; ``-- ARGS`` go to ``run``.
    """
    versions = interpreters.installed(_FOUND, log=session.log)
    if len(versions) < 2:
        session.error(
            f"a version matrix needs two of CPython {', '.join(interpreters.VERSIONS)}; "
            f"found {', '.join(versions) or 'none'} (set BENCH_PYTHONS)"
        )
    try:
        given = run_output.output_of(list(session.posargs))
    except ValueError:
        given = ""
    if given is not None:
        session.error("matrix writes to results/matrix-<time>/; give no -o/--output")
    session.install("-e", ".[analysis]")
    root = Path("results") / time.strftime("matrix-%Y-%m-%dT%H%M%S")
    # A failed benchmark exits 1 but the results measured are kept and still reported.
    session.run("python", "-m", "benchmarks", "run", "--python", *versions,
                *session.posargs, "-o", str(root), success_codes=[0, 1])  # fmt: skip
    folders = [str(root / f"py{version}") for version in versions]
    session.run("python", "-m", "analysis", "report", *folders, "-o", str(root / "report"))


@nox.session
def report(session: nox.Session) -> None:
    """Rebuild the report from existing results: ``nox -s report -- RESULTS... [-o DIR]``."""
    session.install("-e", ".[analysis]")
    if not session.posargs:
        session.error("give the results folders or files: nox -s report -- results/<run>")
    session.run("python", "-m", "analysis", "report", *session.posargs)


@nox.session
def ab(session: nox.Session) -> None:
    """Interleaved A/B: ``nox -s ab -- --baseline SPEC --candidate SPEC [selection]``."""
    session.install("-e", ".[analysis]")
    if not session.posargs:
        session.error("give the two sides: nox -s ab -- --baseline main --candidate .")
    session.run("python", "-m", "benchmarks", "ab", *session.posargs, success_codes=[0, 1, 3])


@nox.session
def calibrate(session: nox.Session) -> None:
    """A/A and injected-slowdown pairs: false-alarm and detection rates (``-- --pairs N``)."""
    session.install("-e", ".[analysis]")
    session.run("python", "-m", "benchmarks", "calibrate", *session.posargs)


@nox.session
def fidelity(session: nox.Session) -> None:
    """Compare the suite's per-item figure with a hand-written perf_counter loop."""
    session.install("-e", ".")
    session.run("python", "-m", "benchmarks.running.fidelity", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and format check."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


# Under PYTHONDONTWRITEBYTECODE no import can cache its bytecode, so every process the tests
# start (dozens of `python -m analysis` and pyperf workers) compiled pandas, scipy and matplotlib
# from source again: about 1 s of each analysis command here. uv (unlike pip) compiles nothing
# at install unless told to; existing .pyc files are still read under that variable.
_BYTECODE_AT_INSTALL = (
    {"UV_COMPILE_BYTECODE": "1"} if os.environ.get("PYTHONDONTWRITEBYTECODE") else None
)


@nox.session
def tests(session: nox.Session) -> None:
    """Lint, then the test suite on every core (``-- ARGS`` go to pytest); the 40 slowest tests
    are listed at the end."""
    session.install("-e", ".[test]", env=_BYTECODE_AT_INSTALL)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "-m", "pytest", "--durations=40", *session.posargs)


@nox.session
def acceptance(session: nox.Session) -> None:
    """The acceptance runs left out of ``tests`` for its time budget: instruction counts under
    Valgrind (runs made apart, an injected 1%), the action on two copies of anyio, the action's
    A/B and shards, and an interleaved two-version matrix (about 25 minutes of CPU)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-m", "acceptance", "--durations=25", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Regenerate the generated pages, then build the site: ``site/`` (``-- serve`` to preview)."""
    session.install("-e", ".[docs]")
    session.run("python", "-m", "benchmarks.measured.workload_page", "docs/workloads.md")
    session.run("python", "-m", "analysis.rendering.published_page", "docs/published.md")
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:])
    else:
        session.run("mkdocs", "build", "--strict", *session.posargs)
