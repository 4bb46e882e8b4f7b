"""The GitHub Action's entry script: ``python -m benchmarks.running.action`` (``action.yml`` runs
it).

Its inputs are environment variables, ``INPUT_<NAME>`` with the input's name upper-cased and
``-`` written ``_`` (``INPUT_FAIL_ON``), so it runs the same outside Actions. Three modes:

- ``ab`` (default): ``python -m benchmarks ab`` of the two sides, then ``compare`` on them.
- ``measure``: the same A/B without the comparison, one shard of a large selection. Its sides
  land in ``RESULTS/baseline/SHARD`` and ``RESULTS/candidate/SHARD``, so that the shards of a
  job matrix merge into one ``RESULTS`` folder.
- ``compare``: ``python -m analysis compare RESULTS/baseline RESULTS/candidate`` once, over
  every merged shard (multiplicity is controlled once, over the whole comparison).

Relative paths (``library``, ``results``, ``pip=./lib``, ``python=./bin/python``) are taken
from ``$GITHUB_WORKSPACE`` when set, else from the current folder; the suite's commands run in
the suite's own folder, so that a ``benchmarks`` package of the library under test cannot shadow
the suite's.

When ``baseline`` or ``candidate`` is empty, that side is the library under test (the git
checkout ``library``) at ``base-ref`` or ``head-ref``, checked out into a worktree of its own
per commit and installed on top of the suite (``pip=<worktree>``).

It writes ``verdict``, ``regressions``, ``headline``, ``compare-json``, ``compare-md`` and
``results`` to ``$GITHUB_OUTPUT``, a header and the comparison to ``$GITHUB_STEP_SUMMARY``, and
annotations (``::error``) when ``GITHUB_ACTIONS`` is ``true``. Exit codes are compare's: 0 no
regression, 1 a regression (or a benchmark that failed on a side), 2 bad input (one line),
3 inconclusive with ``fail-on: inconclusive``; 130/143 when stopped.

``python -m benchmarks.running.action --cache-key`` writes the key of the environment cache instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measured import catalog
from benchmarks.platform.environments import SpecError, build_environment, parse_spec
from benchmarks.running import shard_plan
from benchmarks.running.interleave import SIDES
from benchmarks.storage import identity
from benchmarks.storage.results import MANIFEST_NAME

MODES: tuple[str, ...] = ("ab", "measure", "compare")
MEASURES: tuple[str, ...] = ("time", "instructions", "both")
FAIL_ON: tuple[str, ...] = ("regression", "inconclusive", "never")
#: ``ab`` options the action sets itself: ``ab-options`` may not give them.
RESERVED_OPTIONS: tuple[str, ...] = (
    "-o", "--output", "--baseline", "--candidate", "--cache", "--no-compare", "--measure",
    "--runtime", "--workload", "--compare-option",
)  # fmt: skip
EXIT_OK, EXIT_REGRESSION, EXIT_ERROR, EXIT_INCONCLUSIVE = 0, 1, 2, 3
#: The verdicts the ``verdict`` output takes.
VERDICTS: tuple[str, ...] = ("pass", "inconclusive", "regression", "failed", "error", "measured")
SHARD_NAME = re.compile(r"[A-Za-z0-9._-]+")


class InputError(ValueError):
    """An input the action cannot use; the message is one line naming the valid choices."""


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, checked."""

    mode: str
    baseline: str
    candidate: str
    library: Path
    base_ref: str
    head_ref: str
    runtimes: tuple[str, ...]
    workloads: tuple[str, ...]
    measure: str
    threshold: float | None
    fail_on: str
    results: Path
    shard: str
    ab_options: tuple[str, ...]
    cache: bool
    cache_dir: Path
    work: Path


