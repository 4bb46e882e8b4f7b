"""Sensitivity self-check of the A/B gate: ``python -m benchmarks calibrate`` (``nox -s
calibrate``; its arguments are parsed in :mod:`benchmarks.commands.calibrate`).

Runs ``--pairs N`` interleaved A/A pairs (the same environment on both sides) and N pairs whose
candidate has an injected slowdown (2%, 5% and 10% by default; ``harness.py`` adds it as a busy
wait inside the timed region), all through the ``ab`` machinery, on a small selection
(by default three protocol/streams workloads on asyncio). ``python -m analysis compare`` judges
each pair; its exit code says whether it raised a regression. The figures:

- **false-alarm rate**: A/A pairs that raised a regression (goal: 0 of 10 at the default threshold);
- **detection rate** at each slowdown: pairs that raised one (goal: at least 9 of 10 at 5%).

Each pair is judged as the PR gate judges it: ``compare --family-size N``, N being the number of
comparisons the gate makes over its shards (``--family-size``; by default counted from the
gate's selection, :func:`gate_family_size`), so the few comparisons of a pair get the intervals
they would get among the gate's whole family. Every rate carries its exact 95% binomial
(Clopper-Pearson) interval: 0 false alarms in 10 pairs only bounds the rate below 31%.

**``--measure instructions``** calibrates the deterministic channel the same way: every pair is an
``ab --measure instructions`` (callgrind counts, ``--count-processes`` instrumented processes per
side), and a slowdown is a deterministic amount of extra work per item (1% and 2% by default), a
pure-Python loop that the harness runs inside the region (``AITER_BENCH_INJECT_WORK``): the
busy wait of the time measure does not count instructions faithfully. Its size is set per
benchmark and runtime from the first A/A pair's own counts and the counted cost of one turn of the
loop, and the fraction it really adds is recorded. The default selection is the protocol family's
checkpoint generators on asyncio. Its null pairs are of two kinds: **A/A** (the same history on
both sides: counts agree exactly) and **A/A'** (the candidate's instrumented processes first
import one more standard library module, one of :data:`HISTORY_MODULES` in turn: the same code
under another process history, as a pull request that touches an unrelated module gives it).
``--kinds`` runs only some kinds (``--kinds "A/A'"``). Named, ``1%'`` (any slowdown with a
prime) is a slowdown under another process history: the injected work and one more import, the
pull request that is both slower and changes what the process imports.

The kinds of pair are interleaved (A/A, 2%, 5%, 10%, A/A, ...) so slow drift of the machine falls on
all of them alike. The environment is built once. Figures go to ``calibration.json`` and
``calibration.md`` in ``results/calibration-<date>/`` (or ``-o DIR``), next to every pair's
results folders and comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyperf

from analysis.staging import OutputError, check_output_folder
from benchmarks.commands import selection, usage
from benchmarks.platform.environments import (
    DEFAULT_CACHE,
    Environment,
    build_environment,
    parse_spec,
)
from benchmarks.running import counting, interleave, measure_options, preflight, run_command
from benchmarks.running.counted_worker import HISTORY_ENV
from benchmarks.running.harness import WORK_ENV
from benchmarks.storage import identity
from benchmarks.storage.identity import SUITE_SOURCE

#: Default selection: quick, CPU-bound workloads from the protocol and streams families.
DEFAULT_WORKLOADS = ("protocol.async_generator", "protocol.class_iterator", "streams.memory_stream")
DEFAULT_RUNTIMES = ("asyncio",)
DEFAULT_SLOWDOWNS = (0.02, 0.05, 0.10)
#: The instructions measure's defaults: CPU-bound protocol workloads, smaller slowdowns.
INSTRUCTION_WORKLOADS = ("protocol.async_generator", "protocol.class_iterator")
INSTRUCTION_SLOWDOWNS = (0.01, 0.02)
MEASURES = (counting.TIME, counting.INSTRUCTIONS)
#: The workload families of the PR gate's shards (.github/workflows/bench.yml).
GATE_SHARDS = ("protocol", "generators", "io", "concurrency", "streams")
#: compare's exit code for "regression".
EXIT_REGRESSION = 1
AA = "A/A"
#: The instructions measure's second kind of null pair: the same code, another process history
#: (the candidate's instrumented processes import one more module, a different one per pair,
#: that the suite never imports), as a pull request that touches an unrelated module gives it.
AA_HISTORY = "A/A'"
#: The modules of the A/A' pairs, one per pair in turn: standard library modules that no
#: counted process imports (``tests/test_sensitivity.py`` checks). The first ten are those of
#: the gate-wide calibrations of 2026-12-03 and 2026-12-04, from whose histories five of
#: ``thresholds.toml``'s thresholds were raised; the next ten (pairs 10 to 19, ``--first-pair
#: 10``) are histories no threshold was derived from: an out-of-sample check of the thresholds.
HISTORY_MODULES = (
    "statistics", "difflib", "uuid", "calendar", "pprint",
    "shlex", "configparser", "quopri", "plistlib", "getopt",
    "wave", "mailbox", "netrc", "sched", "graphlib",
    "cmd", "filecmp", "pickletools", "symtable", "zipapp",
)  # fmt: skip


def parse_slowdowns(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"--slowdowns {text!r}: give fractions like 0.02,0.05,0.1") from None
    if not values or any(not 0 < v <= 1 for v in values):
        raise ValueError(f"--slowdowns {text!r}: each must be a fraction in (0, 1]")
    return values


def gate_family_size(shards: Sequence[str] = GATE_SHARDS) -> int:
    """How many comparisons the PR gate judges at once: every default benchmark of its shards'
    families on every default runtime where it can run."""
    count = 0
    for family in shards:
        namespace = argparse.Namespace(
            runtime=None, workload=[f"{family}.*"], param=[], ladder=False
        )
        runtimes, specs = selection.plan(namespace)
        count += sum(
            1 for spec in specs for r in runtimes if run_command.na_reason(spec, r) is None
        )
    return count


def binomial_interval(hits: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson's exact interval of a rate (as ``scipy.stats.binomtest(...)
    .proportion_ci("exact")``, which the tests compare; written with the standard library because
    the measuring half does not import scipy): the bounds where the binomial tail
    probabilities equal ``(1 - confidence) / 2``, found by bisection."""
    if trials <= 0:
        return math.nan, math.nan
    tail = (1 - confidence) / 2

    def solve(excess: Callable[[float], float]) -> float:  # the root of a rising function
        low, high = 0.0, 1.0
        for _ in range(60):
            middle = (low + high) / 2
            low, high = (middle, high) if excess(middle) < 0 else (low, middle)
        return (low + high) / 2

    # lower: P(X >= hits) = tail, i.e. 1 - P(X <= hits - 1) = tail; upper: P(X <= hits) = tail
    lower = 0.0 if hits == 0 else solve(lambda p: 1 - _at_most(hits - 1, trials, p) - tail)
    upper = 1.0 if hits == trials else solve(lambda p: tail - _at_most(hits, trials, p))
    return lower, upper


