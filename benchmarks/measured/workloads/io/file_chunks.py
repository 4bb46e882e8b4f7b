"""Chunked file reads as an async iterable and as a lazily opening async iterator.

Measures: reading a file chunk by chunk through ``async for``, with anyio's async file API
(``api=anyio``: runs on every runtime, each read a hop to a worker thread) or with ``aiofiles``
(``api=aiofiles``: the tutorial's library, asyncio family only). Two shapes, both from the
tutorial: ``iterable``, whose ``__aiter__`` is an async generator that opens the file with
``async with``; and ``iterator``, whose ``__anext__`` opens the file on first call and closes it
when the data runs out (the default run measures ``iterable``; ``iterator`` is on ``--ladder``).
Chunk sizes 1 KiB, 64 KiB and 1 MiB; files of 4 to 256 MiB.
Unit: seconds per chunk (``bytes_per_item`` gives throughput).
Checked: the chunk count, byte count and an order-sensitive signature of the chunks equal those
recorded when the input was built. Worker threads are started before the clock.
Why: streaming a file is the tutorial's motivating example; async file I/O costs a thread
round trip per read, and the chunk size decides whether that or the copy dominates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from benchmarks.measured.workload import Case, ParamValue, RunOnce, Workload
from benchmarks.measured.workloads.io import _chunks, _inputs, _openers

SHAPES: tuple[str, ...] = ("iterable", "iterator")
#: Default run: the tutorial's first shape; ``iterator`` is on ``--ladder``.
DEFAULT_SHAPE = "iterable"
PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "api": _openers.APIS,
    "shape": SHAPES,
    **_chunks.LADDER,
}


class AsyncFileIterable:
    """The tutorial's ``AsyncFileIterable``: ``__aiter__`` is an async generator."""

    def __init__(self, path: Path, chunk_size: int, opener: _openers.Opener) -> None:
        self.path = path
        self.chunk_size = chunk_size
        self.opener = opener

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # ``async with`` in the tutorial; spelled out because aiofiles' opened file is not an
        # async context manager (only the un-awaited ``aiofiles.open(...)`` is).
        file = await self.opener(self.path, "rb")
        try:
            while True:
                chunk = await file.read(self.chunk_size)
                if not chunk:
                    break
                yield chunk
        finally:
            await _openers.close_file(file)


class AsyncFileIterator:
    """The tutorial's ``AsyncFileIterator``: opens lazily in ``__anext__``, closes at the end."""

    def __init__(self, path: Path, chunk_size: int, opener: _openers.Opener) -> None:
        self.path = path
        self.chunk_size = chunk_size
        self.opener = opener
        self.file: Any = None

    def __aiter__(self) -> AsyncFileIterator:
        return self

    async def __anext__(self) -> bytes:
        if self.file is None:
            self.file = await self.opener(self.path, "rb")
        chunk = await self.file.read(self.chunk_size)
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        if self.file is not None:
            file, self.file = self.file, None
            await _openers.close_file(file)


def prepare(case: Case) -> RunOnce:
    opener = _openers.opener_for(case)
    shape = AsyncFileIterable if case["shape"] == "iterable" else AsyncFileIterator
    path, chunk_size = _chunks.path(case), case.int("chunk")
    signature_of = _inputs.chunk_signature

    async def run_once() -> list[int]:
        count = size = signature = 0
        async for chunk in shape(path, chunk_size, opener):
            count += 1
            size += len(chunk)
            signature = signature_of(chunk, signature)
        return [count, size, signature]

    return run_once


WORKLOAD = Workload(
    name="io.file_chunks",
    description=__doc__ or "",
    item_unit="chunk",
    params=PARAMS,
    defaults={**_chunks.DEFAULTS, "api": "anyio", "shape": DEFAULT_SHAPE},
    inner_loops=_chunks.chunks,
    expected=_chunks.expected,
    prepare=prepare,
    unsupported=_openers.aiofiles_unsupported,
    uses_threads=True,
    bytes_per_item=_chunks.bytes_per_chunk,
    fixture=_chunks.fixture,
)
