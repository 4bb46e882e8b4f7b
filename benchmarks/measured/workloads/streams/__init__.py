"""Producer/consumer streams consumed with ``async for``: bounded queues, a TCP connection on
loopback and the lines read from one, each through anyio (``api=anyio``) or through the
runtime's own primitives (``api=native``).

A producer task sends a fixed, deterministic payload; the consumer iterates the receiving end
with ``async for`` and returns a count and a checksum that are verified outside the timed
region. Each ``run_once`` starts its producer inside a task group, so nothing outlives it.
"""