def _at_most(hits: int, trials: int, p: float) -> float:
    return sum(math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(hits + 1))


def chosen_kinds(
    kinds: dict[str, float],
    text: str | None,
    counted: bool,
    optional: dict[str, float] | None = None,
) -> dict[str, float]:
    """The kinds of pair ``--kinds`` keeps (all of ``kinds`` when it is not given; ``optional``
    kinds only when named), in their usual order. The injected work of an instructions
    calibration is sized from an A/A pair's counts, so a slowdown kind needs the A/A kind beside
    it."""
    if text is None:
        return kinds
    kinds = {**kinds, **(optional or {})}
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [kind for kind in wanted if kind not in kinds]
    if unknown or not wanted:
        raise ValueError(
            f"--kinds {text!r}: unknown kind {', '.join(unknown) or '(none given)'}; "
            f"valid kinds: {', '.join(kinds)}"
        )
    if counted and AA not in wanted and any(kinds[kind] for kind in wanted):
        raise ValueError(
            f"--kinds {text!r}: a slowdown's injected work is sized from the A/A pairs' "
            f"counts; add {AA}"
        )
    return {kind: value for kind, value in kinds.items() if kind in wanted}


def under_other_history(kind: str) -> bool:
    """Whether a kind's candidate runs under another process history (``A/A'``, ``1%'``)."""
    return kind.endswith("'")


