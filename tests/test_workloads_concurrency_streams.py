"""The concurrency and streams workloads: verified results on every runtime, n/a reasons where a
variant cannot run, achieved concurrency where it is the point, and no leaked threads or sockets."""

from __future__ import annotations

import importlib
import os
import socket
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest

from benchmarks.measured import catalog
from benchmarks.measured.workload import Case, RunOnce, Workload
from benchmarks.measured.workloads.concurrency import _counter
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running.harness import time_batch

PATTERNS = ["concurrency.*", "streams.*"]
WORKLOADS = catalog.select_workloads(PATTERNS)
LADDER_SPECS = catalog.expand(WORKLOADS, ladder=True)

EXPECTED_WORKLOADS = {
    "concurrency.counters_sequential",
    "concurrency.counters_task_group",
    "concurrency.counters_gather",
    "concurrency.fan_in",
    "streams.memory_stream",
    "streams.tcp_stream",
    "streams.tcp_lines",
}


def is_small(spec: catalog.BenchmarkSpec) -> bool:
    """Cases that take well under a second per run on every runtime."""
    params = spec.params
    if spec.workload.name == "concurrency.fan_in":
        return True
    if spec.workload.family == "concurrency":
        if params["counters"] == 10_000 or params["steps"] != 10:
            return False
        sequential = spec.workload.name == "concurrency.counters_sequential"
        # 100 counters sleeping one after the other take 2 s per run.
        return not (sequential and params["delay"] == "latency" and params["counters"] == 100)
    return (
        int(params.get("items", 0)) <= 1_000
        and int(params.get("chunks", 0)) <= 100
        and int(params.get("lines", 0)) <= 10_000
    )


SMALL_SPECS = [spec for spec in LADDER_SPECS if is_small(spec)]


def open_fds() -> int | None:
    fd_dir = "/proc/self/fd"
    return len(os.listdir(fd_dir)) if os.path.isdir(fd_dir) else None


async def _nothing() -> None:
    pass


@pytest.fixture(scope="module", autouse=True)
def runtimes_initialised() -> None:
    """Start every runtime once first: uvloop opens libuv's process-wide signal pipe (2 fds) on
    its first loop and keeps it for the life of the process. That is not a workload's leak."""
    for runtime in RUNTIMES.values():
        if runtime.unavailable_reason() is None:
            runtime.run(_nothing)


def assert_one_line_reason(reason: str | None) -> None:
    assert reason, "an unsupported cell needs a reason"
    assert "\n" not in reason and len(reason) <= 120


def test_the_workloads_are_discovered_with_docs() -> None:
    assert {workload.name for workload in WORKLOADS} == EXPECTED_WORKLOADS
    for workload in WORKLOADS:
        for part in ("Measures:", "Unit:", "Checked:", "Why:"):
            assert part in workload.description, f"{workload.name} docstring lacks {part}"
    for family in ("concurrency", "streams"):
        package = importlib.import_module(f"benchmarks.measured.workloads.{family}")
        assert package.__doc__, f"the {family} family needs a docstring"


def test_default_matrix_is_small() -> None:
    """The checkpoint delay of the sequential and task-group consumers at 2 counters (the task
    group with both APIs); fan-in at 16 sources; a 64-slot buffer, 1 KiB TCP chunks and 10 000
    lines, with both APIs. Latency cells, gather and the other buffers are on --ladder."""
    default_specs = catalog.expand([w for w in WORKLOADS if w.in_default_run])
    assert len(default_specs) == 10
    assert {s.params.get("delay") for s in default_specs} == {None, "checkpoint"}
    for spec in default_specs:
        if "counters" in spec.params:
            assert (spec.params["counters"], spec.params["steps"]) == (2, 10)
    memory = [s for s in default_specs if s.workload.name == "streams.memory_stream"]
    assert {(spec.params["api"], spec.params["buffer"]) for spec in memory} == {
        ("anyio", 64),
        ("native", 64),
    }
    fan_in = [s for s in default_specs if s.workload.name == "concurrency.fan_in"]
    assert [spec.params["sources"] for spec in fan_in] == [16]
    assert {16, 256} <= {s.params["sources"] for s in LADDER_SPECS if "sources" in s.params}


