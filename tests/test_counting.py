"""The instructions measure: callgrind dumps mapped to regions, refused when out of step."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyperf
import pytest

from benchmarks.measured import catalog
from benchmarks.running import counting, harness
from benchmarks.storage.results import Cell, suite_path

START, END = counting.START_TRIGGER, counting.END_TRIGGER
SUITE = Path(counting.__file__).resolve().parents[1]
TERMINATION = "Program termination"


def dumps_for(counts: list[int]) -> list[tuple[str, int]]:
    """The dump sequence of a well-behaved process whose regions cost ``counts``."""
    sequence: list[tuple[str, int]] = []
    for count in counts:
        sequence += [(START, 999_999), (END, count)]
    return [*sequence, (TERMINATION, 5)]


def test_region_counts_are_the_end_dumps_in_order() -> None:
    assert counting.region_counts(dumps_for([10, 20, 30]), 3) == [10, 20, 30]


def test_no_region_is_only_the_termination_dump() -> None:
    assert counting.region_counts([(TERMINATION, 5)], 0) == []


def test_a_stray_start_marker_inside_a_region_is_refused() -> None:
    # getppid called by the workload (libuv's uv_os_getppid): one more dump, out of turn.
    sequence = dumps_for([10, 20])
    sequence.insert(2, (START, 4))
    with pytest.raises(counting.CountingError, match="dumps for 2 regions"):
        counting.region_counts(sequence, 2)


def test_dumps_out_of_turn_are_refused_even_when_their_number_fits() -> None:
    sequence = dumps_for([10, 20])
    sequence[1], sequence[2] = sequence[2], sequence[1]  # start, start, end, end
    with pytest.raises(counting.CountingError, match="was due"):
        counting.region_counts(sequence, 2)


def test_dump_files_are_ordered_by_part_then_the_termination_dump(tmp_path: Path) -> None:
    base = tmp_path / "callgrind"
    for name in ("callgrind.10", "callgrind.2", "callgrind.1", "callgrind", "callgrind.x"):
        (tmp_path / name).write_text("")
    names = [p.name for p in counting.dump_files(base)]
    assert names == ["callgrind.1", "callgrind.2", "callgrind.10", "callgrind"]


def test_read_dump_takes_the_trigger_and_the_summary(tmp_path: Path) -> None:
    dump = tmp_path / "callgrind.3"
    dump.write_text(
        "version: 1\ncreator: callgrind-3.19.0\npid: 7\ncmd: python\npart: 3\n"
        "desc: Trigger: --dump-before=getpgrp\n\npositions: line\nevents: Ir\n"
        "summary: 26311610\n\nfn=(1) main\n0 5\ntotals: 26311616\n"
    )
    assert counting.read_dump(dump) == (END, 26311610)


def test_a_truncated_dump_is_refused(tmp_path: Path) -> None:
    dump = tmp_path / "callgrind.1"
    dump.write_text("desc: Trigger: --dump-before=getppid\nevents: Ir\n")
    with pytest.raises(counting.CountingError, match="no summary line"):
        counting.read_dump(dump)


def test_both_is_time_and_instructions() -> None:
    assert counting.measures_of("both") == ("time", "instructions")
    assert counting.measures_of("instructions") == ("instructions",)
    with pytest.raises(ValueError, match="valid measures: time, instructions, both"):
        counting.measures_of("cycles")


def test_settings_refuse_zero_processes_or_values() -> None:
    with pytest.raises(ValueError, match="at least 1 process"):
        counting.CountSettings(processes=0).check()
    with pytest.raises(ValueError, match="at least 1 process"):
        counting.CountSettings(values=0).check()


def test_instruction_cells_are_their_own_cells_and_files(tmp_path: Path) -> None:
    timed = Cell("b", "trio", "w", {})
    counted = Cell("b", "trio", "w", {}, "instructions")
    assert timed.key != counted.key
    assert suite_path(tmp_path, "trio") == tmp_path / "trio.json"
    assert suite_path(tmp_path, "trio", "instructions") == tmp_path / "trio.instructions.json"


def test_injected_work_is_parsed_strictly() -> None:
    assert harness.parse_work("") == {}
    assert harness.parse_work('{"a[x=1]": 40}') == {"a[x=1]": 40}
    assert harness.parse_work('{"a[x=1]@trio": 1.4679}') == {"a[x=1]@trio": 1.4679}
    for bad in ("[1]", '{"a": -1}', '{"a": NaN}', '{"a": Infinity}', '{"a": true}', "{"):
        with pytest.raises(ValueError, match=harness.WORK_ENV):
            harness.parse_work(bad)


def test_injected_work_of_a_runtime_takes_precedence_over_the_benchmarks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(harness.WORK_ENV, '{"b": 2, "b@trio": 5.5}')
    harness.injected_work.cache_clear()
    try:
        assert harness.work_per_item("b", "trio") == 5.5
        assert harness.work_per_item("b", "asyncio") == 2
        assert harness.work_per_item("other", "trio") == 0
    finally:
        monkeypatch.delenv(harness.WORK_ENV)
        harness.injected_work.cache_clear()


def test_work_for_a_slowdown_is_fractional_so_small_items_get_their_share() -> None:
    # 290 instructions of 1% on a 29 047-instruction item at 198 per turn: 1.47 turns, not 1.
    turns = counting.work_for_slowdown(29_047, 0.01, 197.9)
    assert turns == pytest.approx(1.4678, abs=1e-4)
    assert round(turns * 1000) * 197.9 / (29_047 * 1000) == pytest.approx(0.01, rel=0.001)


def test_the_instrumented_command_runs_the_counted_worker_under_callgrind(tmp_path: Path) -> None:
    command = counting.instrumented_command("py", tmp_path)
    valgrind = command.index("valgrind")
    assert command[valgrind + 1 : valgrind + 4] == [
        "--tool=callgrind",
        "--dump-before=getppid",
        "--dump-before=getpgrp",
    ]
    # One set of dump files per process: the worker's and each benchmark's forked child's.
    assert f"--callgrind-out-file={tmp_path}/callgrind.%p" in command
    # The plan comes on standard input: the command line is the same in every run.
    assert command[command.index("py") :] == counting.worker_command("py")
    assert command[-1] == "benchmarks.running.counted_worker"


def test_the_worker_environment_is_minimal_and_seeded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NOISE", "x" * 100)
    arm = counting.CountArm("a", "py", "asyncio", [], {}, "r", "m", {})
    environ = counting.worker_environ(arm)
    assert environ["PYTHONHASHSEED"] == counting.HASH_SEED
    assert "SOME_NOISE" not in environ


def test_counts_record_the_suite_folder_and_the_fixture_root_they_ran_with(tmp_path: Path) -> None:
    """compare floors the threshold when either differs in length between two sides."""
    fixtures = tmp_path / "fixture root" / "zip-1234"
    arm = counting.CountArm("a", "py", "asyncio", [], {"io.x": fixtures, "protocol.y": None},
                            "r", "m", {}, cwd=tmp_path)  # fmt: skip
    metadata = counting.counting_metadata(arm)
    assert metadata["count_suite_folder"] == str(tmp_path.resolve())
    assert metadata["count_fixture_root"] == str(tmp_path / "fixture root")
    plain = counting.counting_metadata(
        counting.CountArm("a", "py", "asyncio", [], {}, "r", "m", {})
    )
    assert plain["count_suite_folder"] == str(counting.SUITE_SOURCE)
    assert "count_fixture_root" not in plain


def write_dumps(folder: Path, pid: int, triggers: list[str], totals: list[int]) -> None:
    """Fake callgrind files of process ``pid``: numbered dumps, then the termination dump."""
    base = counting.dumps_of(folder, pid)
    for number, (trigger, total) in enumerate(zip(triggers, totals, strict=True), start=1):
        Path(f"{base}.{number}").write_text(f"desc: Trigger: {trigger}\nsummary: {total}\n")
    base.write_text(f"desc: Trigger: {TERMINATION}\nsummary: 1\n")


def child_dumps(folder: Path, pid: int, ends: list[int]) -> None:
    triggers, totals = [], []
    for end in ends:
        triggers += [counting.START_TRIGGER, counting.END_TRIGGER]
        totals += [999, end]
    write_dumps(folder, pid, triggers, totals)


def test_each_benchmark_is_counted_from_its_own_childs_dumps(tmp_path: Path) -> None:
    write_dumps(tmp_path, 100, [], [])
    child_dumps(tmp_path, 101, [10, 11])
    child_dumps(tmp_path, 102, [20, 21])
    report = {"pid": 100, "benchmarks": [  # warm-ups run without markers: no dumps
        {"pid": 101, "regions": ["warmup", "value", "value"]},
        {"pid": 102, "regions": ["warmup", "value", "failed"]},
    ]}  # fmt: skip
    assert counting.report_counts(report, tmp_path) == [10, 11, 20, 21]


def test_a_warmup_that_made_dumps_is_refused(tmp_path: Path) -> None:
    write_dumps(tmp_path, 100, [], [])
    child_dumps(tmp_path, 101, [10, 11])  # two dump pairs, one counted region
    report = {"pid": 100, "benchmarks": [{"pid": 101, "regions": ["warmup", "value"]}]}
    with pytest.raises(counting.CountingError, match="callgrind made 5 dumps for 1 regions"):
        counting.report_counts(report, tmp_path)


def test_a_marker_called_in_the_worker_itself_is_refused(tmp_path: Path) -> None:
    write_dumps(tmp_path, 100, [counting.START_TRIGGER], [5])
    child_dumps(tmp_path, 101, [10])
    report = {"pid": 100, "benchmarks": [{"pid": 101, "regions": ["value"]}]}
    with pytest.raises(counting.CountingError, match="outside the harness"):
        counting.report_counts(report, tmp_path)


def test_a_marker_called_in_a_layout_process_is_refused(tmp_path: Path) -> None:
    write_dumps(tmp_path, 100, [], [])
    write_dumps(tmp_path, 200, [], [])
    write_dumps(tmp_path, 201, [counting.END_TRIGGER], [5])  # layout 1's own process
    child_dumps(tmp_path, 101, [10])
    child_dumps(tmp_path, 102, [11])
    report = {"pid": 100, "layout_pids": [200, 201], "benchmarks": [
        {"pid": 101, "regions": ["value"], "layout": 0},
        {"pid": 102, "regions": ["value"], "layout": 1},
    ]}  # fmt: skip
    with pytest.raises(counting.CountingError, match="outside the harness"):
        counting.report_counts(report, tmp_path)
    Path(f"{counting.dumps_of(tmp_path, 201)}.1").unlink()  # without the stray marker
    assert counting.report_counts(report, tmp_path) == [10, 11]


def test_a_child_that_died_is_skipped_and_the_others_still_count(tmp_path: Path) -> None:
    write_dumps(tmp_path, 100, [], [])
    write_dumps(tmp_path, 101, [counting.START_TRIGGER], [7])  # died inside its region
    child_dumps(tmp_path, 102, [20])
    report = {"pid": 100, "benchmarks": [
        {"pid": 101, "regions": [], "died": True},
        {"pid": 102, "regions": ["value"]},
    ]}  # fmt: skip
    assert counting.report_counts(report, tmp_path) == [20]


def test_every_arm_runs_natively_before_any_instrumented_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The dry runs write the bytecode the instrumented processes load: none may start before
    every dry run has ended, whatever the pool's order."""
    from benchmarks.measured import catalog

    events: list[str] = []

    def run_child(command, **kwargs):  # type: ignore[no-untyped-def]
        plan = kwargs["stdin"]
        events.append(f"dry {json.loads(plan)['runtime']} values={json.loads(plan)['values']}")
        return subprocess.CompletedProcess(command, 0, "", "")

    def run_process(arm, settings, index, scratch):  # type: ignore[no-untyped-def]
        events.append(f"counted {arm.runtime}")
        return counting.ProcessResult(error="not counted in this test")

    monkeypatch.setattr(counting.interrupt, "run_child", run_child)
    monkeypatch.setattr(counting, "run_process", run_process)
    monkeypatch.setattr(counting, "describe_arm", lambda arm, settings, scratch: "described")
    spec = catalog.expand([catalog.load_workload("protocol.sync_reference")])[0]
    arms = [counting.CountArm(f"a{n}", "py", runtime, [spec], {}, "r", "m", {})
            for n, runtime in enumerate(["asyncio", "trio"])]  # fmt: skip
    counting.count_arms(arms, counting.CountSettings(processes=2, jobs=2), tmp_path,
                        lambda arm, results: None)  # fmt: skip
    dry = [e for e in events if e.startswith("dry")]
    assert sorted(dry) == ["dry asyncio values=0", "dry trio values=0"]
    assert events[: len(dry)] == dry
    assert len(events) == len(dry) + 4


