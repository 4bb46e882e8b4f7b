"""The native layer: one adapter per runtime family behind one interface, picked by the registry;
and no runtime name compared anywhere outside the registry and the adapters."""

from __future__ import annotations

import ast
import zlib
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
import pytest

from benchmarks.measured.workload import Case
from benchmarks.platform import native
from benchmarks.platform.native import API_NATIVE, primitives
from benchmarks.platform.runtimes import ASYNCIO_EVENT_LOOP, RUNTIMES
from benchmarks.running.runner import benchmark_metadata
from tests.conftest import REPO_ROOT

LAYERS = ["anyio", "native"]


def layer_for(runtime_name: str, api: str) -> native.Primitives:
    return primitives(Case({"api": api}, runtime=RUNTIMES[runtime_name]))


def skip_without_task_group(layer: native.Primitives) -> None:
    """asyncio.TaskGroup needs Python 3.11+: its tests are skipped, with the reason, on 3.10."""
    reason = layer.unavailable(native.TASK_GROUP)
    if reason is not None:
        pytest.skip(reason)


def test_each_runtime_names_its_family_adapter() -> None:
    expected = {"asyncio": "asyncio", "uvloop": "asyncio", "trio": "trio", "rloop": "asyncio",
                "asyncio-eager": "asyncio", "uvloop-eager": "asyncio"}  # fmt: skip
    for name, runtime in RUNTIMES.items():
        if runtime.unavailable_reason() is None:
            assert runtime.native().name == expected[name]
    assert primitives(Case({"api": "anyio"})).name == "anyio"
    assert primitives(Case({})).name == "anyio"


def test_native_api_without_a_runtime_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="runtime"):
        primitives(Case({"api": API_NATIVE}))


def test_capabilities_replace_runtime_names() -> None:
    assert RUNTIMES["asyncio"].has(ASYNCIO_EVENT_LOOP)
    assert RUNTIMES["uvloop"].has(ASYNCIO_EVENT_LOOP)
    assert not RUNTIMES["trio"].has(ASYNCIO_EVENT_LOOP)


@pytest.mark.parametrize("api", LAYERS)
def test_bounded_queue_delivers_in_order_and_ends(api: str, runtime_name: str) -> None:
    layer = layer_for(runtime_name, api)
    skip_without_task_group(layer)
    size = 0 if layer.unavailable(native.BOUNDED_QUEUE, 0) is None else 1

    async def main() -> list[int]:
        send, receive = layer.bounded_queue(size)
        received: list[int] = []

        async def produce() -> None:
            for item in range(50):
                await send.send(item)
            await send.aclose()

        async with layer.task_group() as group:
            group.start_soon(produce)
            async for item in receive:
                received.append(item)
        await receive.aclose()
        return received

    assert RUNTIMES[runtime_name].run(main) == list(range(50))


@pytest.mark.parametrize("api", LAYERS)
def test_task_group_joins_every_task(api: str, runtime_name: str) -> None:
    layer = layer_for(runtime_name, api)
    skip_without_task_group(layer)

    async def main() -> list[int]:
        done: list[int] = []

        async def task(index: int) -> None:
            await layer.checkpoint()
            await layer.sleep(0.001)
            done.append(index)

        async with layer.task_group() as group:
            for index in range(10):
                group.start_soon(task, index)
        return sorted(done)

    assert RUNTIMES[runtime_name].run(main) == list(range(10))


@pytest.mark.parametrize("api", LAYERS)
def test_tcp_pair_carries_bytes_both_ways(api: str, runtime_name: str) -> None:
    layer = layer_for(runtime_name, api)
    skip_without_task_group(layer)
    payload = bytes(range(256)) * 1_000

    async def main() -> tuple[int, int, bytes]:
        async with AsyncExitStack() as stack:
            client, server = await layer.tcp_pair(stack)
            received = checksum = 0
            async with layer.task_group() as group:
                group.start_soon(client.send, payload)
                async for chunk in server:
                    received += len(chunk)
                    checksum = zlib.crc32(chunk, checksum)
                    if received >= len(payload):
                        break
            await server.send(b"pong")
            async for reply in client:
                return received, checksum, reply
        raise AssertionError("no reply")

    assert RUNTIMES[runtime_name].run(main) == (len(payload), zlib.crc32(payload), b"pong")


@pytest.mark.parametrize("api", LAYERS)
def test_lines_split_at_newlines_or_are_na_with_a_reason(api: str, runtime_name: str) -> None:
    layer = layer_for(runtime_name, api)
    reason = layer.unavailable(native.LINES)
    if reason is not None:
        assert runtime_name == "trio" and api == "native" and "line reader" in reason
        with pytest.raises(NotImplementedError):
            layer.lines(None, 1)  # type: ignore[arg-type]
        pytest.skip(reason)

    async def main() -> list[bytes]:
        async with AsyncExitStack() as stack:
            client, server = await layer.tcp_pair(stack)
            await client.send(b"alpha\nbe")
            await client.send(b"ta\n\ngamma\n")
            lines: list[bytes] = []
            async for line in layer.lines(server, 1_024):
                lines.append(line.removesuffix(b"\n"))
                if len(lines) == 4:
                    break
            return lines

    assert RUNTIMES[runtime_name].run(main) == [b"alpha", b"beta", b"", b"gamma"]


