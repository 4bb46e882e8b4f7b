"""The scheduler in this process: the order design, blocks, stamping, merging, failures.

Workers are replaced by a fake :func:`benchmarks.scheduler.spawn` that writes a one-run pyperf
file, so every property is checked exactly and fast. (Real workers: tests/test_matrix.py,
tests/test_interleaved_run.py.)
"""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyperf
import pytest

from benchmarks import blocks, catalog, scheduler
from benchmarks.fixtures import FixtureCache
from benchmarks.scheduler import Arm, Group

SPEC = catalog.expand(catalog.select_workloads(["protocol.sync_reference"]))[0]


# -- the order design ----------------------------------------------------------------------


def square_rows(arm_count: int) -> int:
    return arm_count if arm_count % 2 == 0 or arm_count == 1 else 2 * arm_count


@pytest.mark.parametrize("arm_count", [1, 2, 3, 4, 5, 6])
def test_every_square_is_balanced_for_position_and_carry_over(arm_count: int) -> None:
    rows = square_rows(arm_count)
    for seed in (0, 1, 12345):
        for square in range(3):
            orders = [blocks.worker_order(arm_count, square * rows + row, seed)
                      for row in range(rows)]  # fmt: skip
            for order in orders:  # every block runs every arm once
                assert sorted(order) == list(range(arm_count))
            for position in range(arm_count):  # every arm equally often in every position
                counts = Counter(order[position] for order in orders)
                assert set(counts.values()) == {rows // arm_count}
            assert carry_over_balanced(orders, arm_count)


def carry_over_balanced(orders: Sequence[Sequence[int]], arm_count: int) -> bool:
    """Whether every arm directly follows every other arm equally often in ``orders``."""
    follows = Counter(pair for order in orders for pair in itertools.pairwise(order))
    if arm_count == 1:
        return not follows
    return len(follows) == arm_count * (arm_count - 1) and len(set(follows.values())) == 1


def test_the_cyclic_rotation_used_before_fails_the_carry_over_check() -> None:
    """The check above can fail: in a rotation (0 1 2, 1 2 0, 2 0 1) 0 never follows 1."""
    rotations = [[(arm + shift) % 3 for arm in range(3)] for shift in range(3)]
    assert not carry_over_balanced(rotations, 3)


def test_the_order_is_a_pure_function_of_the_seed_and_varies() -> None:
    first = [blocks.worker_order(4, block, 7) for block in range(12)]
    assert first == [blocks.worker_order(4, block, 7) for block in range(12)]
    assert first != [blocks.worker_order(4, block, 8) for block in range(12)]
    assert len({tuple(order) for order in first}) > 1
    # Squares are drawn anew: the second square's rows come in another order than the first's.
    seeds_with_other_order = [
        seed
        for seed in range(20)
        if [blocks.worker_order(4, b, seed) for b in range(4)]
        != [blocks.worker_order(4, b, seed) for b in range(4, 8)]
    ]
    assert seeds_with_other_order
    assert blocks.new_design_seed() != blocks.new_design_seed()


def test_a_block_needs_an_arm() -> None:
    with pytest.raises(ValueError, match="at least one arm"):
        blocks.worker_order(0, 0, 1)


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
