"""Native primitives of trio.

checkpoint: ``trio.lowlevel.checkpoint()``; bounded queue: ``trio.open_memory_channel(n)``
(0 is a rendezvous); task group: a nursery (``trio.open_nursery()``); TCP:
``trio.open_tcp_listeners`` / ``trio.open_tcp_stream``, giving ``trio.SocketStream`` objects whose
``async for`` yields ``receive_some()`` chunks. Lines: n/a (trio has no buffered line reader; its
streams offer ``receive_some`` only, and anyio's buffered stream is what ``api=anyio`` measures).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import trio
import trio.lowlevel

from benchmarks.platform.native import (
    LINES,
    LOOPBACK,
    ByteStream,
    QueueReceiver,
    QueueSender,
    Spawner,
)

LINES_REASON = "trio has no buffered line reader (its streams offer receive_some only)"


class SocketStream:
    """A ``trio.SocketStream`` with ``send`` for ``send_all``."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.send = stream.send_all
        self.aclose = stream.aclose

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.stream.__aiter__()


async def _close_listeners(listeners: list[trio.SocketListener]) -> None:
    for listener in listeners:
        await listener.aclose()


class TrioPrimitives:
    name = "trio"
    checkpoint = staticmethod(trio.lowlevel.checkpoint)
    sleep = staticmethod(trio.sleep)

    def unavailable(self, primitive: str, size: int | None = None) -> str | None:
        if primitive == LINES:
            return LINES_REASON
        return None

    def bounded_queue(self, size: int) -> tuple[QueueSender, QueueReceiver]:
        send, receive = trio.open_memory_channel[Any](size)
        return send, receive

    def task_group(self) -> AbstractAsyncContextManager[Spawner]:
        return trio.open_nursery()

    async def tcp_pair(self, stack: AsyncExitStack) -> tuple[ByteStream, ByteStream]:
        listeners = await trio.open_tcp_listeners(0, host=LOOPBACK)
        stack.push_async_callback(_close_listeners, listeners)
        port = listeners[0].socket.getsockname()[1]
        client = await trio.open_tcp_stream(LOOPBACK, port)
        stack.push_async_callback(client.aclose)
        server = await listeners[0].accept()
        stack.push_async_callback(server.aclose)
        return SocketStream(client), SocketStream(server)  # type: ignore[arg-type]

    def lines(self, stream: ByteStream, limit: int) -> AsyncIterable[bytes]:
        raise NotImplementedError(LINES_REASON)

    def seed_scheduler(self, seed: int) -> None:
        """Seed trio's scheduler, which shuffles or reverses each batch of runnable tasks with
        its own ``random.Random`` (drawn from the system at import): unseeded, trio's counts vary
        by up to 0.2% between processes."""
        import trio._core._run

        trio._core._run._r.seed(seed)

    async def warm_threads(self) -> None:
        # trio keeps one process-wide thread cache, which anyio's warm-up already fills.
        pass


ADAPTER = TrioPrimitives()
