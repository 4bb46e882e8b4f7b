"""The scheduler in this process: blocks, stamping, merging, failures, the per-arm hook.

Workers are replaced by a fake :func:`benchmarks.running.scheduler.spawn` that writes a one-run
pyperf file, so every property is checked exactly and fast. (Real workers: tests/test_matrix.py,
tests/test_interleaved_run.py.)
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyperf
import pytest

from benchmarks.measured import catalog
from benchmarks.measured.fixtures import FixtureCache
from benchmarks.running import blocks, scheduler
from benchmarks.running.scheduler import Arm, Group

SPEC = catalog.expand(catalog.select_workloads(["protocol.sync_reference"]))[0]


# -- blocks of fake workers ----------------------------------------------------------------


class FakeWorkers:
    """Stands in for :func:`scheduler.spawn`: records each command and writes its output."""

    def __init__(self, fail_on: Sequence[str] = (), loops: int = 64) -> None:
        self.fail_on = set(fail_on)
        self.loops = loops
        self.started: list[tuple[str, list[str]]] = []

    def __call__(
        self, arm: Arm, command: Sequence[str], *, capture_stdout: bool = True
    ) -> subprocess.CompletedProcess[str]:
        self.started.append((arm.name, list(command)))
        if arm.name in self.fail_on:
            return subprocess.CompletedProcess(command, 1, "", "ValueError: broken arm\n")
        output = Path(command[command.index("--output") + 1])
        loops = self.loops
        for arg in command:
            if arg.startswith("--loops="):
                loops = int(arg.split("=")[1])
        run = pyperf.Run(
            [1e-6],
            metadata={"name": SPEC.name, "loops": loops, "unit": "second", "runtime": arm.runtime},
            collect_metadata=False,
        )
        pyperf.BenchmarkSuite([pyperf.Benchmark([run])]).dump(str(output), replace=True)
        return subprocess.CompletedProcess(command, 0, "", "")


class MemorySink:
    def __init__(self, loops: int | None = None) -> None:
        self.loops = loops
        self.recorded: list[tuple[str, int, str]] = []
        self.outcomes: dict[str, scheduler.Outcome] = {}

    def known_loops(self, group: Group) -> int | None:
        return self.loops

    def record_loops(self, group: Group, loops: int, arm: Arm) -> None:
        self.recorded.append((group.label, loops, arm.name))

    def outcome(self, group: Group, arm: Arm, outcome: scheduler.Outcome) -> None:
        self.outcomes[arm.name] = outcome


def arms(names: Sequence[str]) -> list[Arm]:
    return [Arm(name, "python", "asyncio", "run", "custom", environment=name) for name in names]


def measure(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: FakeWorkers,
    sink: MemorySink,
    names: Sequence[str] = ("a", "b", "c"),
    processes: int = 6,
) -> tuple[Group, scheduler.Context]:
    monkeypatch.setattr(scheduler, "spawn", workers)
    group = Group(SPEC, arms(names), SPEC.name)
    settings = scheduler.Settings(processes=processes, values=1, warmups=0, min_time=0.01)
    context = scheduler.Context(
        settings, scheduler.Design("exp", 99), tmp_path, echo=lambda text: None
    )
    scheduler.measure_group(group, context, FixtureCache(tmp_path / "fixtures"), sink)
    return group, context


def test_blocks_hold_every_arm_in_the_designed_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers, sink = FakeWorkers(), MemorySink()
    measure(tmp_path, monkeypatch, workers, sink)
    calibrating, *measuring = workers.started
    assert "--calibrate-loops" in calibrating[1] and calibrating[0] == "a"
    assert sink.recorded == [(SPEC.name, 64, "a")]  # calibrated once, on the first arm
    expected = [["abc"[i] for i in blocks.worker_order(3, b, 99)] for b in range(6)]
    assert [name for name, _ in measuring] == [name for order in expected for name in order]
    assert all("--loops=64" in command for _, command in measuring)
    for name in "abc":
        merged = pyperf.Benchmark.load(str(sink.outcomes[name]))
        runs = [run.get_metadata() for run in merged.get_runs()]
        assert [m[blocks.BLOCK_KEY] for m in runs] == [f"exp|{SPEC.name}|{b}" for b in range(6)]
        assert {m[blocks.ARM_KEY] for m in runs} == {name}
        assert [m[blocks.POSITION_KEY] for m in runs] == [order.index(name) for order in expected]
        assert {m[blocks.SEED_KEY] for m in runs} == {"99"}
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".json") == sorted(
        Path(str(o)).name for o in sink.outcomes.values()
    )  # the workers' files were merged and removed


def test_a_failing_arm_stops_while_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers, sink = FakeWorkers(fail_on=["b"]), MemorySink(loops=8)
    measure(tmp_path, monkeypatch, workers, sink)
    assert sink.outcomes["b"] == "ValueError: broken arm"
    assert [name for name, _ in workers.started].count("b") == 1
    assert pyperf.Benchmark.load(str(sink.outcomes["a"])).get_nrun() == 6
    assert sink.recorded == []  # the loops of a resumed run are not calibrated again


def test_calibration_falls_to_the_next_arm_and_then_fails_the_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers, sink = FakeWorkers(fail_on=["a"]), MemorySink()
    measure(tmp_path, monkeypatch, workers, sink)
    assert sink.recorded == [(SPEC.name, 64, "b")]
    workers, sink = FakeWorkers(fail_on=["a", "b", "c"]), MemorySink()
    measure(tmp_path, monkeypatch, workers, sink)
    assert set(sink.outcomes.values()) == {"calibration failed: ValueError: broken arm"}


def test_a_worker_with_other_loops_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class WrongLoops(FakeWorkers):
        def __call__(
            self, arm: Arm, command: Sequence[str], *, capture_stdout: bool = True
        ) -> subprocess.CompletedProcess[str]:
            command = [c if not c.startswith("--loops=") else "--loops=3" for c in command]
            return super().__call__(arm, command)

    sink = MemorySink(loops=8)
    measure(tmp_path, monkeypatch, WrongLoops(), sink, names=("a",), processes=2)
    assert "ran 3 loops, not 8" in str(sink.outcomes["a"])


def test_an_arm_measure_gets_every_benchmark_of_each_arm(tmp_path: Path) -> None:
    """The hook for a measure run once per arm (an instrumented interpreter)."""

    class PerArm:
        name = "counts"

        def __init__(self) -> None:
            self.calls: list[tuple[str, list[str], Path]] = []

        def run_arm(
            self,
            arm: Arm,
            specs: Sequence[catalog.BenchmarkSpec],
            fixture_dirs: Mapping[str, Path | None],
            out_dir: Path,
        ) -> dict[str, scheduler.Outcome]:
            self.calls.append((arm.name, [s.name for s in specs], out_dir))
            return {spec.name: out_dir / f"{spec.name}.json" for spec in specs}

    specs = catalog.expand(
        catalog.select_workloads(["protocol.sync_reference"]),
        overrides={"items": (10, 1000)},
    )
    per_arm = PerArm()
    found = scheduler.run_arm_measures(
        [per_arm], arms(["x", "y"]), specs, FixtureCache(tmp_path), lambda a, m: tmp_path / a.name
    )
    names = [spec.name for spec in specs]
    assert per_arm.calls == [("x", names, tmp_path / "x"), ("y", names, tmp_path / "y")]
    assert set(found) == {("counts", "x"), ("counts", "y")}
