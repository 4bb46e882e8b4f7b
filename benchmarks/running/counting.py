"""The instructions measure: CPU instructions per item, counted by callgrind in the timed region.

Wall time is what users feel; on a shared machine it drifts by tens of percent within minutes.
Instruction counts do not depend on the machine's load, so they are the deterministic witness
for gates, history and comparisons across time (CodSpeed's approach, done here in the open and
per runtime).

How a count is made:

- One **instrumented process** per arm (interpreter x runtime) imports once, then runs every
  selected benchmark in a forked child of its own (:mod:`benchmarks.running.counted_worker`), under
  ``valgrind --tool=callgrind --dump-before=getppid --dump-before=getpgrp``: each benchmark starts
  from the same heap whatever ran before it. The harness calls ``os.getppid()`` right before
  the loop and ``os.getpgrp()`` right after it (:class:`benchmarks.running.harness.Markers`), so
  callgrind writes one dump at the start and one at the end of every region: start-up, imports,
  fixtures and the runtime's start fall into the dumps between regions, never into a count.
- Both markers *dump* (neither only zeroes the counters), so a stray call of either function
  anywhere else (libuv has ``uv_os_getppid``) shows as a dump out of turn. :func:`region_counts`
  checks that the dumps alternate start, end, start, end ... and that their number is exactly
  twice the counted regions each child reports (none in the worker itself); otherwise the
  process's counts are refused.
- Values are instructions per item (the region's total over ``loops x inner_loops``), with fixed
  loops recorded. The first regions of each benchmark are warm-ups: the same region without
  the markers, not counted (``uncounted_warmups`` in the metadata).
- Where :mod:`benchmarks.running.client_requests` works (x86-64 Linux), processes start with
  ``--instr-atstart=no`` and each child turns instrumentation on before its first counted region:
  start-up, imports and warm-ups run uninstrumented, about four times faster, and counts are the
  same (``instrumentation`` in the metadata says which).
- Several processes per arm (default 3) show determinism: their spread is measured and
  reported, not assumed to be zero. They run in parallel, one per core, because counts do not
  depend on the load.
- What makes counts wander is fixed: ``PYTHONHASHSEED=0``, address-space randomisation off
  (``setarch -R``) where the system allows it, a garbage collection before every region, and
  Valgrind serialises threads. The Valgrind version, the interpreter build and the CPU
  architecture are recorded: counts compare only for the same interpreter binary and Valgrind.

Results are pyperf JSON with pyperf's ``integer`` unit (``DIR/<runtime>.instructions.json``),
``suite_measure: instructions`` in their metadata.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyperf

from benchmarks.measured import catalog
from benchmarks.running import client_requests
from benchmarks.storage import interrupt

#: The measures a run can make.
MEASURES: tuple[str, ...] = ("time", "instructions", "both")
#: The instructions measure's name (metadata ``suite_measure``, file suffix).
INSTRUCTIONS = "instructions"
TIME = "time"
#: Default instrumented processes per arm, regions dropped as warm-up, and counted regions.
PROCESSES = 3
WARMUPS = 1
VALUES = 1
#: Default loops of one region (fixed: nothing is calibrated under Valgrind).
LOOPS = 1
#: Default layouts per benchmark and process (``--count-layouts``): the process forks this many
#: layout processes, each in another layout before its imports
#: (:func:`benchmarks.running.counted_worker.shift_layout`), and the analysis takes the minimum
#: of a process's layouts, so a collision in CPython's type attribute cache is left out unless it
#: falls in every layout (:func:`analysis.statistics.evidence.process_summaries`). One for ``run``:
#: every layout costs its imports and regions again under Valgrind.
LAYOUTS = 1
#: Layouts of the A/B gate's counts (``ab`` and ``calibrate``): three, so that a collision
#: (the measured false alarm of one A/A' pair in ten with one layout) must fall in all three.
#: ``run`` keeps :data:`LAYOUTS` for its time budget (docs/instructions.md, "Layouts").
GATE_LAYOUTS = 3
#: The hash seed of every instrumented process.
HASH_SEED = "0"
#: Callgrind's trigger descriptions for the two markers.
START_TRIGGER = "--dump-before=getppid"
END_TRIGGER = "--dump-before=getpgrp"
#: The callgrind options of every instrumented process (besides its output file).
CALLGRIND_OPTIONS: tuple[str, ...] = (
    "--tool=callgrind",
    f"--dump-before={START_TRIGGER.split('=')[1]}",
    f"--dump-before={END_TRIGGER.split('=')[1]}",
    "--dump-line=no",
    "--compress-strings=yes",
    "--compress-pos=yes",
)


#: pyperf metadata that describes the native ``--describe`` process, not the counted one.
DESCRIBE_ONLY_METADATA: frozenset[str] = frozenset(
    {"mem_max_rss", "load_avg_1min", "runnable_threads", "duration", "uptime"}
)


class CountingError(Exception):
    """An instrumented process's counts cannot be trusted; the message is one line."""


