"""What a benchmark's number says: runtime speed, a negative control, or timer behaviour.

* **control**: ``protocol.sync_reference`` and every ``mode=nosuspend`` cell never reach the
  scheduler, so a difference between runtimes there is the environment (memory layout, modules
  imported), not the runtime. Controls get their own table and stay out of geometric means.
* **timer**: latency-bound cells (they carry ``requested_sleep_per_item``, or ``timer_bound``)
  measure how each runtime's timer rounds a sleep, not its speed; also out of geometric means.
* **speed**: everything else.

This reads metadata only (the ``workload`` and ``param_mode`` keys), never benchmark names.
"""

from __future__ import annotations

import pandas as pd

SPEED, CONTROL, TIMER = "speed", "control", "timer"

#: Workloads that are controls whatever their parameters.
CONTROL_WORKLOADS: frozenset[str] = frozenset({"protocol.sync_reference"})
#: A ``mode`` parameter with this value never suspends: a control.
CONTROL_MODE = "nosuspend"


def roles(values: pd.DataFrame) -> pd.Series:
    """The role of every row of the tidy frame: ``speed``, ``control`` or ``timer``."""
    role = pd.Series(SPEED, index=values.index, dtype=object)
    if "requested_sleep_per_item" in values:
        role[values["requested_sleep_per_item"].notna()] = TIMER
    if "timer_bound" in values:
        bound = pd.to_numeric(values["timer_bound"], errors="coerce").fillna(0) > 0
        role[bound] = TIMER
    control = values["workload"].isin(CONTROL_WORKLOADS)
    if "param_mode" in values:
        control |= values["param_mode"].astype("string").fillna("") == CONTROL_MODE
    role[control] = CONTROL
    return role
