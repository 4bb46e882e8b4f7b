"""Fixed-size chunks through a TCP connection on loopback, received with ``async for``.

Measures: a producer task writes ``chunks`` chunks of ``chunk_size`` seeded random bytes to one
end of a loopback TCP connection; the consumer iterates the other end with
``async for chunk in stream`` (anyio ``SocketStream``, up to 64 KiB per receive), keeping a
running byte count and ``zlib.crc32`` until the whole payload has arrived. The listener and the
connection are opened by the session (untimed, port 0 on 127.0.0.1) and reused by every
``run_once``; the session closes the listener and both sockets on exit.
Unit: seconds per *sent* chunk (``inner_loops = chunks``; ``bytes_per_item = chunk_size`` gives
the throughput). TCP re-segments the byte stream, so how many chunks the consumer sees depends on
timing and on the runtime; the producer's chunks are the one count that is the same everywhere.
The result is ``(bytes received, crc32)``, never a received-chunk count.
Why: iterating a socket's byte stream is how network clients consume responses; 1 KiB chunks
price the per-call overhead (a send and a wake-up per chunk), 64 KiB chunks the bulk path.
"""

from __future__ import annotations

import functools
import random
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

import anyio
from anyio.abc import SocketAttribute, SocketListener, SocketStream

from benchmarks.workload import Case, ParamValue, RunOnce, Workload

#: Bytes per sent chunk: small (per-call overhead) and large (bulk throughput).
CHUNK_SIZE_LADDER: tuple[int, ...] = (1_024, 65_536)
#: Chunks sent per ``run_once``.
CHUNKS_LADDER: tuple[int, ...] = (10, 100, 1_000)
#: Default run: both chunk sizes at this many chunks.
DEFAULT_CHUNKS = 100
#: Seed of the payload bytes.
PAYLOAD_SEED = 20_240_601
#: Loopback only: the benchmark never leaves the machine.
HOST = "127.0.0.1"

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "chunk_size": CHUNK_SIZE_LADDER,
    "chunks": CHUNKS_LADDER,
}
DEFAULTS: Mapping[str, ParamValue] = {"chunks": DEFAULT_CHUNKS}


def payload(case: Case) -> bytes:
    """The bytes one ``run_once`` sends: ``chunks * chunk_size`` seeded random bytes."""
    rng = random.Random(PAYLOAD_SEED)
    return rng.randbytes(case.int("chunks") * case.int("chunk_size"))


def split(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


async def connected_pair(stack: AsyncExitStack) -> tuple[SocketStream, SocketStream]:
    """A loopback TCP connection ``(client, server)``; the stack closes it and its listener."""
    multi_listener = await anyio.create_tcp_listener(local_host=HOST, local_port=0)
    await stack.enter_async_context(multi_listener)
    listener = multi_listener.listeners[0]
    if not isinstance(listener, SocketListener):
        raise TypeError(f"expected a SocketListener, got {listener!r}")
    port = listener.extra(SocketAttribute.local_port)
    # The kernel completes the handshake before accept(), so connect first, then accept.
    client = await stack.enter_async_context(await anyio.connect_tcp(HOST, port))
    server = await stack.enter_async_context(await listener.accept())
    return client, server


@asynccontextmanager
async def session(case: Case) -> AsyncIterator[RunOnce]:
    data = payload(case)
    chunks = split(data, case.int("chunk_size"))
    total = len(data)
    crc32 = zlib.crc32

    async def produce(client: SocketStream) -> None:
        for chunk in chunks:
            await client.send(chunk)

    async with AsyncExitStack() as stack:
        client, server = await connected_pair(stack)

        async def run_once() -> tuple[int, int]:
            received = 0
            checksum = 0
            async with anyio.create_task_group() as group:
                group.start_soon(produce, client)
                async for chunk in server:
                    received += len(chunk)
                    checksum = crc32(chunk, checksum)
                    if received >= total:
                        break
            return received, checksum

        yield run_once


def expected(case: Case) -> tuple[int, int]:
    return payload_summary(case.int("chunks"), case.int("chunk_size"))


@functools.cache
def payload_summary(chunks: int, chunk_size: int) -> tuple[int, int]:
    """``(bytes, crc32)`` of a payload, computed once per process rather than after every batch."""
    data = payload(Case({"chunks": chunks, "chunk_size": chunk_size}))
    return len(data), zlib.crc32(data)


WORKLOAD = Workload(
    name="streams.tcp_stream",
    description=__doc__ or "",
    item_unit="chunk",
    params=PARAMS,
    defaults=DEFAULTS,
    inner_loops=lambda case: case.int("chunks"),
    expected=expected,
    session=session,
    bytes_per_item=lambda case: float(case.int("chunk_size")),
)