def measures_of(measure: str) -> tuple[str, ...]:
    """The measures behind ``--measure``: ``both`` is time and instructions."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; valid measures: {', '.join(MEASURES)}")
    return (TIME, INSTRUCTIONS) if measure == "both" else (measure,)


@cache
def valgrind_version() -> str | None:
    """``valgrind --version`` (e.g. ``valgrind-3.19.0``), or None when Valgrind is missing."""
    executable = shutil.which("valgrind")
    if executable is None:
        return None
    try:
        completed = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return completed.stdout.strip() or None


def unavailable_reason() -> str | None:
    """Why instructions cannot be counted here, or None."""
    if sys.platform != "linux":
        return f"instructions are counted with Valgrind on Linux only (this is {sys.platform})"
    if valgrind_version() is None:
        return "valgrind is not installed (apt-get install valgrind)"
    return None


@cache
def aslr_prefix() -> tuple[str, ...]:
    """``setarch -R`` (address-space randomisation off) when this system allows it, else ()."""
    setarch = shutil.which("setarch")
    if setarch is None:
        return ()
    try:
        completed = subprocess.run([setarch, "-R", "true"], capture_output=True, check=False)
    except OSError:
        return ()
    return (setarch, "-R") if completed.returncode == 0 else ()


@dataclass(frozen=True)
class CountSettings:
    """How many instrumented processes per arm, and the regions each runs per benchmark."""

    processes: int = PROCESSES
    warmups: int = WARMUPS
    values: int = VALUES
    loops: int = LOOPS
    layouts: int = LAYOUTS
    #: Instrumented processes run at once (counts do not depend on the load).
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)

    def check(self) -> None:
        if (self.processes < 1 or self.values < 1 or self.warmups < 0 or self.loops < 1
                or self.layouts < 1):  # fmt: skip
            raise ValueError(
                "instructions need at least 1 process, 1 value, 0 warm-ups, 1 loop and 1 layout "
                f"(given {self.processes}, {self.values}, {self.warmups}, {self.loops}, "
                f"{self.layouts})"
            )


@dataclass(frozen=True)
class CountArm:
    """One interpreter x runtime to count, with the benchmarks it runs."""

    label: str
    python: str
    runtime: str
    specs: Sequence[catalog.BenchmarkSpec]
    fixture_dirs: Mapping[str, Path | None]
    run_id: str
    suite_mode: str
    identity: Mapping[str, str]
    cwd: Path | None = None
    environ: Mapping[str, str] | None = None


#: Callgrind's output files in an instrumented process's folder: one set per process (the
#: worker and each benchmark's forked child), ``callgrind.<pid>``, ``callgrind.<pid>.1``, ...
DUMPS_PATTERN = "callgrind.%p"


def dumps_of(folder: Path, pid: int) -> Path:
    """The base name of process ``pid``'s callgrind files in ``folder``."""
    return folder / DUMPS_PATTERN.replace("%p", str(pid))


