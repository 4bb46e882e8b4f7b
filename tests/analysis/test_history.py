"""History: seeded synthetic runs with a known step, a flat series, machines kept apart."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main as analysis_main
from analysis.errors import AnalysisError
from analysis.views.history import MODELS, Method, build_history, noise_sd, run_order

RUNS = 30
STEP_AT = 15


def tidy_runs(
    steps: list[tuple[int, float]],
    *,
    seed: int,
    runs: int = RUNS,
    run_sd: float = 0.01,
    process_sd: float = 0.01,
    processes: int = 6,
    values: int = 3,
    hostname: str = "host-a",
    reverse_files: bool = False,
) -> pd.DataFrame:
    """A tidy frame as analysis.loading.load makes it: runs with run-to-run and process-level noise.

    ``steps`` are (run index, log shift from that run on).
    """
    rng = np.random.default_rng(seed)
    rows = []
    order = range(runs - 1, -1, -1) if reverse_files else range(runs)
    for run in order:
        shift = sum(size for at, size in steps if run >= at)
        run_level = np.log(1e-6) + shift + rng.normal(0.0, run_sd)
        for process in range(processes):
            process_level = run_level + rng.normal(0.0, process_sd)
            for _ in range(values):
                rows.append(
                    {
                        "hostname": hostname,
                        "machine": "unknown",
                        "cpu_model_name": "Synthetic CPU",
                        "python_version": "3.11.7 (64-bit)",
                        "runtime": "asyncio",
                        "workload_family": "protocol",
                        "workload": "protocol.async_generator",
                        "params": "items=1000",
                        "benchmark": "protocol.async_generator[items=1000]",
                        "suite_run_id": f"{hostname}-run{run:02d}",
                        "suite_commit": f"{run:02d}" + "a" * 38,
                        "suite_commit_date": f"2026-10-{run + 1:02d}T12:00:00+00:00",
                        "date": f"2026-11-{(run % 28) + 1:02d} 09:00:00.0",
                        "process_id": f"{hostname}-{run}-{process}",
                        "value": float(np.exp(process_level + rng.normal(0.0, 0.005))),
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("model", MODELS)
def test_a_five_percent_step_is_found_at_the_right_run(model: str) -> None:
    history = build_history(tidy_runs([(STEP_AT, np.log(1.05))], seed=3), Method(model=model))
    assert len(history.changes) == 1
    change = history.changes.iloc[0]
    assert change["position"] == STEP_AT
    assert change["run"] == f"host-a-run{STEP_AT:02d}"
    assert change["ratio"] == pytest.approx(1.05, abs=0.01)
    flagged = history.points[history.points["change_point"]]
    assert list(flagged["position"]) == [STEP_AT]


def test_a_flat_series_has_no_change_point() -> None:
    for seed in range(10):
        history = build_history(tidy_runs([], seed=seed))
        assert history.changes.empty, f"seed {seed}: {history.changes.to_dict('records')}"


def test_a_low_penalty_finds_false_changes_that_the_default_does_not() -> None:
    """The penalty matters: BIC without the factor is too liberal for PELT's many splits."""
    frames = [tidy_runs([], seed=seed) for seed in range(10)]
    loose = sum(len(build_history(f, Method(penalty=0.5)).changes) for f in frames)
    default = sum(len(build_history(f).changes) for f in frames)
    assert default == 0 < loose


def test_runs_are_ordered_by_commit_date_not_by_file_order() -> None:
    frame = tidy_runs([(STEP_AT, np.log(1.10))], seed=1, reverse_files=True)
    order = run_order(frame)
    assert list(order["suite_run_id"]) == [f"host-a-run{r:02d}" for r in range(RUNS)]
    assert set(order["ordered_by"]) == {"commit date"}
    assert list(build_history(frame).changes["position"]) == [STEP_AT]


def test_run_date_is_the_fallback_order() -> None:
    frame = tidy_runs([], seed=0, runs=4)
    frame["suite_commit_date"] = "unknown"
    frame["date"] = frame["suite_run_id"].map(
        {f"host-a-run{r:02d}": f"2026-11-{10 - r:02d} 09:00:00.0" for r in range(4)}
    )
    order = run_order(frame)
    assert list(order["suite_run_id"]) == [f"host-a-run{r:02d}" for r in (3, 2, 1, 0)]
    assert set(order["ordered_by"]) == {"run date"}


def test_machines_never_share_a_line() -> None:
    """Host b is 20% slower throughout: pooled, that would look like a step; kept apart, not."""
    a = tidy_runs([], seed=5, runs=12)
    b = tidy_runs([], seed=6, runs=12, hostname="host-b")
    b["value"] *= 1.2
    b["suite_commit_date"] = b["suite_commit_date"].str.replace("2026-10", "2026-09")
    history = build_history(pd.concat([a, b], ignore_index=True))
    lines = history.points.groupby("platform")["suite_run_id"].nunique()
    assert lines.to_dict() == {"host-a (Synthetic CPU)": 12, "host-b (Synthetic CPU)": 12}
    assert history.changes.empty


