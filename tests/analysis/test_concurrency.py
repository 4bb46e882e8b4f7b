"""Achieved concurrency of latency workloads: requested sleep per step / time per step."""

from __future__ import annotations

import math

import pytest

from analysis import Settings, build_report, compare, fmt, load_results

SLEEP = 2e-3  # seconds of sleep requested per step
#: runtime -> true achieved concurrency of the latency case
CONCURRENCY = {"asyncio": 1.9, "uvloop": 1.95, "trio": 1.5}


def latency_specs(synth):
    specs = []
    for runtime, concurrency in CONCURRENCY.items():
        for delay in ("checkpoint", "latency"):
            latency = delay == "latency"
            specs.append(
                synth.Spec(
                    runtime,
                    "concurrency.counters_task_group",
                    {"delay": delay, "counters": 2, "steps": 10},
                    item_unit="step",
                    median=SLEEP / concurrency if latency else 3e-6,
                    noise=0.01,
                    extra={"requested_sleep_per_item": SLEEP} if latency else {},
                )
            )
    return specs


@pytest.fixture
def latency_run(make_run, synth):
    return make_run(latency_specs(synth), name="latency")


def test_sleep_is_a_column_nan_when_absent(latency_run, standard_run):
    values = load_results([latency_run]).values
    latency = values[values["param_delay"] == "latency"]
    assert (latency["requested_sleep_per_item"] == SLEEP).all()
    assert (
        values.loc[values["param_delay"] == "checkpoint", "requested_sleep_per_item"].isna().all()
    )
    plain = load_results([standard_run]).values
    assert plain["requested_sleep_per_item"].dtype == float
    assert plain["requested_sleep_per_item"].isna().all()


def test_concurrency_is_sleep_over_time_with_a_process_level_interval(latency_run):
    comparison = compare(load_results([latency_run]), Settings())
    table = comparison.concurrency
    assert set(table["runtime"]) == set(CONCURRENCY)
    assert set(table["params"]) == {"delay=latency, counters=2, steps=10"}
    for row in table.itertuples():
        assert row.concurrency == pytest.approx(SLEEP / row.time)
        assert row.concurrency == pytest.approx(CONCURRENCY[row.runtime], rel=0.02)
        assert row.ci_low <= row.concurrency <= row.ci_high
        assert row.ci_high / row.ci_low < 1.05  # 6 processes, 1% process sd: a tight interval


def test_report_shows_the_table_only_with_latency_rows(latency_run, standard_run, tmp_path):
    report = build_report([latency_run], tmp_path / "a", Settings())
    markdown = report.markdown.read_text()
    page = report.html.read_text()
    title = "Achieved concurrency (latency workloads)"
    assert title in markdown and title in page
    section = markdown[markdown.index(title) :].splitlines()
    assert (
        section[2] == "| workload | parameters | per | sleep requested | asyncio | trio | uvloop |"
    )
    line = section[4]
    assert line.startswith("| concurrency.counters_task_group | delay=latency")
    assert section[5] == ""  # one row: the checkpoint case has no requested sleep
    assert fmt.seconds(SLEEP) in line  # the sleep requested per step
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert float(cells[4].split()[0]) == pytest.approx(1.9, rel=0.03)  # asyncio, baseline first
    assert fmt.EN_DASH in cells[4]
    csv = (tmp_path / "a" / "concurrency.csv").read_text()
    assert "concurrency" in csv.splitlines()[0]
    plain = build_report([standard_run], tmp_path / "b", Settings())
    assert title not in plain.markdown.read_text()
    assert title not in plain.html.read_text()


def test_single_value_has_no_interval(make_run, synth, tmp_path):
    spec = synth.Spec(
        "asyncio",
        "concurrency.counters_sequential",
        {"delay": "latency"},
        values=[[SLEEP]],
        extra={"requested_sleep_per_item": SLEEP},
    )
    report = build_report([make_run([spec])], tmp_path / "out", Settings())
    row = report.comparison.concurrency.iloc[0]
    assert math.isclose(row["concurrency"], 1.0)
    assert "(1 process) |" in report.markdown.read_text().split("Achieved concurrency")[1]
