"""Streaming a ZIP backup of a folder: an async generator of archive chunks, written to a file.

Measures: the tutorial's ``compress.py`` job. An async generator reads every file of a folder in
``chunk``-byte pieces, deflates them (level ``COMPRESS_LEVEL``, in a worker thread so the loop
stays responsive) and yields the archive's bytes as they are produced; the consumer writes them
to an output file. ``api=anyio``: the standard library's ``zipfile`` writing to an in-memory
sink, with anyio's file API and ``anyio.to_thread`` (every runtime). ``api=aiozipstream``: the
tutorial's ``AioZipStream`` with aiofiles (asyncio family only), same compression level and
chunk size. The check (untimed) opens the archive with ``zipfile`` and compares every member's
name, size and CRC-32 with the input folder, and decompresses it all once per process.
Unit: seconds per MiB of input (``bytes_per_item`` gives throughput).
Why: streaming an archive without holding it in memory is the tutorial's async generator
showcase; it mixes file reads, CPU work handed to threads, and writes.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from benchmarks.workload import Case, Fixture, ParamValue, RunOnce, Workload, WrongResult
from benchmarks.workloads.io import _inputs, _openers

APIS: tuple[str, ...] = ("anyio", "aiozipstream")
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


async def stream_zip_stdlib(files: list[Path], chunk_size: int) -> AsyncIterator[bytes]:
    """The archive of ``files``, yielded chunk by chunk as it is produced."""
    sink = ArchiveSink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.name, date_time=MEMBER_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                async with await anyio.open_file(path, "rb") as source:
                    while chunk := await source.read(chunk_size):
                        await anyio.to_thread.run_sync(member.write, chunk)
                        if sink.parts:
                            yield sink.take()
            yield sink.take()  # the member's tail and data descriptor
    yield sink.take()  # the central directory


async def stream_zip_aiozipstream(files: list[Path], chunk_size: int) -> AsyncIterator[bytes]:
    """The tutorial's ``stream_generator``, with its executor shut down when done."""
    from zipstream import AioZipStream  # only in workers that measure aiozipstream

    stream = AioZipStream(
        [{"file": str(path), "compression": "deflate"} for path in files], chunksize=chunk_size
    )
    try:
        async for chunk in stream.stream():
            yield chunk
    finally:
        # AioZipStream never shuts down the thread pool it creates: without this, every
        # archive would leave a thread behind until garbage collection.
        executor = getattr(stream, "_AioZipStream__tpex", None)
        if executor is not None:
            executor.shutdown(wait=True)


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
    with tempfile.TemporaryDirectory(prefix="zip-backup-") as scratch:
        output = Path(scratch) / ARCHIVE_NAME

        async def run_once() -> Path:
            archive: Any = await opener(output, "wb")
            try:
                async for chunk in generate(files, chunk_size):
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
            if result not in _fully_tested:
                bad = archive.testzip()
                if bad is not None:
                    raise WrongResult(f"archive member {bad} fails its CRC check")
                _fully_tested.add(result)
    except zipfile.BadZipFile as exc:
        raise WrongResult(f"the archive does not open: {exc}") from exc


def unsupported(runtime: str, case: Case) -> str | None:
    if case["api"] == "aiozipstream" and runtime == "trio":
        return "aiozipstream runs only on asyncio event loops (it calls loop.run_in_executor)"
    return None


def fixture(case: Case) -> Fixture:
    return _inputs.backup_folder(case.int("size_mib"))


WORKLOAD = Workload(
    name="io.zip_backup",
    description=__doc__ or "",
    item_unit="MiB",
    params=PARAMS,
    defaults={"chunk": DEFAULT_CHUNK, "size_mib": DEFAULT_SIZE_MIB},
    inner_loops=lambda case: case.int("size_mib"),
    verify=verify,
    session=session,
    unsupported=unsupported,
    bytes_per_item=lambda case: float(_inputs.MIB),
    fixture=fixture,
)