def test_counts_of_one_and_three_layouts_never_share_a_line() -> None:
    """Instruction counts with 1.4% more under three layouts from run 6 on: on one line that is
    a change point; the layouts keep them apart, and counts of one layout keep their old line."""
    counts = tidy_runs([], seed=7, runs=12, run_sd=0.0, process_sd=0.0)
    counts["value"] = 20_000.0
    counts["metric"], counts["cpu_arch"], counts["valgrind"] = "instructions", "x86_64", "3.19.0"
    later = counts["suite_run_id"].str[-2:].astype(int) >= 6
    counts.loc[later, "value"] *= 1.014
    counts["count_layouts"] = np.where(later, 3.0, np.nan)  # earlier runs: before layouts
    history = build_history(counts)
    lines = history.points.groupby("platform")["suite_run_id"].nunique()
    assert lines.to_dict() == {
        "x86_64, Valgrind 3.19.0": 6,
        "x86_64, Valgrind 3.19.0, 3 layouts": 6,
    }
    assert history.changes.empty
    counts["count_layouts"] = 1.0  # the same shift within one setting is a change
    assert len(build_history(counts).changes) == 1


def test_noise_estimate_ignores_the_step_and_has_a_process_floor() -> None:
    rng = np.random.default_rng(0)
    flat = rng.normal(0, 0.01, 40)
    stepped = flat + np.where(np.arange(40) >= 20, 0.2, 0.0)
    assert noise_sd(stepped, np.array([])) == pytest.approx(noise_sd(flat, np.array([])), rel=0.3)
    assert noise_sd(np.zeros(10), np.full(10, 0.004)) == pytest.approx(0.004)


def test_bad_method_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="valid models: l2, l1, rank, normal"):
        Method(model="l3")
    with pytest.raises(AnalysisError, match="alpha must be between 0 and 1"):
        Method(alpha=1.5)
    with pytest.raises(AnalysisError, match="penalty"):
        Method(penalty=0)


def write_history(synth, folder: Path, runs: int, step_at: int, hostname: str = "h") -> None:
    for run in range(runs):
        shift = 1.08 if run >= step_at else 1.0
        extra = {
            "suite_commit": f"{run:02d}" + "b" * 38,
            "suite_commit_date": f"2026-10-{run + 1:02d}T12:00:00+00:00",
            "suite_dirty": "false",
            "date": f"2026-11-24 12:{run:02d}:00.000000",
        }
        spec = synth.Spec("asyncio", "protocol.async_generator", {"items": 1000}, shift=shift)
        spec.extra = extra
        spec.runs, spec.per_run = 6, 3
        synth.write_run(folder / f"run{run:02d}", [spec], seed=run, hostname=hostname)


def test_history_command_writes_page_csv_and_plots(tmp_path: Path, synth, capsys) -> None:
    write_history(synth, tmp_path / "runs", runs=10, step_at=6)
    out = tmp_path / "out"
    assert analysis_main(["history", str(tmp_path / "runs"), "-o", str(out)]) == 0
    assert "1 change point(s)" in capsys.readouterr().out
    with (out / "changes.csv").open() as stream:
        changes = list(csv.DictReader(stream))
    assert [c["run"] for c in changes] == ["run06"]
    assert float(changes[0]["ratio"]) == pytest.approx(1.08, abs=0.02)
    with (out / "history.csv").open() as stream:
        points = list(csv.DictReader(stream))
    assert len(points) == 10
    assert [p["change_point"] for p in points].count("True") == 1
    page = (out / "history.md").read_text()
    assert "PELT (ruptures) with the l2 cost" in page and "penalty 2.5 *" in page
    assert "Yuen's 20% trimmed Welch t" in page
    assert "Measured rates of this method (simulation)" in page and "seed 2026" in page
    assert list((out / "plots").glob("trend-*.png"))
    assert "<img" in (out / "history.html").read_text()


def test_history_bad_input_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert analysis_main(["history", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_identity_is_columns_of_the_tidy_frame(tmp_path: Path, synth) -> None:
    from analysis.loading.load import load_results

    spec = synth.Spec("asyncio", "protocol.async_generator", {"items": 1000})
    spec.extra = {"suite_commit": "abc123", "suite_dirty": "true", "injected_slowdown": 0.05}
    synth.write_run(tmp_path / "with", [spec])
    synth.write_run(tmp_path / "without", [synth.Spec("asyncio", "protocol.async_generator")])
    values = load_results([tmp_path / "with"]).values
    assert set(values["suite_commit"]) == {"abc123"}
    assert set(values["suite_dirty"]) == {"true"}
    assert set(values["injected_slowdown"]) == {0.05}
    bare = load_results([tmp_path / "without"]).values
    assert set(bare["suite_commit"]) == set(bare["machine"]) == {"unknown"}
    assert set(bare["injected_slowdown"]) == {0.0}


def test_runs_with_an_injected_slowdown_are_left_out(tmp_path: Path, synth) -> None:
    write_history(synth, tmp_path / "runs", runs=8, step_at=99)  # flat
    slow = synth.Spec("asyncio", "protocol.async_generator", {"items": 1000}, shift=1.5)
    slow.extra = {"suite_commit": "zz", "injected_slowdown": 0.5, "date": "2026-11-25 12:00:00"}
    synth.write_run(tmp_path / "runs" / "sensitivity", [slow])
    out = tmp_path / "out"
    assert analysis_main(["history", str(tmp_path / "runs"), "-o", str(out)]) == 0
    with (out / "history.csv").open() as stream:
        runs = {row["suite_run_id"] for row in csv.DictReader(stream)}
    assert runs == {f"run{r:02d}" for r in range(8)}
    assert (out / "changes.csv").read_text().count("\n") == 1  # the header only


def test_history_bad_alpha_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert analysis_main(["history", str(tmp_path), "--alpha", "2"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --alpha must be between 0 and 1, not 2.0\n"