def test_a_dry_run_writes_the_bytecode_of_what_its_regions_import(tmp_path: Path) -> None:
    from benchmarks.measured import catalog

    source = tmp_path / "suite"
    shutil.copytree(SUITE, source / "benchmarks", ignore=shutil.ignore_patterns("__pycache__"))
    workload = catalog.load_workload("protocol.sync_reference")
    spec = catalog.expand([workload], overrides={"items": (10,)})[0]
    arm = counting.CountArm("a", sys.executable, "asyncio", [spec], {}, "r", "m", {}, cwd=source)
    counting.compile_sources([arm], counting.CountSettings(jobs=1))
    compiled = {p.parent.parent.name for p in source.rglob("__pycache__/*.pyc")}
    assert {"running", "measured", "protocol"} <= compiled


def test_the_cpu_feature_fingerprint_follows_the_flags_not_their_order(tmp_path: Path) -> None:
    one, other, same, none = (tmp_path / name for name in ("one", "other", "same", "none"))
    one.write_text("model name\t: X\nflags\t\t: sse2 avx2 fma\n", encoding="utf-8")
    same.write_text("flags\t\t: fma sse2 avx2\nmodel name\t: Y\n", encoding="utf-8")
    other.write_text("flags\t\t: sse2 avx2 fma avx512f\n", encoding="utf-8")
    none.write_text("model name\t: X\n", encoding="utf-8")
    fingerprint = counting.cpu_features.__wrapped__
    assert len(fingerprint(one)) == 12 and int(fingerprint(one), 16) >= 0
    assert fingerprint(one) == fingerprint(same) != fingerprint(other)
    assert fingerprint(none) == fingerprint(tmp_path / "missing") == "unknown"