def pair_folder_name(kind: str) -> str:
    """The folder suffix of a kind of pair (``AA``, ``AA-history``, ``1pct``, ``1pct-history``)."""
    plain = kind.removesuffix("'").replace("/", "").replace("%", "pct")
    return f"{plain}-history" if under_other_history(kind) else plain


def history_candidate(base: Environment, pair: int) -> Environment:
    """The candidate of the ``pair``-th A/A' pair: the base, whose instrumented processes first
    import one more module (:data:`HISTORY_MODULES`, in turn)."""
    module = HISTORY_MODULES[pair % len(HISTORY_MODULES)]
    return dataclasses.replace(base, extra_environ={**base.extra_environ, HISTORY_ENV: module})


def refuse_earlier_calibration(output: Path) -> None:
    """A calibration never writes into a folder holding pairs or figures of another: its pairs
    would be refused one by one, hours in (nothing measured is overwritten)."""
    held = [name for name in ("pairs", "calibration.json", "calibration.md")
            if (output / name).exists()]  # fmt: skip
    if held:
        raise ValueError(
            f"{output} already holds a calibration ({', '.join(held)}); "
            "choose a new folder with -o (or leave -o out for a dated one)"
        )


def default_output(root: Path = Path("results")) -> Path:
    base = root / f"calibration-{date.today().isoformat()}"
    candidate, suffix = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{suffix}")
        suffix += 1
    return candidate


def count_regressions(compare_json: Path) -> int | None:
    """How many comparisons compare's JSON counts as regressions (None if unreadable)."""
    try:
        document = json.loads(compare_json.read_text(encoding="utf-8"))
        return int(document["counts"].get("regression", 0))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def summarise(outcomes: dict[str, list[int | None]]) -> dict[str, dict[str, Any]]:
    """Per kind of pair: pairs, alarms (compare exit 1), other exits, and the rate."""
    figures: dict[str, dict[str, Any]] = {}
    for kind, codes in outcomes.items():
        judged = [c for c in codes if c is not None]
        alarms = sum(1 for c in judged if c == EXIT_REGRESSION)
        low, high = binomial_interval(alarms, len(judged))
        figures[kind] = {
            "pairs": len(codes),
            "judged": len(judged),
            "regression_raised": alarms,
            "other_exit_codes": sorted({c for c in judged if c not in (0, EXIT_REGRESSION)}),
            "rate": alarms / len(judged) if judged else None,
            "rate_95_low": None if not judged else round(low, 4),
            "rate_95_high": None if not judged else round(high, 4),
        }
    return figures


def _numbers_phrase(header: dict[str, Any]) -> str:
    """`` (pairs 2 to 5)`` for a later batch (``--first-pair``), else nothing."""
    first = int(header.get("first_pair", 0))
    return f" (pairs {first} to {first + header['pairs'] - 1})" if first else ""


