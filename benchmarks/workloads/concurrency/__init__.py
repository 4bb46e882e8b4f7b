"""Many async iterators at once: the seed tutorial's ``AsyncCounterIterator`` consumed
sequentially, in an anyio task group (every runtime) and with ``asyncio.gather`` (asyncio family).

Every workload here runs ``counters`` class-based counter iterators that each count to ``steps``,
in two delay modes: ``checkpoint`` (one ``anyio.lowlevel.checkpoint()`` per step: pure scheduling
cost) and ``latency`` (one ``anyio.sleep`` per step of 1, 2 or 3 ms drawn from a seeded
``random.Random``: simulated I/O, where concurrency pays off). Values are seconds per step (one
``__anext__`` of one counter). Each module exports ``requested_sleep_seconds(case)``; the achieved
concurrency of a latency case is ``requested_sleep_seconds(case) / (value * inner_loops)``.
"""
