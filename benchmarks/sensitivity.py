"""Sensitivity self-check of the A/B gate: ``python -m benchmarks.sensitivity``.

``nox -s calibrate`` runs it.

Runs ``--pairs N`` interleaved A/A pairs (the same environment on both sides) and N pairs whose
candidate has an injected slowdown (2%, 5% and 10% by default; ``harness.py`` adds it as a busy
wait inside the timed region), all through the ``ab`` machinery, on a small selection
(by default three protocol/streams workloads on asyncio). ``python -m analysis compare`` judges
each pair; its exit code says whether it raised a regression. The figures:

- **false-alarm rate**: A/A pairs that raised a regression (goal: 0 of 10 at the default threshold);
- **detection rate** at each slowdown: pairs that raised one (goal: at least 9 of 10 at 5%).

The kinds of pair are interleaved (A/A, 2%, 5%, 10%, A/A, ...) so slow drift of the machine falls on
all of them alike. The environment is built once. Figures go to ``calibration.json`` and
``calibration.md`` in ``results/calibration-<date>/`` (or ``-o DIR``), next to every pair's
results folders and comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks import cli, identity, interleave, interrupt
from benchmarks.environments import DEFAULT_CACHE, build_environment, parse_spec
from benchmarks.fixtures import DEFAULT_FIXTURE_ROOT
from benchmarks.identity import SUITE_SOURCE

#: Default selection: quick, CPU-bound workloads from the protocol and streams families.
DEFAULT_WORKLOADS = ("protocol.async_generator", "protocol.class_iterator", "streams.memory_stream")
DEFAULT_RUNTIMES = ("asyncio",)
DEFAULT_SLOWDOWNS = (0.02, 0.05, 0.10)
#: compare's exit code for "regression".
EXIT_REGRESSION = 1
AA = "A/A"


def parse_slowdowns(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"--slowdowns {text!r}: give fractions like 0.02,0.05,0.1") from None
    if not values or any(not 0 < v <= 1 for v in values):
        raise ValueError(f"--slowdowns {text!r}: each must be a fraction in (0, 1]")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = cli.OneLineParser(prog="python -m benchmarks.sensitivity", description=__doc__)
    cli.add_selection_arguments(parser)
    interleave.add_settings_arguments(parser)
    parser.add_argument("--pairs", type=int, default=10, help="pairs of each kind (default 10)")
    parser.add_argument(
        "--slowdowns",
        default=",".join(f"{s:g}" for s in DEFAULT_SLOWDOWNS),
        help="injected slowdowns, fractions (default: %(default)s)",
    )
    parser.add_argument(
        "--spec", default=".", metavar="SPEC", help="the environment of both sides (default: .)"
    )
    parser.add_argument("-o", "--output", type=Path, help="default: results/calibration-<date>")
    parser.add_argument("--fixture-root", type=Path, default=DEFAULT_FIXTURE_ROOT)
    return parser


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
        figures[kind] = {
            "pairs": len(codes),
            "judged": len(judged),
            "regression_raised": alarms,
            "other_exit_codes": sorted({c for c in judged if c not in (0, EXIT_REGRESSION)}),
            "rate": alarms / len(judged) if judged else None,
        }
    return figures


def markdown(figures: dict[str, dict[str, Any]], header: dict[str, Any]) -> str:
    lines = [
        "# Sensitivity of the A/B gate",
        "",
        f"{header['pairs']} pairs of each kind on {header['machine']}, selection: "
        f"{', '.join(header['benchmarks'])} on {', '.join(header['runtimes'])}; "
        f"{header['processes']} worker processes per side, {header['values']} values each; "
        f"wall time {header['wall_seconds'] / 60:.1f} min "
        f"({header['wall_seconds'] / max(1, header['total_pairs']):.0f} s per pair).",
        "",
        "| pairs | regression raised | rate | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for kind, row in figures.items():
        rate = "n/a" if row["rate"] is None else f"{row['rate']:.0%}"
        meaning = "false-alarm rate" if kind == AA else f"detection rate of a {kind} slowdown"
        lines.append(
            f"| {kind} | {row['regression_raised']} of {row['judged']} | {rate} | {meaning} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    try:  # stopped like run and ab: children ended, scratch removed, manifests kept
        with interrupt.signals_stop_the_run():
            return calibrate(build_parser().parse_args(argv))
    except (KeyboardInterrupt, interrupt.Interrupted) as stop:
        print("interrupted: the pairs measured so far are kept", file=sys.stderr)
        return stop.exit_code if isinstance(stop, interrupt.Interrupted) else 130


def calibrate(args: argparse.Namespace) -> int:
    """The pairs, their judgements and the figures (``main`` without the signal handling)."""
    if not args.workload:
        args.workload = list(DEFAULT_WORKLOADS)
    if not args.runtime:
        args.runtime = list(DEFAULT_RUNTIMES)
    runtimes, specs = cli.plan(args)
    try:
        settings = interleave.settings_from(args)
        slowdowns = parse_slowdowns(args.slowdowns)
        spec = parse_spec(args.spec)
        if args.pairs < 1:
            raise ValueError("--pairs must be at least 1")
        interleave.check_compare_options(args.compare_option)
        base = build_environment(spec, SUITE_SOURCE, args.cache or SUITE_SOURCE / DEFAULT_CACHE)
    except ValueError as exc:
        cli.fail(str(exc))
    if not interleave.compare_available():
        print("compare is not available in this checkout: pairs are measured but not judged")
    output: Path = args.output or default_output()
    kinds: dict[str, float] = {AA: 0.0, **{f"{s:.0%}": s for s in slowdowns}}
    outcomes: dict[str, list[int | None]] = {kind: [] for kind in kinds}
    flagged: dict[str, list[int | None]] = {kind: [] for kind in kinds}
    started = time.monotonic()
    for pair in range(args.pairs):
        for kind, slowdown in kinds.items():
            candidate = dataclasses.replace(base, spec=base.spec.with_slowdown(slowdown))
            folder = output / "pairs" / f"{pair:02d}-{kind.replace('/', '').replace('%', 'pct')}"
            failed = interleave.run_ab(
                [base, candidate], folder, runtimes, specs, cli.na_reason, settings,
                args.fixture_root, [Path(sys.executable).name, "-m", "benchmarks.sensitivity"],
                log=lambda line: None,
            )  # fmt: skip
            code = None if failed else interleave.run_compare(folder, args.compare_option, True)
            outcomes[kind].append(code)
            flagged[kind].append(count_regressions(folder / "compare.json"))
            print(f"pair {pair + 1}/{args.pairs} {kind:>4}: compare exit {code}", flush=True)
    wall = time.monotonic() - started
    figures = summarise(outcomes)
    for kind in figures:
        figures[kind]["benchmarks_flagged_per_pair"] = flagged[kind]
    header = {
        "pairs": args.pairs,
        "total_pairs": args.pairs * len(kinds),
        "machine": f"{identity.machine()} (Python {base.python_version})",
        "spec": args.spec,
        "benchmarks": [s.name for s in specs],
        "runtimes": runtimes,
        "processes": settings.processes,
        "values": settings.values,
        "warmups": settings.warmups,
        "compare_options": args.compare_option,
        "wall_seconds": round(wall, 1),
    }
    output.mkdir(parents=True, exist_ok=True)
    document = {"settings": header, "figures": figures}
    (output / "calibration.json").write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    text = markdown(figures, header)
    (output / "calibration.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {output / 'calibration.md'} and calibration.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
