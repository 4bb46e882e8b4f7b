"""``nox -s calibrate`` (benchmarks.running.sensitivity): the figures, and one tiny real pass."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.running import sensitivity
from tests.conftest import REPO_ROOT


def test_rates_count_compare_exit_codes() -> None:
    figures = sensitivity.summarise({"A/A": [0, 0, 1, 0], "5%": [1, 1, 0, None], "10%": [3, 1]})
    assert figures["A/A"]["rate"] == 0.25 and figures["A/A"]["regression_raised"] == 1
    assert figures["5%"]["judged"] == 3 and figures["5%"]["rate"] == pytest.approx(2 / 3)
    assert figures["10%"]["other_exit_codes"] == [3]
    text = sensitivity.markdown(
        figures,
        {
            "pairs": 4,
            "total_pairs": 12,
            "machine": "m",
            "benchmarks": ["b"],
            "runtimes": ["asyncio"],
            "processes": 3,
            "values": 2,
            "wall_seconds": 60.0,
            "family_size": 91,
        },
    )
    assert "| A/A | 1 of 4 | 25% | 1% to 81% | false-alarm rate |" in text
    assert "| 5% | 2 of 3 | 67% | 9% to 99% | detection rate of a 5% slowdown |" in text
    assert figures["A/A"]["rate_95_high"] == pytest.approx(0.8059, abs=1e-4)


def test_regressions_are_read_from_compare_json(tmp_path: Path) -> None:
    path = tmp_path / "compare.json"
    path.write_text(json.dumps({"counts": {"regression": 2, "inconclusive": 1}}))
    assert sensitivity.count_regressions(path) == 2
    path.write_text(json.dumps({"counts": {"equivalent": 3}}))
    assert sensitivity.count_regressions(path) == 0
    path.write_text("not json")
    assert sensitivity.count_regressions(path) is None


@pytest.mark.parametrize("text", ["", "0", "2%", "0.05,x", "1.5"])
def test_bad_slowdowns_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--slowdowns"):
        sensitivity.parse_slowdowns(text)


@pytest.mark.slow
@pytest.mark.acceptance  # a real calibration pass (32 s); the published calibration ran it whole
def test_one_tiny_pass_writes_the_figures(tmp_path: Path, ab_cache: Path) -> None:
    out = tmp_path / "calibration"
    completed = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.running.sensitivity",
            "--pairs", "1", "--slowdowns", "1",
            # The default SPEC (the work tree), as the A/B signal tests: one environment built
            # for both in the session's ab_cache (a ref SPEC is tested in the A/B acceptance).
            "--cache", str(ab_cache),
            "--workload", "protocol.sync_reference", "--param", "items=10",
            "-p", "3", "-n", "2", "-w", "1", "--min-time", "0.002",
            "-o", str(out),
        ],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    document = json.loads((out / "calibration.json").read_text())
    assert set(document["figures"]) == {"A/A", "100%"}
    assert document["settings"]["benchmarks"] == ["protocol.sync_reference[items=10]"]
    assert document["settings"]["runtimes"] == ["asyncio"]
    assert (out / "pairs" / "00-AA" / "baseline" / "asyncio.json").exists()
    assert (out / "pairs" / "00-100pct" / "candidate" / "asyncio.json").exists()
    assert "false-alarm rate" in (out / "calibration.md").read_text()


@pytest.mark.parametrize(("hits", "trials"), [(0, 10), (5, 10), (10, 10), (3, 7), (1, 40)])
def test_binomial_intervals_are_clopper_pearsons(hits: int, trials: int) -> None:
    from scipy import stats

    expected = stats.binomtest(hits, trials).proportion_ci(0.95, "exact")
    low, high = sensitivity.binomial_interval(hits, trials)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


def test_the_default_family_is_the_gates_whole_count() -> None:
    from benchmarks.commands import selection
    from benchmarks.measured import catalog
    from benchmarks.running import run_command

    by_shard = []
    for family in sensitivity.GATE_SHARDS:
        specs = catalog.expand(catalog.select_workloads([f"{family}.*"], default_run=True))
        runtimes = selection.selected_runtimes(None)
        by_shard.append(sum(run_command.na_reason(s, r) is None for s in specs for r in runtimes))
    assert sensitivity.gate_family_size() == sum(by_shard)
    assert sensitivity.gate_family_size(("protocol",)) == by_shard[0]
    assert sum(by_shard) > 6  # far more than the calibration's own comparisons


def test_pairs_are_judged_at_the_family_size_and_figures_carry_intervals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole command with measuring and judging stubbed: every compare gets the family,
    and the written figures hold counts, rates and their binomial intervals."""
    from benchmarks.running import interleave

    seen: list[list[str]] = []
    monkeypatch.setattr(sensitivity, "build_environment", lambda *a, **k: _Env())
    monkeypatch.setattr(interleave, "run_ab", lambda *a, **k: 0)

    def judged(folder: Path, options: list[str], quiet: bool) -> int:
        seen.append(list(options))
        slowed = "AA" not in folder.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "compare.json").write_text(json.dumps({"counts": {"regression": int(slowed)}}))
        return 1 if slowed else 0

    monkeypatch.setattr(interleave, "run_compare", judged)
    monkeypatch.setattr(interleave, "compare_available", lambda: True)
    out = tmp_path / "cal"
    code = sensitivity.main(["--pairs", "2", "--slowdowns", "0.05", "--family-size", "91",
                             "--workload", "protocol.sync_reference", "-o", str(out)])  # fmt: skip
    assert code == 0
    assert seen and all(o[-2:] == ["--family-size", "91"] for o in seen)
    document = json.loads((out / "calibration.json").read_text())
    assert document["settings"]["family_size"] == 91
    aa, slow = document["figures"]["A/A"], document["figures"]["5%"]
    assert (aa["regression_raised"], aa["judged"], aa["rate"]) == (0, 2, 0.0)
    assert aa["rate_95_low"] == 0.0 and aa["rate_95_high"] == pytest.approx(0.8419, abs=1e-4)
    assert slow["rate"] == 1.0 and slow["rate_95_high"] == 1.0
    text = (out / "calibration.md").read_text()
    assert "one of 91 comparisons" in text and "| A/A | 0 of 2 | 0% | 0% to 84% |" in text


