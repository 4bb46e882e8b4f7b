"""Fixed-size chunks through a TCP connection on loopback, received with ``async for``.

Measures: a producer task writes ``chunks`` chunks of ``chunk_size`` seeded random bytes to one
end of a loopback TCP connection; the consumer iterates the other end with
``async for chunk in stream`` (up to 64 KiB per receive), keeping a running byte count and
``zlib.crc32`` until the whole payload has arrived. ``api=anyio``: anyio ``SocketStream`` objects
and task group (every runtime; on asyncio anyio pauses and resumes reading around every
receive). ``api=native``: the runtime's own streams and task group with the same code: asyncio
streams (``StreamWriter.write`` + ``drain``, ``StreamReader.read``) and ``asyncio.TaskGroup``,
or ``trio.SocketStream`` (``send_all``, ``receive_some``) and a nursery. The listener and the
connection are opened by the session (untimed, port 0 on 127.0.0.1) and reused by every
``run_once``; the session closes the listener and both sockets on exit.
Unit: seconds per *sent* chunk (``inner_loops = chunks``; ``bytes_per_item = chunk_size`` gives
the throughput). TCP re-segments the byte stream, so how many chunks the consumer sees depends on
timing and on the runtime; the producer's chunks are the one count that is the same everywhere.
Checked: ``(bytes received, crc32)`` of the payload (order-sensitive), never a chunk count.
Why: iterating a socket's byte stream is how network clients consume responses; 1 KiB chunks
price the per-call overhead (a send and a wake-up per chunk), 64 KiB chunks the bulk path, and
the native twin shows which part of it is anyio's.
"""

from __future__ import annotations

import functools
import random
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

from benchmarks.measured.workload import Case, DefaultValue, ParamValue, RunOnce, Workload
from benchmarks.platform.native import (
    APIS,
    TASK_GROUP,
    TCP_STREAM,
    ByteStream,
    anyio_unavailable,
    native_unavailable,
    primitives,
)

#: Bytes per sent chunk: small (per-call overhead) and large (bulk throughput).
CHUNK_SIZE_LADDER: tuple[int, ...] = (1_024, 65_536)
#: Chunks sent per ``run_once``.
CHUNKS_LADDER: tuple[int, ...] = (10, 100, 1_000)
#: Default run: this many chunks, for both APIs.
DEFAULT_CHUNKS = 100
#: Seed of the payload bytes.
PAYLOAD_SEED = 20_240_601

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "api": APIS,
    "chunk_size": CHUNK_SIZE_LADDER,
    "chunks": CHUNKS_LADDER,
}
#: Default run: 1 KiB chunks, where per-call costs (and so the layers) differ most; 64 KiB is on
#: ``--ladder``.
DEFAULT_CHUNK_SIZE = 1_024
DEFAULTS: Mapping[str, DefaultValue] = {"chunk_size": DEFAULT_CHUNK_SIZE, "chunks": DEFAULT_CHUNKS}


def payload(case: Case) -> bytes:
    """The bytes one ``run_once`` sends: ``chunks * chunk_size`` seeded random bytes."""
    rng = random.Random(PAYLOAD_SEED)
    return rng.randbytes(case.int("chunks") * case.int("chunk_size"))


def split(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


@asynccontextmanager
async def session(case: Case) -> AsyncIterator[RunOnce]:
    data = payload(case)
    chunks = split(data, case.int("chunk_size"))
    total = len(data)
    crc32 = zlib.crc32
    layer = primitives(case)
    task_group = layer.task_group

    async def produce(client: ByteStream) -> None:
        send = client.send
        for chunk in chunks:
            await send(chunk)

    async with AsyncExitStack() as stack:
        client, server = await layer.tcp_pair(stack)

        async def run_once() -> tuple[int, int]:
            received = 0
            checksum = 0
            async with task_group() as group:
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


def unsupported(runtime: str, case: Case) -> str | None:
    return native_unavailable(runtime, case, TASK_GROUP) or anyio_unavailable(
        runtime, case, TCP_STREAM
    )


WORKLOAD = Workload(
    name="streams.tcp_stream",
    description=__doc__ or "",
    item_unit="chunk",
    params=PARAMS,
    defaults=DEFAULTS,
    inner_loops=lambda case: case.int("chunks"),
    expected=expected,
    session=session,
    unsupported=unsupported,
    bytes_per_item=lambda case: float(case.int("chunk_size")),
)
