"""Opening and closing files with anyio (every runtime) or aiofiles (asyncio family only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio

from benchmarks.measured.workload import Case
from benchmarks.platform.runtimes import ASYNCIO_EVENT_LOOP, lacks

#: The async file APIs a file workload can use.
APIS: tuple[str, ...] = ("anyio", "aiofiles")
AIOFILES_REASON = "aiofiles runs only on asyncio event loops (it calls loop.run_in_executor)"

Opener = Callable[[Path, str], Awaitable[Any]]


async def open_with_anyio(path: Path, mode: str) -> Any:
    return await anyio.open_file(path, mode, encoding=None if "b" in mode else "utf-8")


async def open_with_aiofiles(path: Path, mode: str) -> Any:
    import aiofiles  # only in workers that measure aiofiles

    return await aiofiles.open(path, mode, encoding=None if "b" in mode else "utf-8")


def opener_for(case: Case) -> Opener:
    return open_with_aiofiles if case["api"] == "aiofiles" else open_with_anyio


async def close_file(file: Any) -> None:
    """Close an anyio file (``aclose``) or an aiofiles file (``close``)."""
    closer = getattr(file, "aclose", None) or file.close
    await closer()


def aiofiles_unsupported(runtime: str, case: Case) -> str | None:
    """The n/a reason of an ``api=aiofiles`` case on trio."""
    return (
        AIOFILES_REASON
        if case["api"] == "aiofiles" and lacks(runtime, ASYNCIO_EVENT_LOOP)
        else None
    )