def markdown(figures: dict[str, dict[str, Any]], header: dict[str, Any]) -> str:
    lines = [
        "# Sensitivity of the A/B gate",
        "",
        f"Measure: {header.get('measure', counting.TIME)}. "
        f"{header['pairs']} pairs of each kind{_numbers_phrase(header)} on {header['machine']}, "
        "selection: "
        f"{', '.join(header['benchmarks'])} on {', '.join(header['runtimes'])}; "
        f"{header['processes']} {_processes_phrase(header)}; "
        f"wall time {header['wall_seconds'] / 60:.1f} min "
        f"({header['wall_seconds'] / max(1, header['total_pairs']):.0f} s per pair). "
        f"Each pair is judged as one of {header['family_size']} comparisons (the PR gate's "
        "family, Bonferroni).",
        "",
        "| pairs | regression raised | rate | 95% interval (Clopper-Pearson) | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind, row in figures.items():
        rate = "n/a" if row["rate"] is None else f"{row['rate']:.0%}"
        bounds = (
            "n/a"
            if row["rate"] is None
            else (f"{row['rate_95_low']:.0%} to {row['rate_95_high']:.0%}")
        )
        meaning = {
            AA: "false-alarm rate",
            AA_HISTORY: "false-alarm rate, another process history (an unrelated import)",
        }.get(kind, f"detection rate of a {kind.removesuffix(chr(39))} slowdown")
        if under_other_history(kind) and kind != AA_HISTORY:
            meaning += ", under another process history"
        lines.append(
            f"| {kind} | {row['regression_raised']} of {row['judged']} | {rate} | {bounds} | "
            f"{meaning} |"
        )
    lines.extend(measured_fraction_lines(header.get("measured_fractions") or {}))
    return "\n".join(lines) + "\n"


def measured_fraction_lines(measured: dict[str, dict[str, list[float]]]) -> list[str]:
    """The table of what each injected kind really added per cell (none for the time measure)."""
    if not measured:
        return []
    kinds = list(measured)
    cells = sorted({cell for by_cell in measured.values() for cell in by_cell})
    lines = [
        "",
        "What the injected work really added to each cell's count (candidate / baseline - 1, "
        "lowest and highest over the pairs):",
        "",
        "| benchmark@runtime | " + " | ".join(kinds) + " |",
        "| --- |" + " --- |" * len(kinds),
    ]
    for cell in cells:
        row = []
        for kind in kinds:
            low_high = measured[kind].get(cell)
            if low_high is None:
                row.append("n/a")
            elif low_high[0] == low_high[1]:
                row.append(f"{low_high[0]:+.3%}")
            else:
                row.append(f"{low_high[0]:+.3%} to {low_high[1]:+.3%}")
        lines.append(f"| {cell} | " + " | ".join(row) + " |")
    return lines


def _processes_phrase(header: dict[str, Any]) -> str:
    if header.get("measure") == counting.INSTRUCTIONS:
        layouts = int(header.get("layouts", 1))
        each = "" if layouts == 1 else f" in each of {layouts} layouts (their minimum)"
        return f"instrumented processes per side, 1 counted region each{each} after 1 warm-up"
    return f"worker processes per side, {header['values']} values each"


def per_item_counts(folder: Path) -> dict[str, float]:
    """``"<benchmark>@<runtime>"`` -> median instructions per item, from a side's
    ``<runtime>.instructions.json`` files."""
    counts: dict[str, float] = {}
    for path in sorted(folder.glob(f"*.{counting.INSTRUCTIONS}.json")):
        runtime = path.name.split(".", 1)[0]
        for benchmark in pyperf.BenchmarkSuite.load(str(path)).get_benchmarks():
            counts[f"{benchmark.get_name()}@{runtime}"] = benchmark.median()
    return counts


def work_table(counts: dict[str, float], fraction: float, cost: float) -> dict[str, float]:
    """Spin iterations per item for each ``benchmark@runtime`` that add ``fraction`` of its
    instructions (:func:`benchmarks.running.counting.work_for_slowdown`)."""
    return {key: counting.work_for_slowdown(n, fraction, cost) for key, n in counts.items()}


#: Characters of every value in :func:`work_text` (``"    1.3731"``): tables of the same keys
#: then have texts of the same length whatever their values.
WORK_VALUE_WIDTH = 12


def work_text(table: dict[str, float]) -> str:
    """An injected work table as the JSON text of :data:`WORK_ENV`, keys sorted, every value
    right-aligned in :data:`WORK_VALUE_WIDTH` characters with 4 decimals (JSON allows the leading
    spaces), so the zero table of an injected pair's baseline is as long as its candidate's."""
    values = {key: f"{value:{WORK_VALUE_WIDTH}.4f}" for key, value in table.items()}
    if too_wide := [key for key, text in values.items() if len(text) > WORK_VALUE_WIDTH]:
        raise ValueError(f"injected work too large to write in {WORK_VALUE_WIDTH} characters: "
                         f"{', '.join(too_wide)}")  # fmt: skip
    return "{" + ", ".join(f"{json.dumps(key)}: {values[key]}" for key in sorted(values)) + "}"


def measured_fractions(baseline: Path, candidate: Path) -> dict[str, float]:
    """How much the candidate's per-item count exceeds the baseline's, per ``benchmark@runtime``
    (what an injected pair really added, against :func:`injected_fractions`' design)."""
    before, after = per_item_counts(baseline), per_item_counts(candidate)
    return {key: round(after[key] / before[key] - 1, 5) for key in before if key in after}


def injected_fractions(
    counts: dict[str, float], table: dict[str, float], cost: float
) -> dict[str, float]:
    """The fraction of each benchmark's instructions that its injected work really adds."""
    return {key: round(table[key] * cost / counts[key], 5) for key in table}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.running.sensitivity``: the same as ``python -m benchmarks
    calibrate`` (its arguments are parsed in :mod:`benchmarks.commands.calibrate`)."""
    from benchmarks import cli

    return cli.main(["calibrate", *(sys.argv[1:] if argv is None else argv)])


def calibrate(args: argparse.Namespace) -> int:
    """The pairs, their judgements and the figures (``main`` without the signal handling)."""
    counted = args.measure == counting.INSTRUCTIONS
    if not args.workload:
        args.workload = list(INSTRUCTION_WORKLOADS if counted else DEFAULT_WORKLOADS)
    if not args.runtime:
        args.runtime = list(DEFAULT_RUNTIMES)
    if args.slowdowns is None:
        args.slowdowns = ",".join(
            f"{s:g}" for s in (INSTRUCTION_SLOWDOWNS if counted else DEFAULT_SLOWDOWNS)
        )
    runtimes, specs = selection.plan(args)
    family_size = args.family_size if args.family_size is not None else gate_family_size()
    if family_size < 1:
        usage.fail(f"--family-size must be at least 1, got {family_size}")
    compare_options = [*args.compare_option, "--family-size", str(family_size)]
    try:
        settings = interleave.settings_from(args)
        slowdowns = parse_slowdowns(args.slowdowns)
        kinds = chosen_kinds(
            {AA: 0.0, **({AA_HISTORY: 0.0} if counted else {}),
             **{f"{s:.0%}": s for s in slowdowns}},
            args.kinds, counted,
            optional={f"{s:.0%}'": s for s in slowdowns} if counted else None,
        )  # fmt: skip
        spec = parse_spec(args.spec)
        if args.pairs < 1:
            raise ValueError("--pairs must be at least 1")
        if args.first_pair < 0:
            raise ValueError(f"--first-pair must be 0 or more, got {args.first_pair}")
        interleave.check_compare_options(args.compare_option)
        if counted and spec.slowdown:
            raise ValueError("--spec slowdown=... is the time measure's injection; "
                             "--measure instructions injects its own work")  # fmt: skip
        if counted and (why := counting.unavailable_reason()) is not None:
            raise ValueError(f"--measure instructions: {why}")
        output: Path = args.output or default_output()
        check_output_folder(output)  # before hours of pairs, not after them
        refuse_earlier_calibration(output)
        cache = args.cache or SUITE_SOURCE / DEFAULT_CACHE
        preflight.check_cache(cache)
        base = build_environment(spec, SUITE_SOURCE, cache)
    except (ValueError, OutputError) as exc:
        usage.fail(str(exc))
    measures = (counting.INSTRUCTIONS,) if counted else (counting.TIME,)
    count_settings = measure_options.count_settings(args)
    if not interleave.compare_available():
        print("compare is not available in this checkout: pairs are measured but not judged")
    outcomes: dict[str, list[int | None]] = {kind: [] for kind in kinds}
    flagged: dict[str, list[int | None]] = {kind: [] for kind in kinds}
    started = time.monotonic()
    injection = WorkInjection(base, output) if counted else None
    last = args.first_pair + args.pairs
    for pair in range(args.first_pair, last):
        for kind, slowdown in kinds.items():
            folder = output / "pairs" / f"{pair:02d}-{pair_folder_name(kind)}"
            if kind == AA_HISTORY:
                candidate = history_candidate(base, pair)
            elif injection is None:
                candidate = dataclasses.replace(base, spec=base.spec.with_slowdown(slowdown))
            else:
                candidate = injection.candidate(slowdown)
                if under_other_history(kind):
                    candidate = history_candidate(candidate, pair)
            baseline = base if injection is None else injection.baseline(slowdown)
            failed = interleave.run_ab(
                [baseline, candidate], folder, runtimes, specs, run_command.na_reason, settings,
                args.fixture_root,
                [Path(sys.executable).name, "-m", "benchmarks", "calibrate"],
                log=lambda line: None, measures=measures, count_settings=count_settings,
            )  # fmt: skip
            if injection is not None and kind == AA and not failed:
                injection.learn(folder / interleave.SIDES[0])
            if injection is not None and slowdown and not failed:
                injection.record(kind, folder / interleave.SIDES[0], folder / interleave.SIDES[1])
            code = None if failed else interleave.run_compare(folder, compare_options, True)
            outcomes[kind].append(code)
            flagged[kind].append(count_regressions(folder / "compare.json"))
            print(f"pair {pair + 1}/{last} {kind:>4}: compare exit {code}", flush=True)
    wall = time.monotonic() - started
    figures = summarise(outcomes)
    for kind in figures:
        figures[kind]["benchmarks_flagged_per_pair"] = flagged[kind]
    header = {
        "pairs": args.pairs,
        "first_pair": args.first_pair,
        "total_pairs": args.pairs * len(kinds),
        "machine": f"{identity.machine()} (Python {base.python_version})",
        "spec": args.spec,
        "benchmarks": [s.name for s in specs],
        "runtimes": runtimes,
        "measure": args.measure,
        "processes": count_settings.processes if counted else settings.processes,
        **({"layouts": count_settings.layouts} if counted else {}),
        "values": settings.values,
        "warmups": settings.warmups,
        "compare_options": compare_options,
        "family_size": family_size,
        "wall_seconds": round(wall, 1),
    }
    if injection is not None:
        header["spin_instructions_per_iteration"] = injection.cost
        header["injected_fractions"] = injection.fractions
        header["measured_fractions"] = injection.measured_range()
    output.mkdir(parents=True, exist_ok=True)
    document = {"settings": header, "figures": figures}
    (output / "calibration.json").write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    text = markdown(figures, header)
    (output / "calibration.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {output / 'calibration.md'} and calibration.json")
    return 0


class WorkInjection:
    """The candidates of an instructions calibration: the base environment plus
    ``AITER_BENCH_INJECT_WORK`` sized from the first A/A pair's counts (:meth:`learn`)."""

    def __init__(self, base: Environment, output: Path) -> None:
        self.base = base
        self.output = output
        self.counts: dict[str, float] = {}
        self.cost = 0.0
        self.fractions: dict[str, dict[str, float]] = {}
        #: kind -> benchmark@runtime -> the fraction each pair of that kind really added.
        self.measured: dict[str, dict[str, list[float]]] = {}

    def learn(self, baseline: Path) -> None:
        """Take the per-item counts of an A/A baseline side, once, and the spin loop's cost."""
        if self.counts:
            return
        self.counts = per_item_counts(baseline)
        probe = self.output / "spin-probe"
        probe.mkdir(parents=True, exist_ok=True)
        self.cost = counting.spin_cost(str(self.base.python), probe, cwd=self.base.source)

    def candidate(self, slowdown: float) -> Environment:
        if not slowdown:
            return self.base
        if not self.counts:
            usage.fail("the first A/A pair counted nothing: no baseline to size the injected work")
        table = work_table(self.counts, slowdown, self.cost)
        self.fractions[f"{slowdown:.0%}"] = injected_fractions(self.counts, table, self.cost)
        return self._with_work(table)

    def baseline(self, slowdown: float) -> Environment:
        """The baseline of a pair: for an injected slowdown, the base with a work table of the
        same keys and the same length, all zero (:func:`work_text`). The variable sits on the
        instrumented process's stack and is parsed before the regions; carried by one side only
        it moved counts by itself (by up to 0.18% on the protocol cells, 2026-12-03), so
        that the pair measured the injected work plus a change of process history."""
        if not slowdown:
            return self.base
        return self._with_work(dict.fromkeys(self.counts, 0.0))

    def record(self, kind: str, baseline: Path, candidate: Path) -> None:
        """Keep what an injected pair's candidate really added, cell by cell."""
        cells = self.measured.setdefault(kind, {})
        for key, fraction in measured_fractions(baseline, candidate).items():
            cells.setdefault(key, []).append(fraction)

    def measured_range(self) -> dict[str, dict[str, list[float]]]:
        """kind -> benchmark@runtime -> [lowest, highest] fraction added over its pairs."""
        return {
            kind: {key: [min(values), max(values)] for key, values in sorted(cells.items())}
            for kind, cells in self.measured.items()
        }

    def _with_work(self, table: dict[str, float]) -> Environment:
        return dataclasses.replace(
            self.base, extra_environ={**self.base.extra_environ, WORK_ENV: work_text(table)}
        )


if __name__ == "__main__":
    sys.exit(main())
