"""Checkpoint modes really suspend once per item, on every runtime, for both APIs.

A probe task counts its own scheduler round trips while one ``run_once`` of a workload runs.
When the workload checkpoints once per item, the probe runs once per item; when a checkpoint is
removed, the count drops and these tests fail, which the ``*_no_op`` tests demonstrate by
replacing the checkpoints with coroutines that never suspend.
"""

from __future__ import annotations

import dataclasses

import anyio
import anyio.lowlevel
import pytest

from benchmarks.measured import catalog
from benchmarks.measured.workload import Case, Workload
from benchmarks.platform.native import _anyio
from benchmarks.platform.runtimes import RUNTIMES

PROTOCOL = [
    w for w in catalog.select_workloads(["protocol.*"]) if w.name != "protocol.sync_reference"
]
ITEMS = 1_000


async def no_op() -> None:
    """A checkpoint that forgot to suspend."""


async def round_trips_during_run(workload: Workload, case: Case) -> int:
    """How many times a probe task ran while one ``run_once`` of the case ran."""
    ticks = 0

    async def probe() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await anyio.lowlevel.checkpoint()

    async with workload.open(case) as run_once, anyio.create_task_group() as group:
        group.start_soon(probe)
        await anyio.lowlevel.cancel_shielded_checkpoint()
        before = ticks
        result = await run_once()
        after = ticks
        group.cancel_scope.cancel()
    workload.check(case, result)
    return after - before


def probe(runtime_name: str, workload: Workload, params: dict[str, int | str]) -> int:
    runtime = RUNTIMES[runtime_name]
    case = Case(params, runtime=runtime)
    reason = workload.unsupported(runtime_name, case)
    if reason is not None:
        pytest.skip(reason)
    return runtime.run(round_trips_during_run, workload, case)


def protocol_params(workload: Workload, mode: str, api: str = "anyio") -> dict[str, int | str]:
    params = dict(workload.cases(overrides={"items": (ITEMS,), "mode": (mode,)})[0])
    params["api"] = api
    if "close" in params:
        params["close"] = "aclosing"  # abandon adds the finalizer's rounds (tested below)
    return params


def assert_once_per_item(ticks: int, items: int) -> None:
    # +-1 for where the probe's turn falls in the first and last scheduler batch (trio runs a
    # batch in random order), +1 for a run that ends with a checkpoint.
    assert items - 1 <= ticks <= items + 2, f"{ticks} scheduler round trips for {items} items"


# -- protocol family ----------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["anyio", "native"])
@pytest.mark.parametrize("workload", PROTOCOL, ids=lambda w: w.name)
def test_protocol_checkpoint_mode_suspends_once_per_item(
    workload: Workload, api: str, runtime_name: str
) -> None:
    params = protocol_params(workload, "checkpoint", api)
    assert_once_per_item(probe(runtime_name, workload, params), ITEMS)


@pytest.mark.parametrize("workload", PROTOCOL, ids=lambda w: w.name)
def test_protocol_nosuspend_mode_never_suspends(workload: Workload, runtime_name: str) -> None:
    assert probe(runtime_name, workload, protocol_params(workload, "nosuspend")) == 0


def test_abandon_adds_only_the_finalizer_rounds(runtime_name: str) -> None:
    workload = catalog.load_workload("protocol.anext_stop_at_n")
    params = {"mode": "checkpoint", "api": "anyio", "close": "abandon", "items": ITEMS}
    ticks = probe(runtime_name, workload, params)
    assert ITEMS < ticks <= ITEMS + 5, f"{ticks} scheduler round trips for {ITEMS} items"
    nosuspend = probe(runtime_name, workload, {**params, "mode": "nosuspend"})
    assert 1 <= nosuspend <= 5, f"{nosuspend} rounds for the finalizer alone"