def test_asyncio_has_no_rendezvous_queue_and_trio_has() -> None:
    assert "rendezvous" in str(RUNTIMES["asyncio"].native().unavailable(native.BOUNDED_QUEUE, 0))
    assert RUNTIMES["asyncio"].native().unavailable(native.BOUNDED_QUEUE, 1) is None
    assert RUNTIMES["trio"].native().unavailable(native.BOUNDED_QUEUE, 0) is None


def test_checkpoint_of_every_layer_lets_another_task_run(runtime_name: str) -> None:
    for api in LAYERS:
        layer = layer_for(runtime_name, api)

        async def main(layer: native.Primitives = layer) -> int:
            ticks = 0

            async def other() -> None:
                nonlocal ticks
                ticks += 1

            async with anyio.create_task_group() as group:
                group.start_soon(other)
                for _ in range(3):
                    await layer.checkpoint()
                return ticks

        assert RUNTIMES[runtime_name].run(main) == 1, api


RUNTIME_NAMES = set(RUNTIMES)
ALLOWED = {Path("benchmarks/platform/runtimes.py"), Path("benchmarks/platform/native")}


def runtime_name_comparisons(path: Path) -> list[str]:
    """``x == "trio"``-style comparisons (and ``in ("trio", ...)``) in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Compare):
            continue
        for operand in [node.left, *node.comparators]:
            values = (
                operand.elts if isinstance(operand, ast.Tuple | ast.List | ast.Set) else [operand]
            )
            for value in values:
                if isinstance(value, ast.Constant) and value.value in RUNTIME_NAMES:
                    found.append(f"{path}:{node.lineno} compares with {value.value!r}")
    return found


def test_no_runtime_name_is_compared_outside_the_registry_and_adapters() -> None:
    offenders = []
    for path in sorted((REPO_ROOT / "benchmarks").rglob("*.py")):
        relative = path.relative_to(REPO_ROOT)
        if relative in ALLOWED or any(parent in ALLOWED for parent in relative.parents):
            continue
        offenders.extend(runtime_name_comparisons(path))
    assert offenders == []


def test_the_scan_finds_a_comparison(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text('def f(runtime):\n    return runtime == "trio" or runtime in ("uvloop",)\n')
    assert len(runtime_name_comparisons(module)) == 2


def test_metadata_names_the_primitives_and_timer_bound_cells() -> None:
    from benchmarks.measured.catalog import load_workload

    generator = load_workload("protocol.async_generator")
    native_case = Case({"mode": "checkpoint", "api": "native", "items": 1_000})
    anyio_case = Case({"mode": "checkpoint", "api": "anyio", "items": 1_000})
    for runtime, family in (("asyncio", "asyncio"), ("uvloop", "asyncio"), ("trio", "trio")):
        if RUNTIMES[runtime].unavailable_reason() is not None:
            continue
        metadata = benchmark_metadata(runtime, generator, native_case, "run", "default")
        assert metadata["primitives"] == family and metadata["timer_bound"] == 0
        assert benchmark_metadata(runtime, generator, anyio_case, "r", "d")["primitives"] == "anyio"
    counters = load_workload("concurrency.counters_sequential")
    for delay, bound in (("latency", 1), ("checkpoint", 0)):
        case = Case({"delay": delay, "counters": 2, "steps": 10})
        metadata = benchmark_metadata("asyncio", counters, case, "run", "default")
        assert metadata["timer_bound"] == bound and "primitives" not in metadata


GAPS = [(name, gap) for name, rt in RUNTIMES.items() for gap in rt.anyio_gaps]


@pytest.mark.parametrize(("runtime_name", "gap"), GAPS)
def test_a_recorded_anyio_gap_is_real_and_makes_its_cells_na(runtime_name: str, gap: str) -> None:
    """The registry's ``anyio_gaps`` say which anyio primitives a runtime cannot carry; each is
    checked against the runtime, so a release that closes the gap fails this test."""
    from benchmarks.measured.catalog import load_workload

    runtime = RUNTIMES[runtime_name]
    assert gap == native.TCP_STREAM  # the only kind of gap recorded so far
    for name in ("streams.tcp_stream", "streams.tcp_lines"):
        workload = load_workload(name)
        reason = workload.unsupported(runtime_name, Case({"api": "anyio"}))
        assert reason == runtime.anyio_gaps[gap]
        assert workload.unsupported(runtime_name, Case({"api": API_NATIVE})) != reason
    if runtime.unavailable_reason() is not None:
        pytest.skip(runtime.unavailable_reason())
    layer = layer_for(runtime_name, "anyio")

    async def main() -> None:
        async with AsyncExitStack() as stack:
            await layer.tcp_pair(stack)

    with pytest.raises(NotImplementedError):
        runtime.run(main)
