"""The async generator protocol beyond ``async for``: ``asend``/``athrow`` round trips,
``aclose`` of a suspended generator, and cancellation in the middle of an ``async for``.

Every workload here is written once against anyio and the language, runs on every runtime and
checks that each generator's ``finally`` ran where the protocol promises it.
"""
