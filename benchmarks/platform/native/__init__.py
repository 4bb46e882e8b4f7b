"""Runtime primitives behind one small interface: anyio's layer, or the runtime's own.

anyio keeps one module per backend (``anyio/_backends/_asyncio.py``, ``_trio.py``); this package
does the same for the primitives the workloads pay for, so a report can tell the runtime's cost
from anyio's:

* ``_anyio``: anyio's own primitives (what ``api=anyio`` measures, on every runtime);
* ``_asyncio``: the asyncio family's (asyncio and uvloop): ``asyncio.sleep(0)``,
  ``asyncio.Queue(n)``, ``asyncio.TaskGroup``, asyncio streams;
* ``_trio``: trio's: ``trio.lowlevel.checkpoint()``, ``trio.open_memory_channel(n)``, a
  nursery, ``trio.SocketStream``.

A runtime in :mod:`benchmarks.platform.runtimes` names its adapter module; it is imported only when
a case asks for ``api=native``, so a worker imports only the runtime it measures. A workload's code
is the same for both APIs and every runtime: it asks :func:`primitives` for the case's adapter
and uses the interface below, never a runtime's name.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from benchmarks.measured.workload import Case

#: ``api=anyio``: anyio's primitives; ``api=native``: the runtime's own.
API_ANYIO = "anyio"
API_NATIVE = "native"
APIS: tuple[str, ...] = (API_ANYIO, API_NATIVE)

#: The primitives an adapter may lack (see :meth:`Primitives.unavailable`).
CHECKPOINT = "checkpoint"
BOUNDED_QUEUE = "bounded_queue"
TASK_GROUP = "task_group"
TCP_STREAM = "tcp_stream"
LINES = "lines"

#: Loopback only: no benchmark leaves the machine.
LOOPBACK = "127.0.0.1"
#: Largest read of one receive on every TCP stream (anyio's and trio's default).
RECEIVE_SIZE = 65_536


class QueueSender(Protocol):
    """The sending end of a bounded queue; ``aclose`` ends the receiver's iteration."""

    async def send(self, item: Any) -> None: ...

    async def aclose(self) -> None: ...


class QueueReceiver(Protocol):
    """The receiving end of a bounded queue: ``async for`` until the sender closes."""

    def __aiter__(self) -> AsyncIterator[Any]: ...

    async def aclose(self) -> None: ...


class Spawner(Protocol):
    """What a task group yields: ``start_soon(func, *args)``."""

    def start_soon(self, func: Callable[..., Awaitable[Any]], *args: Any) -> None: ...


class ByteStream(Protocol):
    """One end of a TCP connection: ``send`` bytes, ``async for`` received chunks."""

    async def send(self, data: bytes) -> None: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class Primitives(Protocol):
    """The primitives of one layer (anyio's, or one runtime family's)."""

    #: ``anyio``, ``asyncio`` or ``trio``: recorded as ``primitives`` in the metadata.
    name: str
    #: One round trip through the scheduler.
    checkpoint: Callable[[], Awaitable[None]]
    #: Sleep for a number of seconds.
    sleep: Callable[[float], Awaitable[Any]]

    def unavailable(self, primitive: str, size: int | None = None) -> str | None:
        """Why ``primitive`` (at ``size``, for a queue) does not exist here, or None."""
        ...

    def bounded_queue(self, size: int) -> tuple[QueueSender, QueueReceiver]:
        """A queue holding at most ``size`` items (0: a rendezvous)."""
        ...

    def task_group(self) -> AbstractAsyncContextManager[Spawner]:
        """A structured task group: leaving it waits for every task started in it."""
        ...

    async def tcp_pair(self, stack: AsyncExitStack) -> tuple[ByteStream, ByteStream]:
        """A loopback TCP connection ``(client, server)``; ``stack`` closes it."""
        ...

    def lines(self, stream: ByteStream, limit: int) -> AsyncIterable[bytes]:
        """Lines (with or without their ``\\n``) received on ``stream``, at most ``limit`` bytes."""
        ...

    async def warm_threads(self) -> None:
        """Start the worker threads that this layer's thread offloads use (untimed)."""
        ...

    def seed_scheduler(self, seed: int) -> None:
        """Fix the scheduler's own random choices, if it makes any (the instructions measure
        seeds them before each benchmark, so counts repeat between processes and runs)."""
        ...


def anyio_primitives() -> Primitives:
    """anyio's primitives (what ``api=anyio`` measures)."""
    module = importlib.import_module("benchmarks.platform.native._anyio")
    adapter: Primitives = module.ADAPTER
    return adapter


def primitives(case: Case) -> Primitives:
    """The primitives a case measures: the runtime's own for ``api=native``, else anyio's."""
    if case.params.get("api") != API_NATIVE:
        return anyio_primitives()
    if case.runtime is None:
        raise RuntimeError("api=native needs the case's runtime (the harness sets it)")
    return case.runtime.native()


def native_unavailable(
    runtime_name: str, case: Case, primitive: str, size: int | None = None
) -> str | None:
    """The n/a reason of an ``api=native`` case whose runtime lacks ``primitive``."""
    if case.params.get("api") != API_NATIVE:
        return None
    from benchmarks.platform.runtimes import RUNTIMES

    return RUNTIMES[runtime_name].native().unavailable(primitive, size)


def anyio_unavailable(runtime_name: str, case: Case, primitive: str) -> str | None:
    """The n/a reason of an ``api=anyio`` case whose runtime anyio cannot build ``primitive``
    on (the registry's ``anyio_gaps``)."""
    if case.params.get("api") == API_NATIVE:
        return None
    from benchmarks.platform.runtimes import RUNTIMES

    return RUNTIMES[runtime_name].anyio_gaps.get(primitive)
