"""The async iteration protocol itself: ranges, generators, comprehensions and ``anext()``.

Every workload here counts ``range(items)`` and returns ``(count, sum((position + 1) * value))``
(order- and position-sensitive), in two flavours: ``nosuspend`` (pure protocol cost: nothing
awaits the scheduler) and ``checkpoint`` (one checkpoint per item: a round trip through the
scheduler), whose checkpoint is anyio's (``api=anyio``) or the runtime's own (``api=native``).
"""
