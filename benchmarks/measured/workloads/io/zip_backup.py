"""Streaming a ZIP backup of a folder: an async generator of archive chunks, written to a file.

Measures: the tutorial's ``compress.py`` job. An async generator reads every file of a folder in
``chunk``-byte pieces, adds them to the archive (in a worker thread so the loop stays
responsive) and yields the archive's bytes as they are produced; the consumer writes them to an
output file. ``compression=stored`` (the default) is the tutorial's own: it passes
``{"file": path}``, so aiozipstream stores the files uncompressed; ``compression=deflate``
deflates them at level ``COMPRESS_LEVEL`` (aiozipstream's fixed level), where zlib dominates.
``api=anyio``: the standard library's ``zipfile`` writing to an in-memory sink, with anyio's
file API and ``anyio.to_thread`` (every runtime). ``api=aiozipstream``: the tutorial's
``AioZipStream`` with aiofiles (asyncio family only), same compression and chunk size.
AioZipStream starts a one-thread pool per archive; the session gives it one pool, started before
the clock, so no runtime starts a thread inside the timed region.
Unit: seconds per MiB of input (``bytes_per_item`` gives throughput).
Checked (untimed): the archive opens with ``zipfile``, every member's name, size, CRC-32 and
compression method match the input folder, and it is decompressed in full once per process.
Why: streaming an archive without holding it in memory is the tutorial's async generator
showcase; it mixes file reads, CPU work handed to threads, and writes.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from benchmarks.measured.workload import Case, Fixture, ParamValue, RunOnce, Workload, WrongResult
from benchmarks.measured.workloads.io import _inputs, _openers
from benchmarks.platform.runtimes import ASYNCIO_EVENT_LOOP, lacks

APIS: tuple[str, ...] = ("anyio", "aiozipstream")
#: ``stored``: the tutorial's ``{"file": path}``; ``deflate``: zlib at ``COMPRESS_LEVEL``.
COMPRESSIONS: tuple[str, ...] = ("stored", "deflate")
DEFAULT_COMPRESSION = "stored"
_ZIP_METHODS = {"stored": zipfile.ZIP_STORED, "deflate": zipfile.ZIP_DEFLATED}
#: Read size; 1024 is the tutorial's (aiozipstream's default), 64 KiB the default here.
CHUNK_LADDER: tuple[int, ...] = (1024, 64 * 1024)
DEFAULT_CHUNK = 64 * 1024
SIZE_LADDER_MIB: tuple[int, ...] = (4, 32, 256)
DEFAULT_SIZE_MIB = 4
#: aiozipstream's fixed deflate level; the stdlib variant uses the same.
COMPRESS_LEVEL = 5
#: A fixed member timestamp keeps the stdlib archive byte-for-byte reproducible.
MEMBER_DATE = (2024, 8, 7, 0, 0, 0)
ARCHIVE_NAME = "backup.zip"

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "api": APIS,
    "compression": COMPRESSIONS,
    "chunk": CHUNK_LADDER,
    "size_mib": SIZE_LADDER_MIB,
}

_fully_tested: set[Path] = set()


class ArchiveSink:
    """A write-only, unseekable file object collecting what ``zipfile`` writes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


async def stream_zip_stdlib(
    files: list[Path], chunk_size: int, compression: str, executor: Executor
) -> AsyncIterator[bytes]:
    """The archive of ``files``, yielded chunk by chunk as it is produced."""
    method = _ZIP_METHODS[compression]
    sink = ArchiveSink()
    with zipfile.ZipFile(sink, "w", method, compresslevel=COMPRESS_LEVEL) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.name, date_time=MEMBER_DATE)
            info.compress_type = method
            with archive.open(info, "w") as member:
                async with await anyio.open_file(path, "rb") as source:
                    while chunk := await source.read(chunk_size):
                        await anyio.to_thread.run_sync(member.write, chunk)
                        if sink.parts:
                            yield sink.take()
            yield sink.take()  # the member's tail and data descriptor
    yield sink.take()  # the central directory


