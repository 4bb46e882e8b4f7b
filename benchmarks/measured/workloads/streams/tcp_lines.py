"""Line iteration over a TCP byte stream: ``async for line`` over buffered received data.

Measures: a producer task sends ``lines`` seeded text lines (1 to 80 bytes each, ``\\n``-ended)
in 64 KiB writes over a loopback TCP connection; the consumer reads them back one line at a
time with ``async for line in reader``. ``api=anyio``: anyio's ``BufferedByteReceiveStream``
with ``receive_until(b"\\n", 65536)`` over an anyio ``SocketStream`` (every runtime).
``api=native``: asyncio's ``StreamReader``, whose ``async for`` yields lines (asyncio family;
n/a on trio, which has no buffered line reader). The connection, the reader and its buffer are
set up by the session (untimed) and reused by every ``run_once``.
Unit: seconds per line.
Checked: ``(lines, crc32 of the lines without their \\n, sum(position * line length))`` equals
that of the payload: a line lost, repeated, split or joined changes the result.
Why: line protocols (HTTP/1 headers, Redis, SMTP, JSON lines, log tails) are read this way; the
cost per line is buffering and delimiter search, done by anyio in Python or by asyncio's reader.
"""

from __future__ import annotations

import functools
import random
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

from benchmarks.measured.workload import Case, ParamValue, RunOnce, Workload
from benchmarks.platform.native import (
    APIS,
    LINES,
    TASK_GROUP,
    TCP_STREAM,
    ByteStream,
    anyio_unavailable,
    native_unavailable,
    primitives,
)

LINES_LADDER: tuple[int, ...] = (1_000, 10_000, 100_000)
DEFAULT_LINES = 10_000
#: Longest line a reader accepts (anyio's ``max_bytes``; asyncio's default reader limit).
MAX_LINE = 65_536
#: Bytes per producer write.
WRITE_SIZE = 65_536
PAYLOAD_SEED = 20_240_715
_LETTERS = b"abcdefghijklmnopqrstuvwxyz0123456789 "

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {"api": APIS, "lines": LINES_LADDER}


@functools.cache
def payload(lines: int) -> bytes:
    """``lines`` seeded lines of 1-80 printable bytes, each ending with ``\\n``."""
    rng = random.Random(PAYLOAD_SEED)
    return b"".join(
        bytes(rng.choices(_LETTERS, k=rng.randint(1, 80))) + b"\n" for _ in range(lines)
    )


@functools.cache
def summary(lines: int) -> tuple[int, int, int]:
    """``(lines, crc32 of the lines without \\n, sum(position * length))`` of the payload."""
    count = checksum = weighted = 0
    for line in payload(lines).split(b"\n")[:-1]:
        count += 1
        checksum = zlib.crc32(line, checksum)
        weighted += count * len(line)
    return count, checksum, weighted


@asynccontextmanager
async def session(case: Case) -> AsyncIterator[RunOnce]:
    lines = case.int("lines")
    data = payload(lines)
    writes = [data[start : start + WRITE_SIZE] for start in range(0, len(data), WRITE_SIZE)]
    crc32 = zlib.crc32
    layer = primitives(case)
    task_group = layer.task_group

    async def produce(client: ByteStream) -> None:
        send = client.send
        for chunk in writes:
            await send(chunk)

    async with AsyncExitStack() as stack:
        client, server = await layer.tcp_pair(stack)
        reader = layer.lines(server, MAX_LINE)

        async def run_once() -> tuple[int, int, int]:
            count = checksum = weighted = 0
            async with task_group() as group:
                group.start_soon(produce, client)
                async for line in reader:
                    line = line.removesuffix(b"\n")
                    count += 1
                    checksum = crc32(line, checksum)
                    weighted += count * len(line)
                    if count == lines:
                        break
            return count, checksum, weighted

        yield run_once


def unsupported(runtime: str, case: Case) -> str | None:
    return (
        native_unavailable(runtime, case, LINES)
        or native_unavailable(runtime, case, TASK_GROUP)
        or anyio_unavailable(runtime, case, TCP_STREAM)
    )


WORKLOAD = Workload(
    name="streams.tcp_lines",
    description=__doc__ or "",
    item_unit="line",
    params=PARAMS,
    defaults={"lines": DEFAULT_LINES},
    inner_loops=lambda case: case.int("lines"),
    expected=lambda case: summary(case.int("lines")),
    session=session,
    unsupported=unsupported,
    bytes_per_item=lambda case: len(payload(case.int("lines"))) / case.int("lines"),
)
