"""anyio's own cost (each ``api=anyio`` cell against its ``api=native`` twin) is shown in the
unit of its measure: instruction counts are never printed as seconds."""

from __future__ import annotations

import pandas as pd

from analysis.statistics import evidence, layers


def twins(metric: str, anyio: float, native: float) -> pd.DataFrame:
    rows = []
    for api, value in (("anyio", anyio), ("native", native)):
        for process in range(3):
            rows.append({
                "context": "vm", "workload_family": "protocol",
                "workload": "protocol.async_generator", "runtime": "asyncio",
                "params": f"mode=checkpoint, api={api}, items=1000", "param_api": api,
                "benchmark": f"protocol.async_generator[api={api}]", "process_id": process,
                "suite_run_id": "r", "value": value * (1 + process * 1e-4),
                evidence.METRIC: metric,
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_instruction_twins_are_shown_as_instructions() -> None:
    table = layers.layer_table(twins("instructions", 28100.0, 22900.0), 0.95, 0.01)
    shown = layers.anyio_cost_table(table, "vm", ["asyncio"])
    assert shown is not None
    cell = shown.text["asyncio"].iloc[0]
    assert "28,103 instr vs 22,902 instr" in cell, cell  # geometric means of the processes
    assert " s " not in cell and "anyio costs more" in cell
    assert "instructions with anyio's primitive" in shown.title


def test_time_twins_are_shown_as_times() -> None:
    table = layers.layer_table(twins("time", 2.81e-5, 2.29e-5), 0.95, 0.01)
    shown = layers.anyio_cost_table(table, "vm", ["asyncio"])
    assert shown is not None
    assert "instr" not in shown.text["asyncio"].iloc[0]
    assert "time with anyio's primitive" in shown.title


def test_the_two_measures_of_one_run_are_never_mixed() -> None:
    both = pd.concat([twins("instructions", 28100.0, 22900.0), twins("time", 2.81e-5, 2.29e-5)])
    table = layers.layer_table(both, 0.95, 0.01)
    assert sorted(table[evidence.METRIC]) == ["instructions", "time"]
    assert all(abs(ratio - 28100 / 22900) < 0.01 for ratio in table["ratio"])