async def stream_zip_aiozipstream(
    files: list[Path], chunk_size: int, compression: str, executor: Executor
) -> AsyncIterator[bytes]:
    """The tutorial's ``stream_generator``, on the session's one-thread pool."""
    from zipstream import AioZipStream  # only in workers that measure aiozipstream

    members: list[dict[str, str]] = [
        {"file": str(path)}
        if compression == "stored"
        else {"file": str(path), "compression": compression}
        for path in files
    ]
    stream = AioZipStream(members, chunksize=chunk_size)
    # AioZipStream would start (and never shut down) a one-thread pool per archive; hand it the
    # session's pool, whose thread started before the clock.
    stream._AioZipStream__tpex = executor  # type: ignore[attr-defined]
    async for chunk in stream.stream():
        yield chunk


def scratch_prefix() -> str:
    """Prefix of this process's scratch folders (other processes may be writing their own)."""
    return f"zip-backup-{os.getpid()}-"


def input_files(case: Case) -> list[Path]:
    assert case.fixture_dir is not None, "the backup folder fixture was not built"
    return sorted((case.fixture_dir / "files").iterdir())


@asynccontextmanager
async def session(case: Case) -> AsyncIterator[RunOnce]:
    generate = stream_zip_aiozipstream if case["api"] == "aiozipstream" else stream_zip_stdlib
    opener = (
        _openers.open_with_aiofiles if case["api"] == "aiozipstream" else _openers.open_with_anyio
    )
    files, chunk_size = input_files(case), case.int("chunk")
    compression = str(case["compression"])
    with (
        tempfile.TemporaryDirectory(prefix=scratch_prefix()) as scratch,
        ThreadPoolExecutor(max_workers=1) as executor,
    ):
        executor.submit(int).result()  # start the pool's thread now, untimed
        output = Path(scratch) / ARCHIVE_NAME

        async def run_once() -> Path:
            archive: Any = await opener(output, "wb")
            try:
                async for chunk in generate(files, chunk_size, compression, executor):
                    await archive.write(chunk)
            finally:
                await _openers.close_file(archive)
            return output

        yield run_once


def verify(case: Case, result: object) -> None:
    assert isinstance(result, Path) and case.fixture_dir is not None
    expected = {name: tuple(v) for name, v in _inputs.read_expected(case.fixture_dir).items()}  # type: ignore[arg-type]
    try:
        with zipfile.ZipFile(result) as archive:
            found = {i.filename: (i.file_size, i.CRC) for i in archive.infolist()}
            if found != expected:
                raise WrongResult(f"archive holds {sorted(found)}, sizes/CRCs differ from input")
            method = _ZIP_METHODS[str(case["compression"])]
            methods = {i.compress_type for i in archive.infolist()}
            if methods != {method}:
                raise WrongResult(f"members use compression {methods}, expected {method}")
            if result not in _fully_tested:
                bad = archive.testzip()
                if bad is not None:
                    raise WrongResult(f"archive member {bad} fails its CRC check")
                _fully_tested.add(result)
    except zipfile.BadZipFile as exc:
        raise WrongResult(f"the archive does not open: {exc}") from exc


def unsupported(runtime: str, case: Case) -> str | None:
    if case["api"] == "aiozipstream" and lacks(runtime, ASYNCIO_EVENT_LOOP):
        return "aiozipstream runs only on asyncio event loops (it calls loop.run_in_executor)"
    return None


def fixture(case: Case) -> Fixture:
    return _inputs.backup_folder(case.int("size_mib"))


WORKLOAD = Workload(
    name="io.zip_backup",
    description=__doc__ or "",
    item_unit="MiB",
    params=PARAMS,
    defaults={
        "api": "anyio",
        "compression": DEFAULT_COMPRESSION,
        "chunk": DEFAULT_CHUNK,
        "size_mib": DEFAULT_SIZE_MIB,
    },
    inner_loops=lambda case: case.int("size_mib"),
    verify=verify,
    session=session,
    unsupported=unsupported,
    uses_threads=True,
    bytes_per_item=lambda case: float(_inputs.MIB),
    fixture=fixture,
)