def late_instrumentation() -> bool:
    """Whether instrumented processes start uninstrumented and turn instrumentation on at their
    first counted region (:mod:`benchmarks.running.client_requests` works on this machine)."""
    return client_requests.available()


def instrumented_command(python: str, folder: Path) -> list[str]:
    """The command of one instrumented process, whose dumps go to ``folder``. Its plan comes on
    standard input and its report goes to standard output, so its command line is the same in
    every run: a path that differs between runs (a scratch folder's random name) would change
    what the interpreter hashes and allocates before the regions, and with it the addresses its
    regions see."""
    return [
        *aslr_prefix(),
        "valgrind",
        *CALLGRIND_OPTIONS,
        *(["--instr-atstart=no"] if late_instrumentation() else []),
        f"--callgrind-out-file={folder / DUMPS_PATTERN}",
        *worker_command(python),
    ]  # fmt: skip


#: The first statements of every process of a count (``python -c``), before anything is
#: imported: drop the suite's folder (the working directory) from ``sys.path`` and load the
#: ``benchmarks`` package from it by its file. On ``sys.path`` the folder would be listed by
#: importlib (a set of its entries' names, kept for the process's life), and its listing is not
#: the suite's code: a ``.pytest_cache`` left by the tests moved every anyio checkpoint count on
#: asyncio by 3.3% (919 instructions per item; results/launch-listing-2026-12-03/). Only the
#: package's own folders are listed now, which hold its sources and their bytecode.
LAUNCH_PRELUDE = (
    "import os, sys; "
    "root = os.getcwd(); "
    "sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != os.path.realpath(root)]; "
    "from importlib.util import module_from_spec, spec_from_file_location; "
    "package = os.path.join(root, 'benchmarks'); "
    "spec = spec_from_file_location('benchmarks', os.path.join(package, '__init__.py'), "
    "submodule_search_locations=[package]); "
    "module = module_from_spec(spec); "
    "sys.modules['benchmarks'] = module; "
    "spec._initializing = True; "
    "spec.loader.exec_module(module); "
    "spec._initializing = False; "
    "del os, root, package, spec, module, module_from_spec, spec_from_file_location; "
)
#: What :data:`LAUNCH_PRELUDE` is followed by to run a module as ``-m`` would (its name is the
#: first argument).
LAUNCH_MODULE = (
    "import runpy; runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)"
)


def worker_command(python: str, module: str = "benchmarks.running.counted_worker") -> list[str]:
    """``python -m module`` for a process of a count, launched by :data:`LAUNCH_PRELUDE` (its
    working directory is the suite's folder: :data:`SUITE_SOURCE` or the arm's ``cwd``)."""
    return [python, "-c", LAUNCH_PRELUDE + LAUNCH_MODULE, module]


#: Where an instrumented process runs when its arm names no folder: the suite's own source
#: (the folder holding the ``benchmarks`` package), the same in every run.
SUITE_SOURCE = Path(__file__).resolve().parents[2]


def plan_document(
    arm: CountArm, settings: CountSettings, *, describe: bool = False
) -> dict[str, Any]:
    """What the instrumented process runs, as JSON for :mod:`benchmarks.running.counted_worker`.

    The counting plan holds only what the regions depend on: anything that differs between
    runs of the same code (the run id, the commit) would change the process's allocations before
    its regions, move the addresses of its objects and, through id-based hashing, its counts.
    Those go only into the plan of the native ``--describe`` step.
    """
    plan: dict[str, Any] = {
        "runtime": arm.runtime,
        "start_instrumentation": late_instrumentation(),
        "warmups": settings.warmups,
        "values": settings.values,
        "layouts": settings.layouts,
        "benchmarks": [
            {
                "workload": spec.workload.name,
                "params": [f"{name}={value}" for name, value in spec.params.items()],
                "fixture_dir": None
                if arm.fixture_dirs.get(spec.name) is None
                else str(arm.fixture_dirs[spec.name]),
                "loops": settings.loops,
            }
            for spec in arm.specs
        ],
    }
    if describe:
        plan.update(run_id=arm.run_id, suite_mode=arm.suite_mode, identity=dict(arm.identity))
    return plan


