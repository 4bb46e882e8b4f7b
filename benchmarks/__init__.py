"""Cross-runtime benchmarks of async iteration: one set of workloads on asyncio, uvloop and trio.

Importing this package imports nothing else; see :mod:`benchmarks.cli` for the command line.
"""
