"""Sessions: ``bench`` (measure and report), ``tests``, ``fidelity``, ``report``, ``lint``,
``ab`` (interleaved A/B of two environments) and ``calibrate`` (sensitivity of the A/B gate).

Every session installs what it needs from pyproject.toml into its own virtualenv, so the only
prerequisites are Python and ``pip install nox``.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True


def _has_output_option(args: list[str]) -> bool:
    return any(arg in ("-o", "--output") or arg.startswith("--output=") for arg in args)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the default matrix (or ``-- ARGS`` for ``python -m benchmarks run``), then report."""
    session.install("-e", ".[analysis]")
    args = list(session.posargs)
    if not _has_output_option(args):
        run_dir = session.run(
            "python",
            "-c",
            "import platform; from pathlib import Path; "
            "from benchmarks.results import DEFAULT_RESULTS_ROOT, default_run_dir; "
            "v = '.'.join(platform.python_version_tuple()[:2]); "
            "print(default_run_dir(DEFAULT_RESULTS_ROOT, v))",
            silent=True,
        )
        assert isinstance(run_dir, str)
        args += ["-o", run_dir.strip()]
    output = args[args.index("-o") + 1] if "-o" in args else None
    # A failed benchmark exits 1 but the results measured are kept and still reported.
    session.run("python", "-m", "benchmarks", "run", *args, success_codes=[0, 1])
    if output is not None:
        # Requested vs achieved sleeps per runtime, for reading timer_bound cells (plain JSON).
        session.run("python", "-m", "benchmarks.timer_accuracy", "-o", output)
        session.run("python", "-m", "analysis", "report", output)  # writes <output>/report/


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
    session.run("python", "-m", "benchmarks.sensitivity", *session.posargs)


@nox.session
def fidelity(session: nox.Session) -> None:
    """Compare the suite's per-item figure with a hand-written perf_counter loop."""
    session.install("-e", ".")
    session.run("python", "-m", "benchmarks.fidelity", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and format check."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def tests(session: nox.Session) -> None:
    """Lint, then the test suite (``-- ARGS`` go to pytest)."""
    session.install("-e", ".[test]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "-m", "pytest", *session.posargs)
