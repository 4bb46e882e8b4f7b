"""Every protocol workload returns its verified result on every runtime, at every ladder size."""

from __future__ import annotations

import pytest

from benchmarks import catalog
from benchmarks.harness import time_batch
from benchmarks.runtimes import RUNTIMES
from benchmarks.workload import Case, WrongResult

PROTOCOL_SPECS = catalog.expand(catalog.select_workloads(["protocol.*"]), ladder=True)
SMALL_SPECS = [spec for spec in PROTOCOL_SPECS if spec.params.get("items", 0) <= 1_000]


@pytest.mark.parametrize("spec", SMALL_SPECS, ids=lambda spec: spec.name)
def test_protocol_workload_gives_verified_result(
    spec: catalog.BenchmarkSpec, runtime_name: str
) -> None:
    elapsed = time_batch(3, RUNTIMES[runtime_name], spec.workload, Case(spec.params))
    assert elapsed > 0


def test_every_protocol_workload_has_both_flavours_and_a_ladder() -> None:
    names = {spec.workload.name for spec in PROTOCOL_SPECS}
    assert len(names) == 9
    for workload in catalog.select_workloads(["protocol.*"]):
        assert workload.params["items"] == (10, 1_000, 100_000)
        if workload.name != "protocol.sync_reference":
            assert set(workload.params["mode"]) == {"nosuspend", "checkpoint"}
        assert "Unit:" in workload.description and "Why:" in workload.description


def test_a_wrong_result_fails_loudly(runtime_name: str) -> None:
    workload = catalog.load_workload("protocol.async_generator")
    case = Case({"mode": "nosuspend", "items": 10})
    wrong = type(workload)(**{**workload.__dict__, "expected": lambda case: -1})
    with pytest.raises(WrongResult, match="returned 45, expected -1"):
        time_batch(1, RUNTIMES[runtime_name], wrong, case)


def test_checkpoint_flavour_really_yields_to_the_scheduler(runtime_name: str) -> None:
    """Another task runs during a checkpoint-flavour iteration, and never during a nosuspend one."""
    import anyio

    async def progress_of_other_task(mode: str) -> int:
        ticks = 0

        async def other() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await anyio.lowlevel.checkpoint()

        workload = catalog.load_workload("protocol.class_iterator")
        run_once = workload.prepare(Case({"mode": mode, "items": 100}))  # type: ignore[misc]
        async with anyio.create_task_group() as group:
            group.start_soon(other)
            await anyio.lowlevel.cancel_shielded_checkpoint()
            before = ticks
            await run_once()
            after = ticks
            group.cancel_scope.cancel()
        return after - before

    runtime = RUNTIMES[runtime_name]
    assert runtime.run(progress_of_other_task, "nosuspend") == 0
    assert runtime.run(progress_of_other_task, "checkpoint") >= 50