@pytest.mark.parametrize("spec", SMALL_SPECS, ids=lambda spec: spec.name)
def test_workload_gives_verified_result_without_leaks(
    spec: catalog.BenchmarkSpec, runtime_name: str
) -> None:
    case = Case(spec.params)
    reason = spec.workload.unsupported(runtime_name, case)
    if reason is not None:
        pytest.skip(reason)
    threads_before = set(threading.enumerate())
    fds_before = open_fds()
    time_batch(2, RUNTIMES[runtime_name], spec.workload, case)  # raises on a wrong result
    # New threads left running are a leak; an idle pool thread of an earlier test may exit.
    assert set(threading.enumerate()) - threads_before == set()
    if fds_before is not None:
        assert open_fds() == fds_before, "file descriptors (sockets) left open"


def test_unsupported_cells_are_exactly_the_expected_ones() -> None:
    """Every n/a cell of the small specs, with its reason: nothing else is skipped above."""
    na = {
        (spec.name, runtime): spec.workload.unsupported(runtime, Case(spec.params))
        for spec in SMALL_SPECS
        for runtime in RUNTIMES
    }
    reasons = {key: reason for key, reason in na.items() if reason is not None}
    for (name, runtime), reason in reasons.items():
        assert_one_line_reason(reason)
        if "TaskGroup needs Python 3.11" in str(reason):  # the asyncio family on Python 3.10
            assert runtime != "trio" and "api=native" in name
        elif name.startswith("concurrency.counters_gather"):
            assert runtime == "trio" and "asyncio" in str(reason)
        elif name.startswith("streams.memory_stream"):
            assert runtime != "trio" and "api=native,buffer=0" in name and "rendezvous" in reason
        elif "connect_accepted_socket" in str(reason):  # the registry's anyio_gaps
            assert RUNTIMES[runtime].anyio_gaps and "api=anyio" in name
            assert name.startswith(("streams.tcp_stream", "streams.tcp_lines"))
        else:
            assert name.startswith("streams.tcp_lines[api=native") and runtime == "trio"
            assert "line reader" in str(reason)


def test_gather_is_not_applicable_on_trio_only() -> None:
    workload = catalog.load_workload("concurrency.counters_gather")
    for params in workload.cases(ladder=True):
        case = Case(params)
        assert_one_line_reason(workload.unsupported("trio", case))
        assert "asyncio" in str(workload.unsupported("trio", case))
    small = Case({"delay": "latency", "counters": 100, "steps": 10})
    assert workload.unsupported("asyncio", small) is None
    assert workload.unsupported("uvloop", small) is None


def test_only_the_slowest_ladder_cases_are_not_applicable() -> None:
    """Cases too slow for one run are n/a with a reason on every runtime; nothing else is."""
    slow = {
        spec.name
        for spec in LADDER_SPECS
        if spec.workload.unsupported("asyncio", Case(spec.params)) is not None
        and "buffer=0" not in spec.name  # asyncio has no rendezvous queue (tested above)
    }
    assert slow == {
        "concurrency.counters_sequential[delay=latency,counters=100,steps=100]",
        "concurrency.counters_sequential[delay=latency,counters=10000,steps=10]",
        "concurrency.counters_sequential[delay=latency,counters=10000,steps=100]",
        "concurrency.counters_task_group[api=anyio,delay=latency,counters=10000,steps=100]",
        "concurrency.counters_gather[delay=latency,counters=10000,steps=100]",
    }
    for spec in LADDER_SPECS:
        if spec.name in slow:
            assert_one_line_reason(spec.workload.unsupported("trio", Case(spec.params)))