def _value(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """``INPUT_FAIL_ON`` (or ``INPUT_FAIL-ON``, as the runner names a JavaScript action's)."""
    key = "INPUT_" + name.upper()
    raw = environ.get(key.replace("-", "_"), environ.get(key, ""))
    return raw.strip() or default


def _choice(environ: Mapping[str, str], name: str, choices: Sequence[str], default: str) -> str:
    value = _value(environ, name, default)
    if value not in choices:
        raise InputError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return value


def _words(text: str) -> tuple[str, ...]:
    """A selection written with spaces, commas or newlines between the names."""
    return tuple(word for word in re.split(r"[\s,]+", text) if word)


def _threshold(text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < 1:
        raise InputError(f"threshold: {text!r} is not a fraction in [0, 1), e.g. 0.01")
    return value


def _boolean(environ: Mapping[str, str], name: str, default: str) -> bool:
    value = _value(environ, name, default).lower()
    if value not in ("true", "false"):
        raise InputError(f"{name}: {value!r} is not one of true, false")
    return value == "true"


def default_work(environ: Mapping[str, str]) -> Path:
    """Scratch space: ``$RUNNER_TEMP/aiter-bench`` in Actions, else ``.aiter-bench`` here."""
    runner_temp = environ.get("RUNNER_TEMP", "").strip()
    return Path(runner_temp) / "aiter-bench" if runner_temp else workspace(environ) / ".aiter-bench"


def check_selection(runtimes: Sequence[str], workloads: Sequence[str]) -> None:
    try:
        shard_plan.check_runtimes(runtimes)
    except shard_plan.PlanError as exc:
        raise InputError(str(exc)) from None
    if workloads:
        try:
            catalog.select_workloads(list(workloads), default_run=True)
        except catalog.UnknownWorkload as exc:
            raise InputError(f"workloads: {exc}") from None


def check_ab_options(options: Sequence[str]) -> None:
    for option in options:
        if option.split("=", 1)[0] in RESERVED_OPTIONS:
            raise InputError(
                f"ab-options: {option.split('=', 1)[0]} is set by the action's own inputs "
                f"(reserved: {', '.join(RESERVED_OPTIONS)})"
            )
    from benchmarks import cli  # ab's own parser: a bad option is refused before any build

    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
            _, rest = cli.build_parser().parse_known_args(
                ["ab", "--baseline", ".", "--candidate", ".", *options]
            )
    except SystemExit:
        reason = said.getvalue().strip().removeprefix("error: ") or "not options of ab"
        raise InputError(f"ab-options: {reason}") from None
    if rest:
        raise InputError(f"ab-options: unrecognized arguments: {' '.join(rest)}")


def workspace(environ: Mapping[str, str]) -> Path:
    """Where relative paths start: ``$GITHUB_WORKSPACE``, else the current folder."""
    return Path(environ.get("GITHUB_WORKSPACE", "").strip() or os.getcwd()).resolve()


def absolute_spec(text: str, base: Path) -> str:
    """The SPEC with its relative ``pip=`` and ``python=`` paths made absolute from ``base``."""
    items = []
    for raw in text.split(","):
        key, sep, value = raw.strip().partition("=")
        is_path = value.startswith(".") or ("/" in value and "://" not in value)
        relative = is_path and not Path(value).is_absolute() and (base / value).exists()
        if sep and key in ("pip", "python") and relative:
            value = str((base / value).resolve())
        items.append(f"{key}{sep}{value}")
    return ",".join(items)


def read_inputs(environ: Mapping[str, str]) -> Inputs:
    """The inputs from ``INPUT_*`` variables; :class:`InputError` when one is bad."""
    mode = _choice(environ, "mode", MODES, "ab")
    base = workspace(environ)
    work = base / _value(environ, "work", str(default_work(environ)))
    runtimes = _words(_value(environ, "runtimes"))
    workloads = _words(_value(environ, "workloads"))
    check_selection(runtimes, workloads)
    try:
        ab_options = tuple(shlex.split(_value(environ, "ab-options")))
    except ValueError as exc:
        raise InputError(f"ab-options: {exc}") from None
    check_ab_options(ab_options)
    default_shard = re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(workloads)).strip("._-") or "all"
    shard = _value(environ, "shard", default_shard)
    if not SHARD_NAME.fullmatch(shard) or shard in (".", ".."):
        raise InputError(f"shard: {shard!r} is not a folder name (letters, digits, . _ -)")
    return Inputs(
        mode=mode,
        baseline=absolute_spec(_value(environ, "baseline"), base),
        candidate=absolute_spec(_value(environ, "candidate"), base),
        library=(base / _value(environ, "library", ".")).resolve(),
        base_ref=_value(environ, "base-ref"),
        head_ref=_value(environ, "head-ref", "HEAD"),
        runtimes=runtimes,
        workloads=workloads,
        measure=_choice(environ, "measure", MEASURES, "instructions"),
        threshold=_threshold(_value(environ, "threshold")),
        fail_on=_choice(environ, "fail-on", FAIL_ON, "regression"),
        results=(base / _value(environ, "results", str(work / "results"))).resolve(),
        shard=shard,
        ab_options=ab_options,
        cache=_boolean(environ, "cache", "true"),
        cache_dir=(base / _value(environ, "cache-dir", str(work / "ab-cache"))).resolve(),
        work=work.resolve(),
    )


# --- the sides -------------------------------------------------------------------------------


def _git(repository: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True)


def resolve_library_commit(library: Path, ref: str) -> str:
    """The commit ``ref`` names in the library's checkout, fetched from ``origin`` if absent."""
    if _git(library, "rev-parse", "--show-toplevel").returncode != 0:
        raise InputError(
            f"library: {library} is not a git checkout; check the library out (actions/checkout, "
            "fetch-depth: 0) or give baseline and candidate SPECs"
        )
    for attempt in range(2):
        found = _git(library, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
        if attempt == 0:
            _git(library, "fetch", "--no-tags", "--quiet", "origin", ref)
    raise InputError(f"{ref!r} is not a commit of the library at {library} (nor of its origin)")


def library_worktree(library: Path, ref: str, worktrees: Path) -> Path:
    """The library at ``ref`` in a worktree of its own, named by its commit (reused)."""
    commit = resolve_library_commit(library, ref)
    target = worktrees / f"{library.name}-{commit[:12]}"
    if target.exists():
        head = _git(target, "rev-parse", "HEAD")
        if head.returncode == 0 and head.stdout.strip() == commit:
            return target
        raise InputError(f"{target} exists and is not the library at {commit[:12]}; remove it")
    make_folder(worktrees, "work")
    added = _git(library, "worktree", "add", "--detach", "--quiet", str(target), commit)
    if added.returncode != 0:
        detail = (added.stderr.strip().splitlines() or ["git worktree add failed"])[-1]
        raise InputError(f"cannot check out {commit[:12]} of {library}: {detail}")
    if (target / ".gitmodules").exists():
        _git(target, "submodule", "update", "--init", "--recursive", "--quiet")
    return target


def side_specs(inputs: Inputs) -> tuple[str, str]:
    """The two SPECs: as given, or the library under test at ``base-ref`` and ``head-ref``."""
    worktrees = inputs.work / "library"
    baseline, candidate = inputs.baseline, inputs.candidate
    if not baseline:
        if not inputs.base_ref:
            raise InputError(
                "baseline is empty and so is base-ref (not a pull request?): give a baseline "
                "SPEC, or base-ref, the library's commit to compare with"
            )
        baseline = f"pip={library_worktree(inputs.library, inputs.base_ref, worktrees)}"
    if not candidate:
        candidate = f"pip={library_worktree(inputs.library, inputs.head_ref, worktrees)}"
    for text in (baseline, candidate):
        try:
            parse_spec(text)
        except SpecError as exc:
            raise InputError(str(exc)) from None
    return baseline, candidate


def prepare_environments(specs: Sequence[str], cache: Path, prune: bool) -> None:
    """Build (or reuse) both sides' environments in ``cache``; with ``prune``, remove every
    cached environment and source this run does not use, so the saved cache stays small."""
    used: set[Path] = set()
    for text in specs:
        try:
            environment = build_environment(parse_spec(text), identity.SUITE_SOURCE, cache)
        except SpecError as exc:
            raise InputError(str(exc)) from None
        used.add(environment.python.parent.parent.resolve())
        used.add(environment.source.resolve())
    if prune:
        prune_cache(cache, used)


def prune_cache(cache: Path, used: set[Path]) -> list[str]:
    """Remove the cached environments and sources (``venv-*``, ``src-*``) not in ``used``."""
    removed = []
    for entry in sorted(cache.resolve().iterdir()):
        if entry.is_dir() and entry.name.startswith(("venv-", "src-")) and entry not in used:
            print(f"cache: removing {entry.name}, which this run does not use", flush=True)
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def instructions_available() -> str | None:
    """Why instructions cannot be counted here, or None."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "ab", "--help"],
        capture_output=True,
        text=True,
        cwd=identity.SUITE_SOURCE,
    )
    if "--measure" not in completed.stdout:
        return "this version of the suite's ab has no --measure option; use measure: time"
    if shutil.which("valgrind") is None:
        return "valgrind is not on PATH (apt-get install valgrind), or use measure: time"
    return None


# --- reporting -------------------------------------------------------------------------------


#: The runner's files this step appends to: checked before anything else is done.
GITHUB_FILES: tuple[str, ...] = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")


def check_github_files(environ: Mapping[str, str]) -> None:
    """``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY``, when set, name files this step can append
    to; else :class:`InputError` (one line), before anything is built or measured."""
    for name in GITHUB_FILES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        path = Path(value)
        if path.is_dir():
            raise InputError(f"{name}: {path} is a folder, not a file; name a file or unset it")
        try:
            with open(path, "a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise InputError(
                f"{name}: cannot write to {path} ({exc.strerror or exc}); name a writable file "
                "or unset it"
            ) from None


def make_folder(path: Path, what: str) -> None:
    """Create ``path`` (and its parents), or :class:`InputError` naming the input ``what``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{what}: cannot create {path} ({exc.strerror or exc})") from None


def write_outputs(environ: Mapping[str, str], outputs: Mapping[str, str]) -> None:
    """``name=value`` lines in ``$GITHUB_OUTPUT`` (when set) and on standard output."""
    for name, value in outputs.items():
        print(f"output {name}: {value}")
    path = environ.get("GITHUB_OUTPUT", "").strip()
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            for name, value in outputs.items():
                stream.write(f"{name}={' '.join(value.splitlines())}\n")


def append_summary(environ: Mapping[str, str], markdown: str) -> None:
    path = environ.get("GITHUB_STEP_SUMMARY", "").strip()
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(markdown)


def annotate(environ: Mapping[str, str], level: str, title: str, message: str) -> None:
    if environ.get("GITHUB_ACTIONS") == "true":
        from analysis.rendering.github import annotation

        print(annotation(level, title, message), flush=True)


def header(inputs: Inputs, specs: Sequence[str]) -> str:
    from analysis.rendering.markup import literal

    selection = [
        f"measure: {inputs.measure}",
        f"runtimes: {', '.join(inputs.runtimes) or 'the default ones'}",
        f"workloads: {', '.join(inputs.workloads) or 'the default run'}",
    ]
    lines = [
        f"## async-iteration-bench: {literal(inputs.mode)}"
        + (f" ({literal(str(inputs.shard))})" * (inputs.mode != "ab")),
        "",
        "| side | SPEC |",
        "| --- | --- |",
        *(f"| {name} | {literal(spec)} |" for name, spec in zip(SIDES, specs, strict=True)),
        "",
        literal(" · ".join(selection)),
        "",
    ]
    return "\n".join(lines) + "\n"


def failed_cells(folder: Path) -> list[dict[str, str]]:
    """Benchmarks that failed on a side, from every manifest under ``folder``."""
    failed: list[dict[str, str]] = []
    for manifest in sorted(folder.rglob(MANIFEST_NAME)) if folder.is_dir() else []:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        side = data.get("ab", {}).get("side", manifest.parent.name)
        failed.extend(
            {"side": str(side), "benchmark": str(na.get("benchmark")), **na}
            for na in data.get("na", [])
            if na.get("kind") == "failed"
        )
    return failed


def report_failures(environ: Mapping[str, str], failed: Sequence[Mapping[str, str]]) -> None:
    if not failed:
        return
    from analysis.rendering.markup import literal

    lines = [f"**{len(failed)} benchmark(s) failed on a side** (not compared):", ""]
    for cell in failed:
        title = f"failed: {cell['benchmark']} on {cell.get('runtime')} ({cell['side']})"
        annotate(environ, "error", title, str(cell.get("reason")))
        lines.append(f"- {literal(title)}: {literal(str(cell.get('reason')))}")
    append_summary(environ, "\n".join(lines) + "\n\n")


def comparison_outputs(results: Path) -> dict[str, str]:
    """``verdict``, ``regressions`` and ``headline`` from ``compare.json``."""
    from analysis.statistics.verdict import INCONCLUSIVE, REGRESSION

    path = results / "compare.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"verdict": "error", "regressions": "0", "headline": f"no comparison in {path}"}
    counts = data.get("counts", {})
    regressions = int(counts.get(REGRESSION, 0))
    verdict = (
        "regression" if regressions else "inconclusive" if counts.get(INCONCLUSIVE) else "pass"
    )
    return {
        "verdict": verdict,
        "regressions": str(regressions),
        "headline": str(data.get("headline", "")),
    }


# --- the modes -------------------------------------------------------------------------------


def compare_options(inputs: Inputs) -> list[str]:
    options = [f"--fail-on={inputs.fail_on}"]
    if inputs.threshold is not None:
        options.append(f"--threshold={inputs.threshold!r}")
    return options


def ab_command(inputs: Inputs, specs: Sequence[str], output: Path) -> list[str]:
    command = [
        sys.executable, "-m", "benchmarks", "ab",
        "--baseline", specs[0], "--candidate", specs[1],
        "--cache", str(inputs.cache_dir), "-o", str(output),
    ]  # fmt: skip
    if inputs.runtimes:
        command += ["--runtime", *inputs.runtimes]
    if inputs.workloads:
        command += ["--workload", *inputs.workloads]
    if inputs.measure != "time":
        command += ["--measure", inputs.measure]
    if inputs.mode == "measure":
        command.append("--no-compare")
    else:
        command += [f"--compare-option={option}" for option in compare_options(inputs)]
    return [*command, *inputs.ab_options]


def check_new_folder(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputError(f"results: {path} already holds results; name a new folder")


def measure_sides(inputs: Inputs, environ: Mapping[str, str]) -> tuple[int, dict[str, str]]:
    """Modes ``ab`` and ``measure``: the A/B run (and, for ``ab``, its comparison)."""
    if inputs.mode == "ab":
        check_new_folder(inputs.results)
        output = inputs.results
    else:
        for side in SIDES:
            check_new_folder(inputs.results / side / inputs.shard)
        output = inputs.results / f".{inputs.shard}.partial"
        check_new_folder(output)
    if inputs.measure != "time":
        reason = instructions_available()
        if reason is not None:
            raise InputError(f"measure: {inputs.measure}: {reason}")
    specs = side_specs(inputs)
    append_summary(environ, header(inputs, specs))
    make_folder(inputs.cache_dir, "cache-dir")
    prepare_environments(specs, inputs.cache_dir, prune=inputs.cache)
    command = ab_command(inputs, specs, output)
    print("running: " + shlex.join(command), flush=True)
    code = subprocess.run(command, cwd=identity.SUITE_SOURCE).returncode
    failed = failed_cells(output)
    report_failures(environ, failed)
    outputs = {"results": str(inputs.results)}
    if inputs.mode == "ab":
        outputs |= comparison_outputs(output)
        outputs |= {
            "compare-json": str(output / "compare.json"),
            "compare-md": str(output / "compare.md"),
        }
    else:
        for side in SIDES:
            if (output / side).is_dir():
                (inputs.results / side).mkdir(parents=True, exist_ok=True)
                (output / side).rename(inputs.results / side / inputs.shard)
        if output.is_dir() and not any(output.iterdir()):
            output.rmdir()
        outputs |= {"verdict": "measured", "regressions": "0", "headline": "measured, not compared"}
    return settle(code, failed, outputs)


def settle(
    code: int, failed: Sequence[Mapping[str, str]], outputs: dict[str, str]
) -> tuple[int, dict[str, str]]:
    """The exit code and verdict: a benchmark that failed on a side fails the step (1), and an
    exit code that is not compare's (a stop, 130/143) is an ``error``."""
    if failed and code in (EXIT_OK, EXIT_REGRESSION):
        return EXIT_REGRESSION, outputs | {"verdict": "failed"}
    if code not in (EXIT_OK, EXIT_REGRESSION, EXIT_INCONCLUSIVE):
        return code, outputs | {"verdict": "error"}
    return code, outputs


def compare_shards(inputs: Inputs, environ: Mapping[str, str]) -> tuple[int, dict[str, str]]:
    """Mode ``compare``: one comparison over every shard merged into ``results``."""
    for side in SIDES:
        if not (inputs.results / side).is_dir():
            raise InputError(
                f"results: {inputs.results / side} is missing; download every shard's artifact "
                "into the results folder first"
            )
    outputs = {
        "results": str(inputs.results),
        "compare-json": str(inputs.results / "compare.json"),
        "compare-md": str(inputs.results / "compare.md"),
    }
    for name in ("compare.json", "compare.md"):
        if (inputs.results / name).exists():
            raise InputError(f"results: {inputs.results / name} exists; compare once per folder")
    command = [
        sys.executable, "-m", "analysis", "compare",
        str(inputs.results / SIDES[0]), str(inputs.results / SIDES[1]),
        "--markdown", outputs["compare-md"], "--json", outputs["compare-json"],
        *compare_options(inputs),
    ]  # fmt: skip
    print("running: " + shlex.join(command), flush=True)
    code = subprocess.run(command, cwd=identity.SUITE_SOURCE).returncode
    failed = failed_cells(inputs.results)
    report_failures(environ, failed)
    outputs |= comparison_outputs(inputs.results)
    return settle(code, failed, outputs)


def cache_key(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment cache's key: this suite, this interpreter, and the baseline's identity
    (a new base commit saves a new entry; the pushes of one pull request share it)."""
    pyproject = (identity.SUITE_SOURCE / "pyproject.toml").read_bytes()
    prefix = "-".join(
        [
            "aiter-bench-envs",
            platform.system(),
            platform.machine(),
            platform.python_version(),
            hashlib.sha256(pyproject + sys.executable.encode()).hexdigest()[:12],
        ]
    )
    side = "\n".join([_value(environ, "baseline"), _value(environ, "base-ref")])
    return {"key": f"{prefix}-{hashlib.sha256(side.encode()).hexdigest()[:12]}", "prefix": prefix}


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    args = list(sys.argv[1:] if argv is None else argv)
    if args not in ([], ["--cache-key"]):
        print(f"error: unknown arguments {' '.join(args)}; valid: --cache-key", file=sys.stderr)
        return EXIT_ERROR
    try:
        check_github_files(environ)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args == ["--cache-key"]:
        write_outputs(environ, cache_key(environ))
        return EXIT_OK
    try:
        inputs = read_inputs(environ)
        if inputs.mode == "compare":
            code, outputs = compare_shards(inputs, environ)
        else:
            code, outputs = measure_sides(inputs, environ)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        annotate(environ, "error", "async-iteration-bench: bad input", str(exc))
        write_outputs(environ, {"verdict": "error", "regressions": "0", "headline": str(exc)})
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    write_outputs(environ, outputs)
    return code


if __name__ == "__main__":
    sys.exit(main())
