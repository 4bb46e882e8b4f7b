"""The async iteration protocol itself: ranges, generators, comprehensions and ``anext()``.

Every workload here counts ``range(items)`` and returns its sum, in two flavours: ``nosuspend``
(pure protocol cost: nothing awaits the scheduler) and ``checkpoint`` (one
``anyio.lowlevel.checkpoint()`` per item: a round trip through the scheduler).
"""