_PART = re.compile(r"\.(\d+)$")


def dump_files(dumps: Path) -> list[Path]:
    """Callgrind's dump files for ``--callgrind-out-file=dumps`` in order: ``dumps.1``,
    ``dumps.2``, ... then ``dumps`` itself (written at program termination)."""
    numbered = []
    for path in dumps.parent.glob(dumps.name + ".*"):
        match = _PART.search(path.name[len(dumps.name) :])
        if match and path.name == f"{dumps.name}.{match.group(1)}":
            numbered.append((int(match.group(1)), path))
    ordered = [path for _, path in sorted(numbered)]
    if dumps.exists():
        ordered.append(dumps)
    return ordered


def read_dump(path: Path) -> tuple[str, int]:
    """(trigger, instructions) of one callgrind dump file."""
    trigger, total = "", None
    with path.open(encoding="utf-8", errors="replace") as stream:
        for line in stream:
            if line.startswith("desc: Trigger:"):
                trigger = line.split(":", 2)[2].strip()
            elif line.startswith("summary:"):
                total = int(line.split()[1])
                break
    if total is None:
        raise CountingError(f"{path.name} has no summary line (a truncated callgrind dump?)")
    return trigger, total


def region_counts(dumps: Sequence[tuple[str, int]], regions: int) -> list[int]:
    """The instruction count of each region, from the dumps in order; refuses any sequence but
    start, end, start, end, ... (then the termination dump) with one dump pair per region."""
    expected = 2 * regions + 1
    if len(dumps) != expected:
        raise CountingError(
            f"callgrind made {len(dumps)} dumps for {regions} regions (expected {expected}): "
            "a marker function (getppid, getpgrp) was called outside the harness"
        )
    counts = []
    for index, (trigger, total) in enumerate(dumps[:-1]):
        wanted = START_TRIGGER if index % 2 == 0 else END_TRIGGER
        if trigger != wanted:
            raise CountingError(
                f"dump {index + 1} was triggered by {trigger or 'nothing'} where {wanted} "
                "was due: a marker function was called outside the harness"
            )
        if index % 2 == 1:
            counts.append(total)
    return counts


def process_counts(folder: Path, pid: int, regions: int) -> list[int]:
    """The region counts of process ``pid`` (the worker or one of its children), checked."""
    return region_counts([read_dump(path) for path in dump_files(dumps_of(folder, pid))], regions)


def report_counts(report: Mapping[str, Any], folder: Path) -> list[int]:
    """Every region's count, in the report's order: each benchmark's from its child's dumps
    (one pair per region it reports), none from the worker's own or its layout processes' (a
    marker called there is refused). A child that died before reporting has no regions, and its
    dumps are not read."""
    for pid in [report["pid"], *report.get("layout_pids", [])]:
        process_counts(folder, int(pid), 0)
    counts: list[int] = []
    for entry in report["benchmarks"]:
        if not entry.get("died"):
            counts += process_counts(folder, int(entry["pid"]), len(counted_regions(entry)))
    return counts


def counted_regions(entry: Mapping[str, Any]) -> list[str]:
    """The kinds of a benchmark's regions that have dumps: all but the warm-ups."""
    return [kind for kind in entry["regions"] if kind != "warmup"]


@dataclass
class ProcessResult:
    """One instrumented process: its report and its region counts, or why it failed."""

    report: dict[str, Any] | None = None
    counts: list[int] = field(default_factory=list)
    error: str | None = None


def worker_failure(completed: subprocess.CompletedProcess[str]) -> str:
    """The telling line of a failed worker's error output (Valgrind's own lines left out)."""
    lines = [
        line.strip()
        for line in completed.stderr.splitlines()
        if line.strip() and not line.startswith("==")
    ]
    return lines[-1] if lines else f"exit code {completed.returncode}"


