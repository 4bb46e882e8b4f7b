"""Reference floor: the same chunked read with plain blocking ``open``/``read`` calls.

Measures: ``while chunk := file.read(size)`` on a file opened with the built-in ``open``, timed
inside the running event loop like every other workload. It blocks the loop while it reads, so
it is the floor an async file API is compared against, not a pattern to copy.
Unit: seconds per chunk (``bytes_per_item`` gives throughput).
Checked: chunk count, byte count and order-sensitive signature, as for ``io.file_chunks``.
Why: it shows how much of an async read's cost is the thread round trip rather than the read.
"""

from __future__ import annotations

from benchmarks.measured.workload import Case, RunOnce, Workload
from benchmarks.measured.workloads.io import _chunks, _inputs


def prepare(case: Case) -> RunOnce:
    path, chunk_size = _chunks.path(case), case.int("chunk")
    signature_of = _inputs.chunk_signature

    async def run_once() -> list[int]:
        count = size = signature = 0
        with open(path, "rb") as file:
            while chunk := file.read(chunk_size):
                count += 1
                size += len(chunk)
                signature = signature_of(chunk, signature)
        return [count, size, signature]

    return run_once


WORKLOAD = Workload(
    name="io.file_chunks_blocking",
    description=__doc__ or "",
    item_unit="chunk",
    params=_chunks.LADDER,
    defaults=_chunks.DEFAULTS,
    inner_loops=_chunks.chunks,
    expected=_chunks.expected,
    prepare=prepare,
    bytes_per_item=_chunks.bytes_per_chunk,
    fixture=_chunks.fixture,
    in_default_run=False,  # the blocking floor, on --ladder or by name
)
