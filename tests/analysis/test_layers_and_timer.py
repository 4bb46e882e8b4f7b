"""anyio's own cost (api=anyio against api=native twins) and the timer accuracy table."""

from __future__ import annotations

import json

import pytest

from analysis import AnalysisError, Settings, build_report, compare, load_results


def twin_specs(synth, costs):
    """``costs`` maps runtime -> true anyio/native ratio on a checkpoint workload."""
    specs = []
    for runtime, cost in costs.items():
        for api, shift in (("anyio", cost), ("native", 1.0)):
            specs.append(
                synth.Spec(runtime, "protocol.async_generator",
                           {"mode": "checkpoint", "api": api, "items": 1000},
                           shift=shift, process_sd=0.005, runs=8)
            )  # fmt: skip
    return specs


def test_anyio_cost_pairs_each_runtime_with_its_native_twin(make_run, synth):
    costs = {"asyncio": 1.5, "trio": 1.0, "uvloop": 2.0}
    comparison = compare(load_results([make_run(twin_specs(synth, costs), seed=3)]))
    layers = comparison.layers
    assert set(layers["runtime"]) == set(costs)
    assert set(layers["twin_params"]) == {"mode=checkpoint, items=1000"}
    for row in layers.itertuples():
        assert row.ratio == pytest.approx(costs[row.runtime], rel=0.02)
    verdicts = dict(zip(layers["runtime"], layers["verdict"], strict=True))
    assert verdicts["asyncio"] == verdicts["uvloop"] == "anyio costs more"
    assert verdicts["trio"] == "equivalent"


def test_report_shows_the_anyio_cost_and_timer_tables(make_run, synth, tmp_path):
    folder = make_run(twin_specs(synth, {"asyncio": 1.5, "trio": 1.2}), seed=4)
    (folder / "timer_accuracy.json").write_text(
        json.dumps(
            {"format": 1, "machine": "bench-host", "python": "3.11.7", "runtimes": {
                "trio": [{"requested_s": 0.002, "median_s": 0.0011, "min_s": 0.00107,
                          "max_s": 0.002, "early_fraction": 0.9}],
                "rloop": [{"requested_s": 0.002, "median_s": 0.0021, "min_s": 0.00201,
                           "max_s": 0.003, "early_fraction": 0.0}]}}
        ),
        encoding="utf-8",
    )  # fmt: skip
    report = build_report([folder], tmp_path / "out", Settings())
    text = report.markdown.read_text()
    assert "anyio's own cost" in text
    assert "| protocol.async_generator | mode=checkpoint, items=1000 | 1.49" in text
    assert "anyio costs more" in text
    assert "Timer accuracy" in text and "min 1.07 ms, early 90.0%" in text
    timer_table = text.split("Timer accuracy: achieved", 1)[1].split("\n\n", 2)[1]
    assert " trio |" in timer_table.splitlines()[0]
    assert "rloop" not in timer_table  # not measured in this run: no column for it


def test_a_corrupt_timer_file_is_one_clear_error(make_run, synth, tmp_path):
    folder = make_run(twin_specs(synth, {"asyncio": 1.1}))
    (folder / "timer_accuracy.json").write_text('{"runtimes": 3}', encoding="utf-8")
    with pytest.raises(AnalysisError, match=r"not a valid timer_accuracy\.json"):
        compare(load_results([folder]))
