"""CSV rows from an async iterator that skips the header with ``anext()``.

Measures: parsing a CSV file row by row through ``async for`` after taking the header with
``await anext(iterator)``, summing one integer column. Two ways to read: ``readlines``, the
tutorial's ``AsyncCSVIterator`` (reads the whole file on the first ``__anext__``, so memory grows
with the file), and ``streaming`` (reads ``STREAM_BLOCK`` characters at a time and parses the
complete lines, so memory stays flat). Each with anyio's async file API (every runtime) or with
``aiofiles`` (the tutorial's library, asyncio family only). The streaming reader assumes no
newline inside a quoted field (true of the generated data). The default run reads with
``readlines``; ``streaming`` is on ``--ladder``.
Unit: seconds per row (``bytes_per_item`` gives throughput).
Checked: ``[rows, sum(position * amount)]`` and the header equal those of the file as the
standard ``csv`` module reads it (computed once per process, untimed): a row lost, repeated or
out of order changes the sum. Worker threads are started before the clock.
Why: reading records from a file is the tutorial's ``anext()`` example and the most common async
iteration over I/O; the two readers show what streaming costs and saves.
"""

from __future__ import annotations

import csv
import functools
import io
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from benchmarks.measured.workload import Case, Fixture, ParamValue, RunOnce, Workload, WrongResult
from benchmarks.measured.workloads.io import _inputs, _openers

READINGS: tuple[str, ...] = ("readlines", "streaming")
ROWS_LADDER: tuple[int, ...] = (10_000, 100_000, 1_000_000)
DEFAULT_ROWS = 10_000
#: Default run: the tutorial's reader; ``streaming`` is on ``--ladder``.
DEFAULT_READING = "readlines"
#: Characters the streaming reader reads at a time.
STREAM_BLOCK = 64 * 1024
AMOUNT_COLUMN = _inputs.CSV_HEADER.index("amount")

PARAMS: Mapping[str, tuple[ParamValue, ...]] = {
    "api": _openers.APIS,
    "reading": READINGS,
    "rows": ROWS_LADDER,
}


class AsyncCSVIterator:
    """The tutorial's iterator: ``readlines()`` the whole file on the first ``__anext__``."""

    def __init__(self, path: Path, opener: _openers.Opener) -> None:
        self.path = path
        self.opener = opener
        self.reader: Iterator[list[str]] | None = None

    def __aiter__(self) -> AsyncCSVIterator:
        return self

    async def __anext__(self) -> list[str]:
        if self.reader is None:
            file = await self.opener(self.path, "r")
            try:
                lines = await file.readlines()
            finally:
                await _openers.close_file(file)
            self.reader = csv.reader(lines)
        try:
            return next(self.reader)
        except StopIteration:
            raise StopAsyncIteration from None


class StreamingCSVIterator:
    """Reads ``STREAM_BLOCK`` characters at a time; memory does not grow with the file."""

    def __init__(self, path: Path, opener: _openers.Opener) -> None:
        self.path = path
        self.opener = opener
        self.file: Any = None
        self.rows: Iterator[list[str]] = iter(())
        self.partial_line = ""
        self.exhausted = False

    def __aiter__(self) -> StreamingCSVIterator:
        return self

    async def __anext__(self) -> list[str]:
        while True:
            row = next(self.rows, None)
            if row is not None:
                return row
            if self.exhausted:
                raise StopAsyncIteration
            await self._parse_next_block()

    async def _parse_next_block(self) -> None:
        if self.file is None:
            self.file = await self.opener(self.path, "r")
        text = await self.file.read(STREAM_BLOCK)
        if text:
            text = self.partial_line + text
            complete = text.rfind("\n") + 1
            self.partial_line = text[complete:]
            self.rows = csv.reader(io.StringIO(text[:complete]))
        else:
            self.rows = csv.reader([self.partial_line] if self.partial_line else [])
            self.partial_line = ""
            self.exhausted = True
            await self.aclose()

    async def aclose(self) -> None:
        if self.file is not None:
            file, self.file = self.file, None
            await _openers.close_file(file)


def path(case: Case) -> Path:
    assert case.fixture_dir is not None, "the CSV fixture was not built"
    return case.fixture_dir / _inputs.CSV_FILE


def prepare(case: Case) -> RunOnce:
    opener = _openers.opener_for(case)
    iterator_class = AsyncCSVIterator if case["reading"] == "readlines" else StreamingCSVIterator
    csv_path = path(case)

    async def run_once() -> list[int]:
        rows = iterator_class(csv_path, opener)
        header = await anext(rows)
        assert header[AMOUNT_COLUMN] == "amount"
        count = total = 0
        async for row in rows:
            count += 1
            total += count * int(row[AMOUNT_COLUMN])
        return [count, total]

    return run_once


def expected(case: Case) -> list[int]:
    assert case.fixture_dir is not None
    recorded = _inputs.read_expected(case.fixture_dir)
    count, weighted = weighted_amounts(path(case))
    if count != int(recorded["rows"]):  # type: ignore[call-overload]
        raise WrongResult(f"{path(case)} holds {count} rows, its fixture says {recorded['rows']}")
    return [count, weighted]


@functools.cache
def weighted_amounts(csv_path: Path) -> tuple[int, int]:
    """``(rows, sum(position * amount))`` of a CSV file read with the ``csv`` module."""
    with open(csv_path, newline="", encoding="utf-8") as stream:
        rows = csv.reader(stream)
        next(rows)
        count = total = 0
        for row in rows:
            count += 1
            total += count * int(row[AMOUNT_COLUMN])
    return count, total


def fixture(case: Case) -> Fixture:
    return _inputs.csv_file(case.int("rows"))


def bytes_per_row(case: Case) -> float:
    return os.path.getsize(path(case)) / case.int("rows")


WORKLOAD = Workload(
    name="io.csv_rows",
    description=__doc__ or "",
    item_unit="row",
    params=PARAMS,
    defaults={"api": "anyio", "reading": DEFAULT_READING, "rows": DEFAULT_ROWS},
    inner_loops=lambda case: case.int("rows"),
    expected=expected,
    prepare=prepare,
    unsupported=_openers.aiofiles_unsupported,
    uses_threads=True,
    bytes_per_item=bytes_per_row,
    fixture=fixture,
)