def test_latency_draws_are_seeded_and_requested_sleep_is_exported() -> None:
    case = Case({"delay": "latency", "counters": 100, "steps": 10})
    draws = _counter.latency_draws(100, 10)
    assert len(draws) == 100 and all(len(delays) == 10 for delays in draws)
    assert set(b"".join(draws)) == set(_counter.LATENCY_MS_CHOICES)
    _counter.latency_draws.cache_clear()
    assert _counter.latency_draws(100, 10) == draws
    requested = _counter.requested_sleep_seconds(case)
    assert requested == sum(map(sum, draws)) / 1000
    assert 1.8 < requested < 2.2  # 1000 steps of 2 ms on average
    assert _counter.requested_sleep_seconds(Case({**case.params, "delay": "checkpoint"})) == 0
    for workload in WORKLOADS:
        if "delay" in workload.params:
            module = sys.modules[workload.module]
            assert module.requested_sleep_seconds(case) == requested


def achieved_concurrency(name: str, runtime_name: str, params: dict[str, int | str]) -> float:
    workload = catalog.load_workload(name)
    if "api" in workload.params:
        params = {"api": "anyio", **params}
    case = Case(params)
    elapsed = time_batch(1, RUNTIMES[runtime_name], workload, case)
    return _counter.requested_sleep_seconds(case) / elapsed


@pytest.mark.parametrize("name", ["concurrency.counters_task_group", "concurrency.counters_gather"])
def test_concurrent_consumers_overlap_their_sleeps(name: str, runtime_name: str) -> None:
    params: dict[str, int | str] = {"delay": "latency", "counters": 100, "steps": 10}
    workload = catalog.load_workload(name)
    reason = workload.unsupported(runtime_name, Case({"api": "anyio", **params}))
    if reason is not None:
        pytest.skip(reason)
    # Sequential sleeps give at most 1 (tested below); overlapped ones give up to 100. The bound
    # is low so that a loaded machine (CPU time per step grows) cannot make it fail.
    assert achieved_concurrency(name, runtime_name, params) > 2


def test_sequential_consumer_does_not_overlap_its_sleeps(runtime_name: str) -> None:
    params: dict[str, int | str] = {"delay": "latency", "counters": 2, "steps": 10}
    concurrency = achieved_concurrency("concurrency.counters_sequential", runtime_name, params)
    # At most 1, plus a little slack: libuv's millisecond clock can fire a timer up to 1 ms early.
    # No lower bound beyond 0: a loaded machine stretches every step (a bound of 0.5 failed
    # once beside a Valgrind calibration on the 2 cores).
    assert 0 < concurrency < 1.05


def test_tcp_payload_is_sent_in_fixed_chunks() -> None:
    module = sys.modules[catalog.load_workload("streams.tcp_stream").module]
    case = Case({"api": "anyio", "chunk_size": 1_024, "chunks": 100})
    data = module.payload(case)
    assert len(data) == 102_400 and data == module.payload(case)
    chunks = module.split(data, 1_024)
    assert len(chunks) == 100 and {len(chunk) for chunk in chunks} == {1_024}
    workload = catalog.load_workload("streams.tcp_stream")
    assert workload.inner_loops(case) == 100 and workload.bytes_per_item is not None
    assert workload.bytes_per_item(case) == 1_024


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_the_fd_check_sees_a_leaked_socket(runtime_name: str) -> None:
    """The leak check above can fail: a session that forgets a socket is caught by it."""
    tcp = catalog.load_workload("streams.tcp_stream")
    assert tcp.session is not None
    forgotten: list[socket.socket] = []

    @asynccontextmanager
    async def leaky_session(case: Case) -> AsyncIterator[RunOnce]:
        assert tcp.session is not None
        forgotten.append(socket.socket())
        async with tcp.session(case) as run_once:
            yield run_once

    leaky: Workload = replace(tcp, session=leaky_session)
    case = Case({"api": "anyio", "chunk_size": 1_024, "chunks": 10})
    time_batch(1, RUNTIMES[runtime_name], tcp, case)  # warm up lazy imports
    before = open_fds()
    try:
        time_batch(1, RUNTIMES[runtime_name], leaky, case)
        assert open_fds() == before + 1  # type: ignore[operator]
    finally:
        for sock in forgotten:
            sock.close()
    assert open_fds() == before
