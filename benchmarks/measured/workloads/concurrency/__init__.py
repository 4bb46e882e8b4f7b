"""Many async iterators at once: the seed tutorial's ``AsyncCounterIterator`` consumed
sequentially, in a task group (anyio's or the runtime's own; every runtime) and with
``asyncio.gather`` (asyncio family), and N async generators merged into one ``async for``
(``fan_in``).

Every ``counters_*`` workload runs ``counters`` class-based counter iterators that each count to
``steps``, in two delay modes: ``checkpoint`` (one checkpoint per step: pure scheduling cost) and
``latency`` (one sleep per step of 1, 2 or 3 ms drawn from a seeded ``random.Random``: simulated
I/O, where concurrency pays off; recorded as ``timer_bound``). Values are seconds per step (one
``__anext__`` of one counter); the result also proves how many counters ran at once. Each of these
modules exports ``requested_sleep_seconds(case)``; the achieved concurrency of a latency case is
``requested_sleep_seconds(case) / (value * inner_loops)``.
"""
