"""``python -m analysis compare``: verdicts, exit codes, outputs and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.statistics.verdict import EQUIVALENT, INCONCLUSIVE, REGRESSION
from analysis.views.regression import Thresholds, compare_paths, load_thresholds
from analysis.views.regression_doc import STEP_SUMMARY_LIMIT

REPO = Path(__file__).resolve().parents[2]
RUNTIMES = ("asyncio", "trio", "uvloop")


def specs(synth, shifts=None, benchmarks=8, **spec_options):
    """``benchmarks`` protocol benchmarks on three runtimes; ``shifts`` maps index -> ratio."""
    shifts = shifts or {}
    return [
        synth.Spec(runtime, f"protocol.w{k}", {"items": 1000}, shift=shifts.get(k, 1.0),
                   **spec_options)
        for k in range(benchmarks)
        for runtime in RUNTIMES
    ]  # fmt: skip


@pytest.fixture
def pair(tmp_path, synth):
    def make(candidate_shifts=None, seed=0, **options):
        # An interleaved A/B run with the suite's 12 processes: both sides carry the same blocks.
        options.setdefault("runs", 12)
        base = synth.write_run(tmp_path / "base", specs(synth, **options), seed=seed, blocks="ab")
        cand = synth.write_run(
            tmp_path / "cand", specs(synth, candidate_shifts, **options), seed=seed + 1, blocks="ab"
        )
        return base, cand

    return make


def run(capsys, *args):
    code = main(["compare", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_a_exits_0(capsys, pair):
    base, cand = pair()
    code, out, _ = run(capsys, base, cand)
    assert code == 0
    assert out.startswith("No regression in 24 comparisons")


def test_a_ten_percent_slowdown_of_one_benchmark_exits_1_and_names_it(capsys, pair, tmp_path):
    base, cand = pair({3: 1.10})
    code, out, _ = run(capsys, base, cand, "--json", tmp_path / "c.json")
    assert code == 1
    assert "protocol.w3[items=1000]" in out and out.startswith("Regression: 3 of 24")
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["exit_code"] == 1
    regressed = {(r["workload"], r["runtime"]) for r in data["rows"] if r["verdict"] == REGRESSION}
    assert regressed == {("protocol.w3", r) for r in RUNTIMES}


def test_two_percent_with_a_five_percent_threshold_is_not_a_regression(capsys, pair):
    base, cand = pair({k: 1.02 for k in range(8)}, process_sd=0.02)
    code, out, _ = run(capsys, base, cand)
    assert code == 0
    assert out.startswith("No regression")


def test_fail_on(capsys, pair, tmp_path):
    base, cand = pair({0: 1.03}, process_sd=0.03, runs=4)
    rows = compare_paths([base], [cand]).rows
    assert (rows["verdict"] == INCONCLUSIVE).any() and not (rows["verdict"] == REGRESSION).any()
    assert run(capsys, base, cand)[0] == 0
    assert run(capsys, base, cand, "--fail-on", "inconclusive")[0] == 3
    slow_base, slow_cand = (tmp_path / "s" / "b", tmp_path / "s" / "c")
    for folder, shift in ((slow_base, 1.0), (slow_cand, 1.5)):
        synth_specs = [s for s in specs_for_shift(shift)]
        write(folder, synth_specs)
    assert run(capsys, slow_base, slow_cand)[0] == 1
    assert run(capsys, slow_base, slow_cand, "--fail-on", "never")[0] == 0
    assert run(capsys, slow_base, slow_cand, "--fail-on", "inconclusive")[0] == 1


def specs_for_shift(shift):
    from tests.analysis.conftest import Spec

    return [Spec("asyncio", "protocol.slow", shift=shift)]


def write(folder, specs_):
    from tests.analysis.conftest import write_run

    write_run(folder, specs_, seed=len(str(folder)), blocks="ab")  # interleaved sides


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("missing", "no such file or folder"),
        ("corrupt", "not valid JSON"),
        ("empty", "no pyperf"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, pair, tmp_path, case, needle):
    base, _ = pair()
    other = tmp_path / case
    if case == "corrupt":
        other.mkdir()
        (other / "asyncio.json").write_text('{"version": "1.0", "benchmarks": [', "utf-8")
    elif case == "empty":
        other.mkdir()
    code, _, err = run(capsys, base, other)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:")
    assert needle in err


def test_no_common_benchmark_exits_2(capsys, tmp_path, synth):
    synth.write_run(tmp_path / "a", [synth.Spec("asyncio", "protocol.a")])
    synth.write_run(tmp_path / "b", [synth.Spec("asyncio", "protocol.b")])
    code, _, err = run(capsys, tmp_path / "a", tmp_path / "b")
    assert code == 2 and "nothing to compare" in err


def test_different_machines_are_refused_unless_allowed(capsys, tmp_path, synth):
    synth.write_run(tmp_path / "a", [synth.Spec("asyncio", "protocol.a")], hostname="alpha")
    synth.write_run(tmp_path / "b", [synth.Spec("asyncio", "protocol.a")], hostname="beta")
    code, _, err = run(capsys, tmp_path / "a", tmp_path / "b")
    assert code == 2 and "different machines" in err and len(err.strip().splitlines()) == 1
    assert "python -m benchmarks ab" in err and "--measure instructions" in err  # what to do
    assert run(capsys, tmp_path / "a", tmp_path / "b", "--allow-different-machines")[0] == 0


def test_multiplicity_is_controlled_across_merged_shards(tmp_path, synth):
    for side, seed in (("baseline", 1), ("candidate", 2)):
        for shard, family in enumerate(("protocol", "streams")):
            shard_specs = [
                synth.Spec(r, f"{family}.w{k}") for k in range(5) for r in ("asyncio", "trio")
            ]
            synth.write_run(
                tmp_path / side / family,
                shard_specs,
                seed=seed * 10 + shard,
                run_id=f"{side}-{family}",  # two sides of one interleaved experiment
                blocks="E",
            )
    rows = compare_paths([tmp_path / "baseline"], [tmp_path / "candidate"]).rows
    assert len(rows) == 20
    assert rows["decision_confidence"].tolist() == pytest.approx([1 - 0.05 / 20] * 20)


def test_thresholds_file_overrides_by_pattern(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('default = 0.03\n[overrides]\n"io.*" = 0.2\n"io.x*" = 0.5\n', "utf-8")
    thresholds = load_thresholds(path)
    assert thresholds.for_benchmark("protocol.a[items=1]") == 0.03
    assert thresholds.for_benchmark("io.x[chunk=1]") == 0.2  # first match wins
    assert load_thresholds(path, 0.07).for_benchmark("protocol.a") == 0.07
    shipped = load_thresholds(None)
    assert shipped.default == 0.05 and shipped.for_benchmark("io.file_chunks[chunk=1]") == 0.10
    assert Thresholds().for_benchmark("anything") == 0.05


def test_a_looser_threshold_turns_a_regression_into_equivalent_or_inconclusive(pair, tmp_path):
    base, cand = pair({0: 1.08}, process_sd=0.003, noise=0.002)
    strict = compare_paths([base], [cand]).rows
    assert (strict["verdict"] == REGRESSION).sum() == 3
    path = tmp_path / "loose.toml"
    path.write_text('default = 0.05\n[overrides]\n"protocol.w0*" = 0.15\n', "utf-8")
    loose = compare_paths([base], [cand], thresholds=load_thresholds(path)).rows
    assert not (loose["verdict"] == REGRESSION).any()
    assert set(loose.loc[loose["workload"] == "protocol.w0", "verdict"]) <= {
        EQUIVALENT,
        INCONCLUSIVE,
    }


@pytest.mark.parametrize("text", ["default = 2", "default = 'x'", "unknown = 1", "default ="])
def test_bad_thresholds_file_is_one_line(capsys, pair, tmp_path, text):
    base, cand = pair()
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    code, _, err = run(capsys, base, cand, "--thresholds", path)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_step_summary_stays_under_1_mib_with_500_benchmarks(tmp_path, synth, monkeypatch):
    many = [
        synth.Spec(r, f"protocol.a_rather_long_workload_name_{k}",
                   {"mode": "checkpoint", "items": 1000, "kind": "list"}, runs=3, per_run=1)
        for k in range(500)
        for r in ("asyncio", "trio")
    ]  # fmt: skip
    synth.write_run(tmp_path / "a", many, seed=1)
    synth.write_run(tmp_path / "b", many, seed=2)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) in (0, 1)
    size = summary.stat().st_size
    assert 0 < size < STEP_SUMMARY_LIMIT
    text = summary.read_text()
    assert text.startswith("## Benchmark comparison")
    assert "<details>" in text


def test_annotations_under_github_actions(capsys, pair, monkeypatch):
    base, cand = pair({1: 1.2})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(capsys, base, cand)
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error title=regression")]
    assert len(errors) == 3 and "protocol.w1[items=1000]" in errors[0]


def test_markdown_leads_with_the_verdict_and_sorts_regressions(pair, tmp_path, capsys):
    base, cand = pair({1: 1.10, 2: 1.30})
    run(capsys, base, cand, "--markdown", tmp_path / "s.md")
    text = (tmp_path / "s.md").read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[1].startswith("**Regression: 6 of 24")
    table = text[text.index("Regressions, worst first") :]
    assert table.index("protocol.w2") < table.index("protocol.w1")


def test_python_dash_m_exit_codes(pair):
    base, cand = pair({0: 1.25})
    completed = subprocess.run(
        [sys.executable, "-m", "analysis", "compare", str(base), str(cand)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 1, completed.stderr
