"""The selection every command shares: ``--runtime``, ``--workload``, ``--param``, ``--ladder``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from benchmarks.commands.usage import fail
from benchmarks.measured import catalog
from benchmarks.measured.workload import ParamValue
from benchmarks.platform.runtimes import DEFAULT_RUNTIMES, RUNTIMES


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runtime",
        action="extend",
        nargs="+",
        metavar="NAME",
        help=(
            f"runtimes to use (default: {', '.join(DEFAULT_RUNTIMES)}; "
            f"all: {', '.join(RUNTIMES)}; 'list' shows all)"
        ),
    )
    parser.add_argument(
        "--workload", action="extend", nargs="+", metavar="GLOB", help="workload name patterns"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="run these ladder values of a parameter (e.g. items=10,100000)",
    )
    parser.add_argument(
        "--ladder", action="store_true", help="run every value of every parameter ladder"
    )


def selected_runtimes(names: Sequence[str] | None, everything: bool = False) -> list[str]:
    """The named runtimes, or by default the default ones (every one when ``everything``)."""
    if not names:
        return list(RUNTIMES) if everything else list(DEFAULT_RUNTIMES)
    for name in names:
        if name not in RUNTIMES:
            fail(f"unknown runtime {name!r}; valid runtimes: {', '.join(RUNTIMES)}")
    return list(dict.fromkeys(names))


def parse_overrides(
    texts: Sequence[str], workloads: Sequence[catalog.Workload]
) -> dict[str, tuple[ParamValue, ...]]:
    """``--param items=10,1000`` as typed ladder values, checked against the selected workloads."""
    ladders: dict[str, list[ParamValue]] = {}
    for workload in workloads:
        for name, values in workload.params.items():
            known = ladders.setdefault(name, [])
            known.extend(value for value in values if value not in known)
    overrides: dict[str, tuple[ParamValue, ...]] = {}
    for text in texts:
        name, sep, raw_values = text.partition("=")
        if not sep or name not in ladders:
            valid = ", ".join(sorted(ladders))
            fail(f"bad --param {text!r}; parameters of the selected workloads: {valid}")
        chosen = list(overrides.get(name, ()))  # repeated --param NAME=... add up
        for raw in raw_values.split(","):
            match = [v for v in ladders[name] if str(v) == raw.strip()]
            if not match:
                valid = ", ".join(str(v) for v in ladders[name])
                fail(f"{name}={raw} is on no selected ladder; valid values: {valid}")
            if match[0] in chosen:
                note = f"note: --param {name}={match[0]} is given twice; measured once"
                print(note, file=sys.stderr)
                continue
            chosen.append(match[0])
        overrides[name] = tuple(chosen)
    return overrides


def plan(
    args: argparse.Namespace, *, every_workload: bool = False, every_runtime: bool = False
) -> tuple[list[str], list[catalog.BenchmarkSpec]]:
    """The runtimes and benchmarks selected; with no ``--workload`` the default run's workloads
    (every workload with ``--ladder`` or ``every_workload``), with no ``--runtime`` the default
    runtimes (every registered one with ``every_runtime``)."""
    runtimes = selected_runtimes(args.runtime, every_runtime)
    default_run = not (args.ladder or every_workload)
    try:
        workloads = catalog.select_workloads(args.workload, default_run=default_run)
    except catalog.UnknownWorkload as exc:
        fail(str(exc))
    overrides = parse_overrides(args.param, workloads)
    specs = catalog.expand(workloads, ladder=args.ladder, overrides=overrides)
    if not specs:
        fail("the selection holds no benchmark (no selected workload has those parameter values)")
    return runtimes, specs
