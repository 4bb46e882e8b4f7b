"""Every protocol workload returns its verified result on every runtime, at every ladder size,
and its check catches an item lost, repeated or out of place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from benchmarks.measured import catalog
from benchmarks.measured.workload import Case, WrongResult
from benchmarks.measured.workloads.protocol import _common
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running.harness import time_batch

PROTOCOL_SPECS = catalog.expand(catalog.select_workloads(["protocol.*"]), ladder=True)
SMALL_SPECS = [spec for spec in PROTOCOL_SPECS if spec.params.get("items", 0) <= 1_000]


@pytest.mark.parametrize("spec", SMALL_SPECS, ids=lambda spec: spec.name)
def test_protocol_workload_gives_verified_result(
    spec: catalog.BenchmarkSpec, runtime_name: str
) -> None:
    case = Case(spec.params)
    reason = spec.workload.unsupported(runtime_name, case)
    if reason is not None:
        pytest.skip(reason)
    # time_batch raises WrongResult when the result differs from the expected one.
    time_batch(3, RUNTIMES[runtime_name], spec.workload, case)


def test_every_protocol_workload_has_both_flavours_and_a_ladder() -> None:
    names = {spec.workload.name for spec in PROTOCOL_SPECS}
    assert len(names) == 9
    for workload in catalog.select_workloads(["protocol.*"]):
        assert workload.params["items"] == (10, 1_000, 100_000)
        if workload.name != "protocol.sync_reference":
            assert set(workload.params["mode"]) == {"nosuspend", "checkpoint"}
            assert set(workload.params["api"]) == {"anyio", "native"}
        for part in ("Unit:", "Checked:", "Why:"):
            assert part in workload.description, f"{workload.name} docstring lacks {part}"


def test_native_checkpoint_exists_only_in_checkpoint_mode() -> None:
    """``nosuspend`` calls no primitive, so it has no ``api=native`` twin in any selection."""
    for spec in PROTOCOL_SPECS:
        if spec.params.get("api") == "native":
            assert spec.params["mode"] == "checkpoint", spec.name
    workload = catalog.load_workload("protocol.async_generator")
    assert {(c["mode"], c["api"]) for c in workload.cases()} == {
        ("nosuspend", "anyio"),
        ("checkpoint", "anyio"),
        ("checkpoint", "native"),
    }


def test_a_wrong_result_fails_loudly(runtime_name: str) -> None:
    workload = catalog.load_workload("protocol.async_generator")
    case = Case({"mode": "nosuspend", "api": "anyio", "items": 10})
    wrong = type(workload)(**{**workload.__dict__, "expected": lambda case: -1})
    with pytest.raises(WrongResult, match=r"returned \(10, 330\), expected -1"):
        time_batch(1, RUNTIMES[runtime_name], wrong, case)


async def first_item_twice(end: int) -> AsyncIterator[int]:
    yield 0
    for value in range(end):
        yield value


async def first_item_lost(end: int) -> AsyncIterator[int]:
    for value in range(1, end):
        yield value


async def two_items_swapped(end: int) -> AsyncIterator[int]:
    yield 1
    yield 0
    for value in range(2, end):
        yield value


@pytest.mark.parametrize("broken", [first_item_twice, first_item_lost, two_items_swapped])
@pytest.mark.parametrize(
    "name", ["protocol.anext_skip_first", "protocol.async_generator", "protocol.async_genexpr"]
)
def test_the_check_sees_an_item_lost_repeated_or_swapped(
    name: str, broken: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain sum cannot see a lost or repeated 0 (the anext() item); the weighted one does."""
    monkeypatch.setattr(_common, "async_range", broken)
    workload = catalog.load_workload(name)
    case = Case({"mode": "nosuspend", "api": "anyio", "items": 100})
    with pytest.raises(WrongResult):
        time_batch(1, RUNTIMES["asyncio"], workload, case)


def test_weighted_checksum_matches_a_direct_sum() -> None:
    for count in (0, 1, 2, 10, 1_000):
        direct = sum((position + 1) * value for position, value in enumerate(range(count)))
        assert _common.weighted_checksum(count) == (count, direct)


@pytest.mark.parametrize("close", ["aclosing", "abandon"])
def test_anext_stop_at_n_finalizes_its_generator_inside_the_value(
    close: str, runtime_name: str
) -> None:
    workload = catalog.load_workload("protocol.anext_stop_at_n")
    for mode in ("nosuspend", "checkpoint"):
        case = Case({"mode": mode, "api": "anyio", "close": close, "items": 100})
        assert workload.expected is not None and workload.expected(case)[2] == 1
        time_batch(3, RUNTIMES[runtime_name], workload, case)


def test_abandoned_generator_not_yet_finalized_fails_the_check(
    runtime_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without awaiting the loop's finalizer, the abandoned generator's ``finally`` has not run
    when the value ends, and the check says so (on every runtime)."""
    module = pytest.importorskip("benchmarks.measured.workloads.protocol.anext_stop_at_n")
    monkeypatch.setattr(module, "MAX_FINALIZER_ROUNDS", 0)
    case = Case({"mode": "checkpoint", "api": "anyio", "close": "abandon", "items": 10})
    with pytest.raises(WrongResult, match=r"expected \(10, 330, 1\)"):
        time_batch(1, RUNTIMES[runtime_name], module.WORKLOAD, case)
