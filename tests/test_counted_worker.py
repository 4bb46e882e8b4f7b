"""The instrumented process forks one child per benchmark (run natively here: no Valgrind)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from benchmarks.measured import catalog
from benchmarks.running import counted_worker, counting
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the counted worker forks")


def plan(runtime: str = "asyncio") -> dict[str, object]:
    workloads = [catalog.load_workload("protocol.sync_reference"),
                 catalog.load_workload("protocol.class_iterator")]  # fmt: skip
    specs = catalog.expand(workloads, overrides={"items": (10,)})[:2]
    arm = counting.CountArm("a", sys.executable, runtime, specs, {}, "r", "m", {})
    return counting.plan_document(arm, counting.CountSettings(warmups=1, values=2))


def test_every_benchmark_runs_in_a_child_of_its_own() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.running.counted_worker"],
        input=json.dumps(plan()), cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(completed.stdout)
    children = [entry["pid"] for entry in report["benchmarks"]]
    assert len(set(children)) == len(children) == 2
    assert report["pid"] not in children
    for entry in report["benchmarks"]:
        assert entry["error"] is None
        assert entry["regions"] == ["warmup", "value", "value"]


def test_a_child_that_dies_is_a_failed_benchmark_and_the_worker_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def dies(entry: object, plan: object) -> dict[str, object]:
        os._exit(3)

    monkeypatch.setattr(counted_worker, "count_benchmark", dies)
    entry = plan()["benchmarks"][0]  # type: ignore[index]
    report = counted_worker.count_in_child(entry, plan(), "some.benchmark")
    assert report["died"] is True
    assert report["regions"] == []
    assert report["error"] == "the benchmark's process died (exit code 3)"
    assert report["name"] == "some.benchmark"


def test_each_layout_of_a_benchmark_runs_in_a_child_of_its_own_in_order() -> None:
    document = plan()
    document["layouts"] = 3
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.running.counted_worker"],
        input=json.dumps(document), cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(completed.stdout)
    entries = report["benchmarks"]
    assert [entry["layout"] for entry in entries] == [0, 1, 2, 0, 1, 2]
    assert len({entry["pid"] for entry in entries}) == 6
    # each layout is a process of its own, forked before the imports, that forks the children
    assert len(set(report["layout_pids"])) == 3
    assert not set(report["layout_pids"]) & {entry["pid"] for entry in entries}
    names = [entry["name"] for entry in entries]
    assert names[:3] == [names[0]] * 3 and names[3:] == [names[3]] * 3 != names[:3]


#: The CPython versions whose ``tp_version_tag`` lies 384 bytes into a type object (64-bit).
TAG_AT_384 = ((3, 11), (3, 12), (3, 13))


def test_a_layout_step_moves_the_tags_of_types_made_after_it_and_keeps_those_before() -> None:
    """A layout is taken before the imports the regions need: a class made and tagged after it is
    tagged further on in each layout; a class tagged before it keeps its tag, so no specialised
    instruction that guards on it starts missing (read from the type object of CPython 3.11 to
    3.13, where ``tp_version_tag`` follows ``tp_del`` at the same offset). Taking every tag back,
    as an earlier version did, fails the second assertion."""
    if sys.implementation.name != "cpython" or sys.version_info[:2] not in TAG_AT_384:
        pytest.skip("the offset of tp_version_tag is read for CPython 3.11 to 3.13 only")
    script = (
        "import ctypes, sys; from benchmarks.running import counted_worker as w; "
        "tag = lambda t: ctypes.c_uint.from_address(id(t) + 384).value; "
        "Old = type('Old', (), {}); getattr(Old, 'x', None); before = tag(Old); "
        "w.shift_layout(int(sys.argv[1])); "
        "New = type('New', (), {}); getattr(New, 'x', None); getattr(Old, 'x', None); "
        "print(before, tag(Old), tag(New))"
    )

    def tags(step: int) -> tuple[int, int, int]:
        completed = subprocess.run([sys.executable, "-c", script, str(step)], cwd=REPO_ROOT,
                                   capture_output=True, text=True, check=True)  # fmt: skip
        before, old, new = completed.stdout.split()
        return int(before), int(old), int(new)

    layouts = [tags(step) for step in (0, 1, 3)]
    assert all(old == before for before, old, _ in layouts)
    (_, _, at_0), (_, _, at_1), (_, _, at_3) = layouts
    assert at_0 < at_1 < at_3
    assert at_3 - at_1 == 2 * counted_worker.LAYOUT_CLASSES_PER_STEP


def fake_layouts(monkeypatch: pytest.MonkeyPatch, dies_in: int | None = None) -> list[str]:
    """Replace what a layout process does with a record of the order it did it in (the forked
    processes inherit the patches and send the record back in their entries)."""
    events: list[str] = []
    monkeypatch.setattr(counted_worker, "shift_layout", lambda step: events.append(f"shift {step}"))
    monkeypatch.setattr(counted_worker, "import_history", lambda value: events.append("history"))

    def preload(plan: dict[str, object]) -> list[str]:
        events.append("preload")
        return ["first", "second"]

    def count_in_child(
        entry: object, plan: object, name: str, layout: int = 0
    ) -> dict[str, object]:
        if layout == dies_in:
            os._exit(3)
        return {"name": name, "layout": layout, "events": list(events), "error": None}

    monkeypatch.setattr(counted_worker, "preload", preload)
    monkeypatch.setattr(counted_worker, "count_in_child", count_in_child)
    return events


def test_each_layout_is_taken_before_the_history_imports_and_the_preload(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = fake_layouts(monkeypatch)
    document = plan()
    document["layouts"] = 3
    report = counted_worker.count_plan(document)
    assert events == []  # the top process did none of it
    entries = report["benchmarks"]
    assert [entry["name"] for entry in entries] == ["first"] * 3 + ["second"] * 3
    for entry in entries:
        assert entry["events"] == [f"shift {entry['layout']}", "history", "preload"]
    assert len(report["layout_pids"]) == 3


def test_a_layout_process_that_dies_fails_its_layout_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_layouts(monkeypatch, dies_in=1)
    document = plan()
    document["layouts"] = 3
    report = counted_worker.count_plan(document)
    entries = report["benchmarks"]
    assert [entry["layout"] for entry in entries] == [0, 1, 2, 0, 1, 2]
    dead = [entry for entry in entries if entry["layout"] == 1]
    assert [entry["name"] for entry in dead] == ["first", "second"]  # named from layout 0
    for entry in dead:
        assert entry["died"] is True and entry["regions"] == []
        assert entry["error"] == "layout 1's process died (exit code 3)"
    assert all(entry["error"] is None for entry in entries if entry["layout"] != 1)
    assert len(report["layout_pids"]) == 2  # the dead layout's dumps are not read


def test_a_child_whose_failure_report_fails_still_exits_and_is_reported_dead() -> None:
    parent = os.getpid()

    def body() -> object:
        raise RuntimeError("the benchmark failed")

    def died_report(why: str) -> dict[str, str]:
        if os.getpid() != parent:
            raise RuntimeError("the report of the failure failed too")
        return {"error": why}

    report, pid = counted_worker.forked(body, died_report, "the benchmark's process")
    assert os.getpid() == parent
    assert report == {"error": "the benchmark's process died (exit code 1)"}
    assert pid != parent