def test_a_later_batch_numbers_its_pairs_from_first_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--first-pair 3 --pairs 2``: pairs 3 and 4 (their folders, and the history modules an
    A/A' pair takes by number), and the figures say which pairs they are."""
    from benchmarks.running import interleave

    folders: list[str] = []
    monkeypatch.setattr(sensitivity, "build_environment", lambda *a, **k: _Env())
    monkeypatch.setattr(
        interleave, "run_ab", lambda _s, folder, *a, **k: folders.append(folder.name)
    )
    monkeypatch.setattr(interleave, "run_compare", lambda *a: 0)
    monkeypatch.setattr(interleave, "compare_available", lambda: True)
    out = tmp_path / "cal"
    code = sensitivity.main(["--pairs", "2", "--first-pair", "3", "--kinds", "A/A",
                             "--workload", "protocol.sync_reference", "-o", str(out)])  # fmt: skip
    assert code == 0
    assert folders == ["03-AA", "04-AA"]
    assert json.loads((out / "calibration.json").read_text())["settings"]["first_pair"] == 3
    assert "2 pairs of each kind (pairs 3 to 4) on" in (out / "calibration.md").read_text()


def test_a_negative_first_pair_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        sensitivity.main(["--first-pair", "-1", "--workload", "protocol.sync_reference"])
    assert stopped.value.code == 2
    assert "--first-pair must be 0 or more, got -1" in capsys.readouterr().err


@dataclasses.dataclass(frozen=True)
class _Spec:
    def with_slowdown(self, slowdown: float) -> _Spec:
        return self


@dataclasses.dataclass(frozen=True)
class _Env:
    spec: _Spec = _Spec()
    python_version: str = "3.x"


def test_instruction_work_is_sized_per_benchmark_and_runtime_from_counts(tmp_path: Path) -> None:
    import pyperf

    run = pyperf.Run([30_000.0], metadata={"name": "b", "unit": "integer"}, collect_metadata=False)
    pyperf.BenchmarkSuite([pyperf.Benchmark([run])]).dump(str(tmp_path / "trio.instructions.json"))
    counts = sensitivity.per_item_counts(tmp_path)
    assert counts == {"b@trio": 30_000.0}
    table = sensitivity.work_table(counts, 0.02, 200.0)
    assert table == {"b@trio": 3.0}
    assert sensitivity.injected_fractions(counts, table, 200.0) == {"b@trio": 0.02}


def test_both_sides_of_an_injected_pair_carry_a_work_table_of_one_length(tmp_path: Path) -> None:
    """The work variable is on the stack and parsed before the regions: carried by the candidate
    alone it changed counts by itself. The baseline carries the same keys, all zero, in a text
    of the same length; the A/A pair's baseline stays the plain base."""
    from benchmarks.platform.environments import Environment, parse_spec
    from benchmarks.running.harness import WORK_ENV, parse_work

    base = Environment(spec=parse_spec("."), python=Path(sys.executable), source=REPO_ROOT,
                       extra_environ={"AITER_BENCH_MACHINE": "m"})  # fmt: skip
    injection = sensitivity.WorkInjection(base, tmp_path)
    injection.counts = {"protocol.b[items=1000]@trio": 30_000.0, "protocol.a@asyncio": 1_669.1}
    injection.cost = 66.0
    assert injection.baseline(0.0) is base
    baseline, candidate = injection.baseline(0.01), injection.candidate(0.01)
    zero_text, work_text = baseline.extra_environ[WORK_ENV], candidate.extra_environ[WORK_ENV]
    assert len(zero_text) == len(work_text) and zero_text != work_text
    assert parse_work(zero_text) == dict.fromkeys(injection.counts, 0.0)
    assert parse_work(work_text) == sensitivity.work_table(injection.counts, 0.01, 66.0)
    assert baseline.extra_environ["AITER_BENCH_MACHINE"] == "m" == candidate.extra_environ[
        "AITER_BENCH_MACHINE"]  # fmt: skip
    assert len(sensitivity.work_text({"b": 123456.5})) == len(sensitivity.work_text({"b": 0.0}))
    with pytest.raises(ValueError, match="too large"):
        sensitivity.work_text({"b": 1e12})


def test_what_an_injected_pair_added_is_measured_from_its_sides(tmp_path: Path) -> None:
    import pyperf

    for side, value in (("baseline", 28_000.0), ("candidate", 28_280.0)):
        (tmp_path / side).mkdir()
        run = pyperf.Run([value], metadata={"name": "b", "unit": "integer"},
                         collect_metadata=False)  # fmt: skip
        pyperf.BenchmarkSuite([pyperf.Benchmark([run])]).dump(
            str(tmp_path / side / "asyncio.instructions.json")
        )
    fractions = sensitivity.measured_fractions(tmp_path / "baseline", tmp_path / "candidate")
    assert fractions == {"b@asyncio": 0.01}
    injection = sensitivity.WorkInjection(None, tmp_path)  # type: ignore[arg-type]
    injection.record("1%", tmp_path / "baseline", tmp_path / "candidate")
    injection.record("1%", tmp_path / "baseline", tmp_path / "baseline")
    assert injection.measured_range() == {"1%": {"b@asyncio": [0.0, 0.01]}}
    lines = sensitivity.measured_fraction_lines(injection.measured_range())
    assert "| b@asyncio | +0.000% to +1.000% |" in lines


def test_a_folder_holding_an_earlier_calibration_is_refused_in_one_line(tmp_path: Path) -> None:
    earlier = tmp_path / "calibration"
    (earlier / "pairs" / "00-AA").mkdir(parents=True)
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.running.sensitivity", "--pairs", "1",
         "-o", str(earlier)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "already holds a calibration (pairs)" in lines[0], completed.stderr
    assert sorted(p.name for p in earlier.iterdir()) == ["pairs"]  # nothing written


def test_the_instructions_calibration_refuses_the_time_measures_injection() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.running.sensitivity", "--measure", "instructions",
         "--spec", ".,slowdown=0.05", "--pairs", "1"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "injects its own work" in lines[0], completed.stderr


def test_history_pairs_give_the_candidate_one_more_module_in_turn() -> None:
    from benchmarks.platform.environments import Environment, parse_spec
    from benchmarks.running.counted_worker import HISTORY_ENV

    base = Environment(spec=parse_spec("."), python=Path(sys.executable), source=REPO_ROOT,
                       extra_environ={"AITER_BENCH_MACHINE": "m"})  # fmt: skip
    modules = sensitivity.HISTORY_MODULES
    first = sensitivity.history_candidate(base, 0)
    again = sensitivity.history_candidate(base, len(modules))
    assert first.extra_environ == {"AITER_BENCH_MACHINE": "m", HISTORY_ENV: modules[0]}
    assert again.extra_environ[HISTORY_ENV] == modules[0]
    assert sensitivity.history_candidate(base, 1).extra_environ[HISTORY_ENV] == modules[1]
    assert base.extra_environ == {"AITER_BENCH_MACHINE": "m"}  # the base is left alone
    assert len(set(modules)) == len(modules)
    # Pairs 10 to 19 are histories that no threshold was derived from.
    assert sensitivity.history_candidate(base, 10).extra_environ[HISTORY_ENV] == "wave"
    assert sensitivity.pair_folder_name(sensitivity.AA_HISTORY) == "AA-history"
    assert sensitivity.pair_folder_name("1%") == "1pct"


#: The variants that thresholds.toml's history-shift thresholds were measured from.
SHIFT_VARIANTS = ("decimal", "colorsys", "email.message", "fractions")


def test_history_modules_are_never_imported_by_a_counted_process() -> None:
    """An A/A' pair whose module the counted process imports anyway would be a plain A/A pair:
    none of them (nor the variants the thresholds come from) may be among what a counted
    process imports for any runtime and workload (preloaded as the worker does)."""
    script = (
        "import sys\n"
        "from benchmarks.running import counted_worker, harness\n"
        "from benchmarks.platform.runtimes import RUNTIMES\n"
        "from benchmarks.measured import catalog\n"
        "for name in ('asyncio', 'uvloop', 'trio'):\n"
        "    RUNTIMES[name].preload()\n"
        "catalog.all_workloads()\n"
        f"wanted = {[*sensitivity.HISTORY_MODULES, *SHIFT_VARIANTS]!r}\n"
        "print(','.join(m for m in wanted if m in sys.modules))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=120)  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == ""


def test_the_history_variable_imports_its_modules_first() -> None:
    from benchmarks.running import counted_worker

    assert counted_worker.history_modules(" colorsys, ,getopt ") == ["colorsys", "getopt"]
    assert counted_worker.history_modules(None) == []
    script = (
        "import sys\n"
        "from benchmarks.running import counted_worker\n"
        "assert 'colorsys' not in sys.modules\n"
        "print(counted_worker.import_history('colorsys'), 'colorsys' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
    assert completed.stdout.strip() == "['colorsys'] True", completed.stderr


def test_kinds_keep_their_order_and_bad_kinds_are_refused() -> None:
    kinds = {"A/A": 0.0, "A/A'": 0.0, "1%": 0.01, "2%": 0.02}
    assert sensitivity.chosen_kinds(kinds, None, True) == kinds
    assert list(sensitivity.chosen_kinds(kinds, "2%, A/A", True)) == ["A/A", "2%"]
    assert sensitivity.chosen_kinds(kinds, "A/A'", True) == {"A/A'": 0.0}
    with pytest.raises(ValueError, match="valid kinds: A/A, A/A', 1%, 2%"):
        sensitivity.chosen_kinds(kinds, "B/B", True)
    with pytest.raises(ValueError, match="sized from the A/A pairs"):
        sensitivity.chosen_kinds(kinds, "1%", True)
    assert sensitivity.chosen_kinds({"A/A": 0.0, "5%": 0.05}, "5%", False) == {"5%": 0.05}


def test_slowdowns_under_another_history_are_run_only_when_named() -> None:
    kinds = {"A/A": 0.0, "A/A'": 0.0, "1%": 0.01}
    optional = {"1%'": 0.01}
    assert sensitivity.chosen_kinds(kinds, None, True, optional) == kinds
    assert sensitivity.chosen_kinds(kinds, "A/A,1%'", True, optional) == {"A/A": 0.0, "1%'": 0.01}
    with pytest.raises(ValueError, match="valid kinds: A/A, A/A', 1%, 1%'"):
        sensitivity.chosen_kinds(kinds, "3%'", True, optional)
    assert sensitivity.pair_folder_name("1%'") == "1pct-history"
    assert sensitivity.under_other_history("1%'") and not sensitivity.under_other_history("1%")


def test_a_slowdown_under_another_history_carries_the_work_and_the_import(tmp_path: Path) -> None:
    from benchmarks.platform.environments import Environment, parse_spec
    from benchmarks.running.counted_worker import HISTORY_ENV
    from benchmarks.running.harness import WORK_ENV

    base = Environment(spec=parse_spec("."), python=Path(sys.executable), source=REPO_ROOT)
    injection = sensitivity.WorkInjection(base, tmp_path)
    injection.counts, injection.cost = {"b@asyncio": 28_000.0}, 74.0
    candidate = sensitivity.history_candidate(injection.candidate(0.01), 3)
    assert candidate.extra_environ[HISTORY_ENV] == sensitivity.HISTORY_MODULES[3]
    assert candidate.extra_environ[WORK_ENV] == injection.candidate(0.01).extra_environ[WORK_ENV]
    assert HISTORY_ENV not in injection.baseline(0.01).extra_environ


def test_an_unknown_kind_is_one_line_and_exit_2_before_any_environment_is_built(
    tmp_path: Path,
) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "calibrate", "--measure", "instructions",
         "--kinds", "A/B", "--cache", str(tmp_path / "cache"), "-o", str(tmp_path / "out")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "valid kinds: A/A, A/A', 1%, 2%" in lines[0], completed.stderr
    assert not (tmp_path / "cache").exists() and not (tmp_path / "out").exists()