#: Environment variables an instrumented process keeps (as pyperf keeps few for its workers):
#: the environment sits on the process's stack, and its size must not move a count.
KEPT_ENVIRON: tuple[str, ...] = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE")
#: Prefix of the suite's own variables (injected work, the machine's name), always kept.
SUITE_ENVIRON_PREFIX = "AITER_BENCH_"


def worker_environ(arm: CountArm) -> dict[str, str]:
    """The instrumented process's environment: a few kept variables and a fixed hash seed."""
    source = os.environ if arm.environ is None else arm.environ
    environ = {
        key: value
        for key, value in source.items()
        if key in KEPT_ENVIRON or key.startswith(SUITE_ENVIRON_PREFIX)
    }
    environ["PYTHONHASHSEED"] = HASH_SEED
    return environ


def compile_sources(arms: Sequence[CountArm], settings: CountSettings) -> None:
    """Run every arm's plan once natively, warm-up regions only, before any instrumented process
    starts (``settings.jobs`` at a time), so that every module an instrumented process imports,
    at start-up or lazily inside a region, has its bytecode written already. A process that
    compiles a module itself (a fresh checkout, an A/B side's new copy of the suite, a virtualenv
    that uv installed without bytecode) allocates differently before its regions than one that
    loads it: on this machine the processes of one cell then differed by up to 1%, when the
    first processes compiled what the later ones loaded. (The describe step, in the same pool as
    the instrumented processes, used to compile the suite, too late for the first of them.)
    Failures are left to the instrumented processes, which report them."""
    first = {(arm.python, arm.cwd, arm.runtime): arm for arm in arms}

    def dry_run(arm: CountArm) -> None:
        plan = {**plan_document(arm, settings), "values": 0, "start_instrumentation": False}
        interrupt.run_child(
            worker_command(arm.python),
            capture_stdout=True,
            cwd=arm.cwd or SUITE_SOURCE,
            env=worker_environ(arm),
            stdin=json.dumps(plan),
        )

    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        list(pool.map(dry_run, first.values()))