@pytest.mark.parametrize("api", ["anyio", "native"])
@pytest.mark.parametrize("workload", PROTOCOL, ids=lambda w: w.name)
def test_protocol_check_fails_when_the_checkpoint_is_a_no_op(
    workload: Workload, api: str, runtime_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing the checkpoint (anyio's, or the runtime's own) makes the test above fail."""
    if api == "anyio":
        monkeypatch.setattr(_anyio.AnyioPrimitives, "checkpoint", staticmethod(no_op))
    else:
        adapter = type(RUNTIMES[runtime_name].native())
        monkeypatch.setattr(adapter, "checkpoint", staticmethod(no_op))
    params = protocol_params(workload, "checkpoint", api)
    with pytest.raises(AssertionError, match="scheduler round trips"):
        assert_once_per_item(probe(runtime_name, workload, params), ITEMS)


# -- concurrency family -------------------------------------------------------------------------

COUNTERS, STEPS = 4, 10


def counters_params(workload: Workload, api: str = "anyio") -> dict[str, int | str]:
    params: dict[str, int | str] = {"delay": "checkpoint", "counters": COUNTERS, "steps": STEPS}
    if "api" in workload.params:
        params["api"] = api
    return params


@pytest.mark.parametrize("api", ["anyio", "native"])
def test_sequential_counters_suspend_once_per_step(api: str, runtime_name: str) -> None:
    workload = catalog.load_workload("concurrency.counters_sequential")
    ticks = probe(runtime_name, workload, counters_params(workload, api))
    assert_once_per_item(ticks, COUNTERS * STEPS)


@pytest.mark.parametrize(
    ("name", "api"),
    [
        ("concurrency.counters_task_group", "anyio"),
        ("concurrency.counters_task_group", "native"),
        ("concurrency.counters_gather", "anyio"),  # anyio's checkpoint; gather has no api
    ],
)
def test_concurrent_counters_suspend_once_per_step_each(
    name: str, api: str, runtime_name: str
) -> None:
    """All counters step once per scheduler round: the probe runs once per step of each."""
    workload = catalog.load_workload(name)
    ticks = probe(runtime_name, workload, counters_params(workload, api))
    # One round per step, plus the rounds that start the tasks and see them finish.
    assert STEPS - 1 <= ticks <= STEPS + 4, f"{ticks} scheduler round trips for {STEPS} steps"


def test_counters_check_fails_when_the_checkpoint_is_a_no_op(
    runtime_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_anyio.AnyioPrimitives, "checkpoint", staticmethod(no_op))
    workload = catalog.load_workload("concurrency.counters_sequential")
    with pytest.raises(AssertionError, match="scheduler round trips"):
        assert_once_per_item(
            probe(runtime_name, workload, counters_params(workload)), COUNTERS * STEPS
        )


def test_counters_check_tells_concurrent_from_sequential(runtime_name: str) -> None:
    """A 'concurrent' consumer that really runs the counters one by one fails its check."""
    from benchmarks.measured.workload import WrongResult
    from benchmarks.running.harness import time_batch

    concurrent = catalog.load_workload("concurrency.counters_task_group")
    sequential = catalog.load_workload("concurrency.counters_sequential")
    assert sequential.prepare is not None
    fake = dataclasses.replace(concurrent, prepare=sequential.prepare)
    case = Case({"api": "anyio", "delay": "checkpoint", "counters": 3, "steps": 10})
    with pytest.raises(WrongResult, match=r"returned \(3, 30, 1\), expected \(3, 30, 3\)"):
        time_batch(1, RUNTIMES[runtime_name], fake, case)


# -- generators family --------------------------------------------------------------------------


def test_aclose_with_async_cleanup_suspends_once_per_generator(runtime_name: str) -> None:
    workload = catalog.load_workload("generators.aclose")
    ticks = probe(runtime_name, workload, {"cleanup": "checkpoint", "generators": ITEMS})
    assert_once_per_item(ticks, ITEMS)
    assert probe(runtime_name, workload, {"cleanup": "none", "generators": ITEMS}) == 0


def test_aclose_check_fails_when_the_cleanup_checkpoint_is_a_no_op(
    runtime_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = pytest.importorskip("benchmarks.measured.workloads.generators.aclose")
    monkeypatch.setattr(module, "checkpoint", no_op)
    with pytest.raises(AssertionError, match="scheduler round trips"):
        ticks = probe(runtime_name, module.WORKLOAD, {"cleanup": "checkpoint", "generators": 50})
        assert_once_per_item(ticks, 50)


def test_cancel_mid_iteration_suspends_once_per_item(runtime_name: str) -> None:
    workload = catalog.load_workload("generators.cancel_mid_iteration")
    ticks = probe(runtime_name, workload, {"items": 10})
    # Ten items, then the checkpoint(s) until the runtime delivers the cancellation (trio
    # processes deadlines once per scheduler batch).
    assert 10 <= ticks <= 10 + 4, f"{ticks} scheduler round trips for 10 items"
