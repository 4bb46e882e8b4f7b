"""Native primitives of the asyncio family (asyncio and uvloop event loops).

checkpoint: ``asyncio.sleep(0)``; bounded queue: ``asyncio.Queue(n)`` (no rendezvous: a
``maxsize`` of 0 means unbounded, so size 0 is n/a); task group: ``asyncio.TaskGroup``
(Python 3.11+; n/a on 3.10, where a ``gather``-based stand-in would measure something else);
TCP: ``asyncio.start_server`` / ``asyncio.open_connection`` streams, ``StreamReader.read`` of up
to ``RECEIVE_SIZE`` bytes per chunk; lines: ``async for line in StreamReader``.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, suppress
from types import TracebackType
from typing import Any

from benchmarks.platform.native import (
    BOUNDED_QUEUE,
    LOOPBACK,
    RECEIVE_SIZE,
    TASK_GROUP,
    ByteStream,
    QueueReceiver,
    QueueSender,
)

_END = object()
#: Seconds the warm-up waits for every default-executor thread to start.
BARRIER_TIMEOUT = 5.0


class QueueSend:
    """``asyncio.Queue.put``; closing puts an end marker (asyncio queues cannot be closed)."""

    def __init__(self, queue: asyncio.Queue[Any]) -> None:
        self.queue = queue
        self.send = queue.put

    async def aclose(self) -> None:
        await self.queue.put(_END)


class QueueReceive:
    """``async for`` over ``asyncio.Queue.get`` until the end marker."""

    def __init__(self, queue: asyncio.Queue[Any]) -> None:
        self.get = queue.get

    def __aiter__(self) -> QueueReceive:
        return self

    async def __anext__(self) -> Any:
        item = await self.get()
        if item is _END:
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        pass


class TaskGroup:
    """``asyncio.TaskGroup`` with ``start_soon(func, *args)``."""

    def __init__(self) -> None:
        self.group = asyncio.TaskGroup()  # type: ignore[attr-defined,unused-ignore]
        self.create_task = self.group.create_task

    async def __aenter__(self) -> TaskGroup:
        await self.group.__aenter__()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        result: bool | None = await self.group.__aexit__(kind, exc, tb)
        return result

    def start_soon(self, func: Callable[..., Awaitable[Any]], *args: Any) -> None:
        self.create_task(func(*args))


class StreamPair:
    """One end of an asyncio stream connection: ``send`` writes and drains, iteration reads."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.read = reader.read

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    def __aiter__(self) -> StreamPair:
        return self

    async def __anext__(self) -> bytes:
        data = await self.read(RECEIVE_SIZE)
        if not data:
            raise StopAsyncIteration
        return data

    async def aclose(self) -> None:
        self.writer.close()
        with suppress(ConnectionError):
            await self.writer.wait_closed()


async def _close_server(server: asyncio.Server) -> None:
    server.close()
    await server.wait_closed()


class AsyncioPrimitives:
    name = "asyncio"
    checkpoint = functools.partial(asyncio.sleep, 0)
    sleep = staticmethod(asyncio.sleep)

    def unavailable(self, primitive: str, size: int | None = None) -> str | None:
        if primitive == BOUNDED_QUEUE and size == 0:
            return "asyncio.Queue has no rendezvous (maxsize=0 means unbounded)"
        if primitive == TASK_GROUP and not hasattr(asyncio, "TaskGroup"):
            return "asyncio.TaskGroup needs Python 3.11+ (gather would measure something else)"
        return None

    def bounded_queue(self, size: int) -> tuple[QueueSender, QueueReceiver]:
        if size <= 0:
            raise ValueError(self.unavailable(BOUNDED_QUEUE, size))
        queue: asyncio.Queue[Any] = asyncio.Queue(size)
        return QueueSend(queue), QueueReceive(queue)

    def task_group(self) -> TaskGroup:
        return TaskGroup()

    async def tcp_pair(self, stack: AsyncExitStack) -> tuple[ByteStream, ByteStream]:
        accepted: asyncio.Future[StreamPair] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.set_result(StreamPair(reader, writer))

        server = await asyncio.start_server(on_connect, LOOPBACK, 0)
        stack.push_async_callback(_close_server, server)
        port = server.sockets[0].getsockname()[1]
        client = StreamPair(*await asyncio.open_connection(LOOPBACK, port))
        stack.push_async_callback(client.aclose)
        served = await accepted
        stack.push_async_callback(served.aclose)
        return client, served

    def lines(self, stream: ByteStream, limit: int) -> asyncio.StreamReader:
        if not isinstance(stream, StreamPair):
            raise TypeError(f"native lines need an asyncio stream, got {stream!r}")
        # StreamReader's own limit (64 KiB by default) bounds a line; ``limit`` is anyio's.
        return stream.reader

    def seed_scheduler(self, seed: int) -> None:
        """Nothing to seed: asyncio's event loop makes no random choices."""

    async def warm_threads(self) -> None:
        """Start every thread of the loop's default executor (aiofiles hands work to it).

        One round trip is not enough: a ``ThreadPoolExecutor`` worker marks itself idle only
        after the result it produced has woken the loop, so back-to-back calls race it and the
        pool grows towards ``max_workers`` inside the timed region. Blocking ``max_workers``
        calls on one barrier starts them all now.
        """
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, int)  # creates the default executor
        executor = getattr(loop, "_default_executor", None)
        workers = int(getattr(executor, "_max_workers", 1))
        barrier = threading.Barrier(workers)
        calls = [loop.run_in_executor(None, barrier.wait, BARRIER_TIMEOUT) for _ in range(workers)]
        await asyncio.gather(*calls, return_exceptions=True)


ADAPTER = AsyncioPrimitives()
