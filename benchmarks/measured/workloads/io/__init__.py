"""File I/O workloads: chunked file reads, CSV rows and streaming a ZIP backup of a folder.

Each is written once against anyio's async file API (runtime-neutral) and, where the tutorial
uses ``aiofiles`` or ``aiozipstream``, also with that library on the asyncio family. Input data
is built once per run by :mod:`benchmarks.measured.fixtures` from :mod:`._inputs`.
"""