def test_a_process_run_holds_the_values_of_all_its_layouts_in_order() -> None:
    """Entries of one benchmark's layouts make one pyperf run per process, with its layouts."""
    workload = catalog.load_workload("protocol.sync_reference")
    spec = catalog.expand([workload], overrides={"items": (10,)})[0]
    arm = counting.CountArm("a", "py", "asyncio", [spec], {}, "r", "m", {})
    entries = [
        {
            "name": spec.name,
            "loops": 1,
            "inner_loops": 10,
            "regions": ["warmup", "value"],
            "error": None,
            "pid": 200 + layout,
            "layout": layout,
        }
        for layout in range(3)
    ]
    process = counting.ProcessResult(report={"pid": 1, "benchmarks": entries},
                                     counts=[1000, 1010, 1500])  # fmt: skip
    description = {"pyperf_metadata": {}, "benchmarks": {spec.name: {}}}
    results = counting.benchmarks_of(arm, description, [process, process])
    benchmark = results[spec.name]
    assert isinstance(benchmark, pyperf.Benchmark)
    assert [run.values for run in benchmark.get_runs()] == [(100.0, 101.0, 150.0)] * 2
    assert benchmark.get_metadata()["count_layouts"] == 3


def test_settings_refuse_zero_layouts() -> None:
    with pytest.raises(ValueError, match="1 layout"):
        counting.CountSettings(layouts=0).check()