def describe_arm(arm: CountArm, settings: CountSettings, scratch: Path) -> dict[str, Any] | str:
    """The arm's benchmark metadata, gathered natively (``counted_worker --describe``)."""
    folder = scratch / f"{arm.label}-describe"
    folder.mkdir(parents=True)
    plan, report = folder / "plan.json", folder / "metadata.json"
    try:
        plan.write_text(json.dumps(plan_document(arm, settings, describe=True)), encoding="utf-8")
        command = [*worker_command(arm.python), "--describe"]
        command += ["--plan", str(plan), "--output", str(report)]
        completed = interrupt.run_child(
            command, capture_stdout=True, cwd=arm.cwd or SUITE_SOURCE, env=worker_environ(arm)
        )
        if completed.returncode != 0 or not report.exists():
            return f"describing the benchmarks failed: {worker_failure(completed)}"
        return dict(json.loads(report.read_text(encoding="utf-8")))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_process(arm: CountArm, settings: CountSettings, index: int, scratch: Path) -> ProcessResult:
    """Run one instrumented process of ``arm`` and read its dumps."""
    folder = scratch / f"{arm.label}-{index}"
    folder.mkdir(parents=True)
    try:
        command = instrumented_command(arm.python, folder)
        completed = interrupt.run_child(
            command,
            capture_stdout=True,
            cwd=arm.cwd or SUITE_SOURCE,
            env=worker_environ(arm),
            stdin=json.dumps(plan_document(arm, settings)),
        )
        if completed.returncode != 0:
            return ProcessResult(error=f"instrumented process failed: {worker_failure(completed)}")
        try:
            report = json.loads(completed.stdout)
        except ValueError:
            return ProcessResult(error="instrumented process wrote no report")
        try:
            counts = report_counts(report, folder)
        except CountingError as exc:
            return ProcessResult(error=str(exc))
        return ProcessResult(report=report, counts=counts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@cache
def cpu_features(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """A short fingerprint of the host CPU's feature flags (``unknown`` where unreadable).

    Valgrind passes most of the host's CPUID through, and glibc and the interpreter choose
    their string and memory functions by it (``ifunc``): two hosts whose CPUs report one model
    name can run other code for the same Python line. Recorded so that a count that moves
    without a change of code can be checked against it."""
    import hashlib

    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags = " ".join(sorted(value.split()))
            return hashlib.sha256(flags.encode()).hexdigest()[:12]
    return "unknown"


def count_paths(arm: CountArm) -> dict[str, str]:
    """The paths an instrumented process holds before its regions besides its interpreter's:
    the suite folder it runs in (``count_suite_folder``) and the folder of its fixtures
    (``count_fixture_root``, when it has any). Their lengths move counts as the interpreter's
    path does (a fixture root 96 characters longer moved CPU-bound cells without fixtures by up
    to 0.45%: results/fixture-root-2026-12-03/), so ``compare`` floors the thresholds of two
    sides whose fixture roots differ in length (:data:`analysis.views.regression.COUNT_PATH_COLUMNS`
    says why not for the suite folder)."""
    paths = {"count_suite_folder": str(Path(arm.cwd or SUITE_SOURCE).resolve())}
    roots = sorted({str(Path(folder).parent) for folder in arm.fixture_dirs.values() if folder})
    if roots:
        paths["count_fixture_root"] = roots[0] if len(roots) == 1 else ", ".join(roots)
    return paths


def counting_metadata(arm: CountArm) -> dict[str, str | int]:
    """What a count depends on, recorded in every instruction benchmark."""
    from benchmarks.running.counted_worker import HISTORY_ENV

    history = worker_environ(arm).get(HISTORY_ENV)
    return {
        **({"count_history_imports": history} if history else {}),
        **count_paths(arm),
        "suite_measure": INSTRUCTIONS,
        "valgrind": valgrind_version() or "unknown",
        "python_hash_seed": int(HASH_SEED),
        "aslr": "off" if aslr_prefix() else "on",
        "cpu_arch": platform.machine() or "unknown",
        "cpu_features": cpu_features(),
        "instrumentation": "from the first counted region"
        if late_instrumentation()
        else "from the start",
    }


def benchmarks_of(
    arm: CountArm, description: dict[str, Any] | str, processes: Sequence[ProcessResult]
) -> dict[str, pyperf.Benchmark | str]:
    """Per benchmark name: the pyperf benchmark of every process's counts, or why not."""
    runs: dict[str, list[pyperf.Run]] = {spec.name: [] for spec in arm.specs}
    if isinstance(description, str):
        return dict.fromkeys(runs, description)
    errors: dict[str, str] = {}
    for process in processes:
        if process.report is None:
            for name in runs:
                errors.setdefault(name, process.error or "instrumented process failed")
            continue
        counts = iter(process.counts)
        # One entry per benchmark and layout, a benchmark's layouts one after another: the
        # process's run holds the values of all its layouts, in layout order.
        values: dict[str, list[float]] = {}
        layouts: dict[str, int] = {}
        for entry in process.report["benchmarks"]:
            name = entry["name"]
            per_item = entry["loops"] * entry["inner_loops"]
            regions = [(kind, next(counts) / per_item) for kind in counted_regions(entry)]
            if entry["error"] is not None:
                errors.setdefault(name, entry["error"])
                continue
            values.setdefault(name, []).extend(v for kind, v in regions if kind == "value")
            layouts[name] = layouts.get(name, 0) + 1
        for entry in process.report["benchmarks"]:
            name = entry["name"]
            if name in errors or name not in values or entry.get("layout", 0) != 0:
                continue
            machine = {
                key: value
                for key, value in description["pyperf_metadata"].items()
                if key not in DESCRIBE_ONLY_METADATA
            }
            metadata = {
                **machine,
                **description["benchmarks"][name],
                **counting_metadata(arm),
                "name": name,
                "loops": entry["loops"],
                "inner_loops": entry["inner_loops"],
                "uncounted_warmups": len(entry["regions"]) - len(counted_regions(entry)),
                "count_layouts": layouts[name],
                "unit": "integer",
            }
            run = pyperf.Run(
                values[name],
                warmups=None,  # warm-ups ran without markers: not counted
                metadata=metadata,
                collect_metadata=False,
            )
            runs.setdefault(name, []).append(run)
    results: dict[str, pyperf.Benchmark | str] = {}
    for name, benchmark_runs in runs.items():
        if name in errors:
            results[name] = errors[name]
        elif not benchmark_runs:
            results[name] = "no instrumented process counted it"
        else:
            results[name] = pyperf.Benchmark(benchmark_runs)
    return results


def count_arms(
    arms: Sequence[CountArm],
    settings: CountSettings,
    scratch: Path,
    on_done: Callable[[CountArm, dict[str, pyperf.Benchmark | str]], None],
) -> None:
    """Count every arm with ``settings.processes`` instrumented processes each, ``settings.jobs``
    at a time; ``on_done(arm, results)`` is called (in this thread) as each arm completes."""
    settings.check()
    compile_sources(arms, settings)
    tasks = [(arm, index) for index in range(settings.processes) for arm in arms]
    pending = {arm.label: settings.processes for arm in arms}
    finished: dict[str, list[ProcessResult]] = {arm.label: [] for arm in arms}
    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        # The native describe steps go first, in the same pool as the instrumented processes.
        descriptions = {
            arm.label: pool.submit(describe_arm, arm, settings, scratch) for arm in arms
        }
        futures = [
            (arm, pool.submit(run_process, arm, settings, index, scratch)) for arm, index in tasks
        ]
        try:
            for arm, future in futures:
                finished[arm.label].append(future.result())
                pending[arm.label] -= 1
                if pending[arm.label] == 0:
                    described = descriptions[arm.label].result()
                    on_done(arm, benchmarks_of(arm, described, finished[arm.label]))
        except BaseException:
            for future in [*descriptions.values(), *(f for _, f in futures)]:
                future.cancel()
            interrupt.end_all_children()
            raise


#: Iterations of the spin loop counted by :func:`spin_cost`.
SPIN_PROBE_ITERATIONS = 200_000


def spin_cost(python: str, scratch: Path, cwd: Path | None = None) -> float:
    """Instructions per iteration of :func:`benchmarks.running.harness.spin` on ``python``, counted
    under callgrind between the same markers: the unit of injected deterministic work."""
    dumps = scratch / "spin-callgrind"
    code = (
        "from benchmarks.running.harness import REGION_END, REGION_START, spin; "
        f"REGION_START(); spin({SPIN_PROBE_ITERATIONS}); REGION_END()"
    )
    command = [*aslr_prefix(), "valgrind", *CALLGRIND_OPTIONS, f"--callgrind-out-file={dumps}"]
    environ = worker_environ(CountArm("spin", python, "", [], {}, "", "", {}))
    try:
        completed = interrupt.run_child(
            [*command, python, "-c", LAUNCH_PRELUDE + code],
            capture_stdout=True,
            cwd=cwd or SUITE_SOURCE,
            env=environ,
        )
        if completed.returncode != 0:
            raise CountingError(f"the spin probe failed: {worker_failure(completed)}")
        (count,) = region_counts([read_dump(p) for p in dump_files(dumps)], 1)
    finally:
        for path in dump_files(dumps):
            path.unlink(missing_ok=True)
    return count / SPIN_PROBE_ITERATIONS


def work_for_slowdown(per_item: float, fraction: float, cost: float) -> float:
    """Spin iterations per item (fractional: a region runs the rounded total for its items)
    that add ``fraction`` of ``per_item`` instructions."""
    return round(per_item * fraction / cost, 4)
