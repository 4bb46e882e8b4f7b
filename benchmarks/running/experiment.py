"""An experiment's groups, measured through :mod:`benchmarks.running.scheduler` into run folders.

``run``, ``run --python`` (the version matrix) and ``ab`` each make their arms and groups, open
one run folder per environment, and call :func:`measure_groups`: it records the n/a cells,
skips what a resumed run already holds, measures every other group with the scheduler and
writes each arm's outcome into its environment's folder (:class:`FolderSink`). A group with
any arm still missing is measured again on all its arms, so that the arms of a block always ran
together (the analysis pairs them by block).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureCache
from benchmarks.running import scheduler
from benchmarks.running.scheduler import Arm, Group, Outcome
from benchmarks.storage.results import FAILED, Cell, RunFolder

#: ``(kind, reason)`` when a benchmark cannot run on an arm, else None.
NaReason = Callable[[catalog.BenchmarkSpec, Arm], "tuple[str, str] | None"]
Log = Callable[[str], None]


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    """'[k/M]' with an estimate of the time left, from the mean duration so far."""

    def __init__(self, total: int, log: Log = print) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.log = log

    def announce(self, label: str) -> None:
        if self.done:
            elapsed = time.monotonic() - self.started
            left = format_seconds(elapsed / self.done * (self.total - self.done))
            eta = f"about {left} left"
        else:
            eta = "estimating time left"
        self.log(f"[{self.done + 1}/{self.total}] {label} ({eta})")

    def finish(self, count: int = 1) -> None:
        self.done += count


def cell_of(group: Group, arm: Arm) -> Cell:
    spec = group.spec
    return Cell(spec.name, arm.runtime, spec.workload.name, spec.params)


class FolderSink:
    """Outcomes into one run folder per environment label (``""`` for ``run``)."""

    def __init__(
        self,
        folders: Mapping[str, RunFolder],
        log: Log = print,
        describe: Callable[[Path], str] | None = None,
        prepare: Callable[[Arm, Path], Outcome] | None = None,
    ) -> None:
        self.folders = folders
        self.log = log
        self.describe = describe
        #: Turns an arm's merged file into what its folder keeps (``ab`` adds its identity).
        self.prepare = prepare
        self.failed: list[tuple[Group, Arm, str]] = []
        #: Cells measured and merged into their folder (what an interrupted run has kept).
        self.kept = 0

    def folder(self, arm: Arm) -> RunFolder:
        return self.folders[arm.environment]

    def known_loops(self, group: Group) -> int | None:
        return self.folder(group.arms[0]).loops(group.label)

    def record_loops(self, group: Group, loops: int, arm: Arm) -> None:
        for environment in dict.fromkeys(a.environment for a in group.arms):
            self.folders[environment].record_loops(group.label, loops, arm.name)

    def outcome(self, group: Group, arm: Arm, outcome: Outcome) -> None:
        if isinstance(outcome, Path) and self.prepare is not None:
            outcome = self.prepare(arm, outcome)
        cell = cell_of(group, arm)
        if isinstance(outcome, Path):
            if self.describe is not None:
                self.log(f"    {arm.name}: {self.describe(outcome)}")
            self.folder(arm).merge(cell, outcome)
            self.kept += 1
            return
        self.failed.append((group, arm, outcome))
        self.log(f"FAILED {group.label} on {arm.name}: {outcome}")
        self.folder(arm).record(cell, FAILED, outcome)


def plan_groups(
    groups: Sequence[Group],
    sink: FolderSink,
    na_reason: NaReason,
    log: Log,
    also: Mapping[str, Sequence[Cell]] | None = None,
) -> tuple[list[Group], int]:
    """The groups still to measure (n/a arms recorded and left out), and how many n/a there
    were. Every folder's manifest lists its missing cells from here on, with the cells
    ``also`` gives per folder (those another measure fills)."""
    todo: dict[str, list[Cell]] = {name: list((also or {}).get(name, ())) for name in sink.folders}
    for group in groups:
        for arm in group.arms:
            todo[arm.environment].append(cell_of(group, arm))
    missing = {
        (name, cell.key)
        for name, folder in sink.folders.items()
        for cell in folder.plan(todo[name])
    }
    runnable: list[Group] = []
    not_applicable = 0
    for group in groups:
        arms: list[Arm] = []
        for arm in group.arms:
            if (arm.environment, cell_of(group, arm).key) not in missing:
                continue  # measured or recorded before --resume
            na = na_reason(group.spec, arm)
            if na is not None:
                kind, reason = na
                log(f"n/a  {group.label} on {arm.name}: {reason}")
                sink.folder(arm).record(cell_of(group, arm), kind, reason)
                not_applicable += 1
                continue
            arms.append(arm)
        if not arms:
            continue
        # Re-measure every arm that can run, so that the arms of a block ran together.
        arms = [a for a in group.arms if a in arms or na_reason(group.spec, a) is None]
        runnable.append(Group(group.spec, arms, group.label))
    return runnable, not_applicable


def measure_groups(
    groups: Sequence[Group],
    context: scheduler.Context,
    fixtures: FixtureCache,
    sink: FolderSink,
    progress: Progress,
    measure: scheduler.Measure = scheduler.TIME,
) -> None:
    """Measure each group in turn (the groups of :func:`plan_groups`). A measure without
    blocks (:data:`scheduler.TIME_APART`) takes the arms one by one; the loops the first arm
    calibrated are the sink's from then on, so every arm still shares them."""
    for group in groups:
        if measure is scheduler.TIME:
            arms = ", ".join(arm.name for arm in group.arms)
            progress.announce(f"{group.label} on {arms}, interleaved")
            scheduler.measure_group(group, context, fixtures, sink, measure)
            progress.finish(len(group.arms))
            continue
        for arm in group.arms:
            progress.announce(f"{group.label} on {arm.name}")
            scheduler.measure_group(Group(group.spec, [arm], group.label), context, fixtures,
                                    sink, measure)  # fmt: skip
            progress.finish()
