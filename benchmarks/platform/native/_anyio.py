"""anyio's primitives, the layer ``api=anyio`` measures on every runtime.

checkpoint: ``anyio.lowlevel.checkpoint``; bounded queue: ``anyio.create_memory_object_stream``;
task group: ``anyio.create_task_group``; TCP: ``anyio.connect_tcp`` and a TCP listener, giving
anyio ``SocketStream`` objects; lines: ``BufferedByteReceiveStream.receive_until`` with ``\\n``.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import anyio
import anyio.lowlevel
import anyio.to_thread
from anyio.abc import SocketAttribute, SocketListener, SocketStream
from anyio.streams.buffered import BufferedByteReceiveStream

from benchmarks.platform.native import LOOPBACK, ByteStream, QueueReceiver, QueueSender, Spawner


class LineIterator:
    """``async for line`` over anyio's buffered receive stream (lines without their ``\\n``)."""

    def __init__(self, stream: ByteStream, limit: int) -> None:
        self.buffered = BufferedByteReceiveStream(stream)  # type: ignore[arg-type]
        self.limit = limit

    def __aiter__(self) -> LineIterator:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self.buffered.receive_until(b"\n", self.limit)
        except (anyio.EndOfStream, anyio.IncompleteRead):
            raise StopAsyncIteration from None


class AnyioPrimitives:
    name = "anyio"
    checkpoint = staticmethod(anyio.lowlevel.checkpoint)
    sleep = staticmethod(anyio.sleep)

    def unavailable(self, primitive: str, size: int | None = None) -> str | None:
        return None

    def bounded_queue(self, size: int) -> tuple[QueueSender, QueueReceiver]:
        send, receive = anyio.create_memory_object_stream[Any](size)
        return send, receive

    def task_group(self) -> AbstractAsyncContextManager[Spawner]:
        return anyio.create_task_group()

    async def tcp_pair(self, stack: AsyncExitStack) -> tuple[ByteStream, ByteStream]:
        multi_listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
        await stack.enter_async_context(multi_listener)
        listener = multi_listener.listeners[0]
        if not isinstance(listener, SocketListener):
            raise TypeError(f"expected a SocketListener, got {listener!r}")
        port = listener.extra(SocketAttribute.local_port)
        # The kernel completes the handshake before accept(), so connect first, then accept.
        client: SocketStream = await anyio.connect_tcp(LOOPBACK, port)
        await stack.enter_async_context(client)
        server: SocketStream = await listener.accept()
        await stack.enter_async_context(server)
        return client, server

    def lines(self, stream: ByteStream, limit: int) -> LineIterator:
        return LineIterator(stream, limit)

    def seed_scheduler(self, seed: int) -> None:
        """Nothing to seed: anyio's layer makes no random choices of its own."""

    async def warm_threads(self) -> None:
        await anyio.to_thread.run_sync(int)


ADAPTER = AnyioPrimitives()
