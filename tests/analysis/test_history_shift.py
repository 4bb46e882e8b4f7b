"""``python -m analysis.views.history_shift``: the largest shift of counts under other process
histories, and the threshold it calls for."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest

from analysis.views import history_shift
from analysis.views.regression import load_thresholds

PUBLISHED = Path(__file__).parents[2] / "results" / "2026-12-02T060339_py3.11_vm"
COUNTED = PUBLISHED / "asyncio.instructions.json"
SYNC = "protocol.sync_reference[items=1000]"
CHECKPOINT = "protocol.class_iterator[mode=checkpoint,api=anyio,items=1000]"

pytestmark = pytest.mark.skipif(
    not COUNTED.exists(), reason="the published instruction run is not in this checkout"
)


def variant(folder: Path, scales: dict[str, float], history: str | None) -> Path:
    """The published asyncio counts with some benchmarks scaled, as counted under ``history``."""
    document = json.loads(COUNTED.read_text(encoding="utf-8"))
    document["metadata"]["suite_run_id"] = folder.name
    if history is not None:
        document["metadata"]["count_history_imports"] = history
    for benchmark in document["benchmarks"]:
        name = benchmark.get("metadata", {}).get("name") or document["metadata"].get("name")
        for run in benchmark["runs"]:
            name = run.get("metadata", {}).get("name", name)
            run["values"] = [v * scales.get(name, 1.0) for v in run.get("values", [])]
    folder.mkdir(parents=True)
    (folder / "asyncio.instructions.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


def test_the_largest_shift_sets_the_threshold_and_the_pattern_matches_only_its_benchmark(
    tmp_path: Path,
) -> None:
    base = variant(tmp_path / "base", {}, None)
    one = variant(tmp_path / "one", {SYNC: 0.987, CHECKPOINT: 1.001}, "decimal")
    two = variant(tmp_path / "two", {SYNC: 1.004}, "colorsys")
    out = tmp_path / "shift.json"
    plain = tmp_path / "thresholds.toml"
    plain.write_text("default = 0.05\n[instructions]\ndefault = 0.005\n", encoding="utf-8")
    arguments = [str(base), str(one), str(two), "--json", str(out), "--thresholds", str(plain)]
    assert history_shift.main(arguments) == 0
    rows = {row["benchmark"]: row for row in json.loads(out.read_text())["benchmarks"]}
    sync, checkpoint = rows[SYNC], rows[CHECKPOINT]
    assert sync["largest_shift"] == pytest.approx(-0.013)
    assert sync["variant"] == "decimal"
    assert sync["threshold_needed"] == pytest.approx(0.026)  # 2 x 1.3%
    # A shift well under the threshold leaves the threshold as it is.
    assert checkpoint["threshold_needed"] == checkpoint["threshold_now"]
    pattern = history_shift.pattern_of(SYNC)
    assert fnmatch.fnmatchcase(SYNC, pattern)
    assert not fnmatch.fnmatchcase("protocol.sync_reference[items=10]", pattern)


def test_the_thresholds_file_covers_twice_the_published_history_shifts() -> None:
    """The thresholds in use are at least twice every shift of docs/instructions.md's history
    measurement (results/history-shift-2026-12-02/shift.json: ten histories, two selections),
    so none of those histories is a claim against its base."""
    document = json.loads(
        (PUBLISHED.parent / "history-shift-2026-12-02" / "shift.json").read_text("utf-8")
    )
    thresholds = load_thresholds(None)
    for row in document["benchmarks"]:
        in_use = thresholds.for_benchmark(row["benchmark"], "instructions")
        assert in_use >= 2 * abs(row["largest_shift"]) - 1e-9, row["benchmark"]


def test_the_thresholds_file_covers_twice_the_gate_calibrations_shifts() -> None:
    """The thresholds in use are at least twice every shift over the ten A/A' pairs of the
    gate-wide calibration (results/calibration-2026-12-04-layouts-gate/thresholds-loo/all.json,
    every family, three layouts per process), so none of those pairs is a claim."""
    path = PUBLISHED.parent / "calibration-2026-12-04-layouts-gate" / "thresholds-loo" / "all.json"
    document = json.loads(path.read_text("utf-8"))
    thresholds = load_thresholds(None)
    assert len(document["benchmarks"]) >= 30  # every benchmark of the gate
    for row in document["benchmarks"]:
        in_use = thresholds.for_benchmark(row["benchmark"], "instructions")
        assert in_use >= 2 * abs(row["largest_shift"]) - 1e-9, row["benchmark"]


def test_a_folder_without_counts_and_a_bad_margin_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = variant(tmp_path / "base", {}, None)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert history_shift.main([str(base), str(empty)]) == 2
    assert history_shift.main([str(base), str(base), "--margin", "nan"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines), lines
    assert "--margin" in lines[1]


def test_a_variant_of_other_code_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = variant(tmp_path / "base", {}, None)
    other = variant(tmp_path / "other", {}, "colorsys")
    path = other / "asyncio.instructions.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["metadata"]["suite_commit"] = "0" * 40
    for benchmark in document["benchmarks"]:
        for run in benchmark["runs"]:
            run.get("metadata", {}).pop("suite_commit", None)
    path.write_text(json.dumps(document), encoding="utf-8")
    assert history_shift.main([str(base), str(other)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "suite_commit" in lines[0] and "same code" in lines[0], lines


LAYOUTS = (
    PUBLISHED.parent
    / "calibration-2026-12-04-instructions"
    / "pairs"
    / "00-AA"
    / "baseline"
    / "asyncio.instructions.json"
)
COUNTED_IN_LAYOUTS = "protocol.class_iterator[mode=checkpoint,api=anyio,items=1000]"
ADDED_TO_ALL = "protocol.async_generator[mode=checkpoint,api=native,items=1000]"


def layouts_variant(folder: Path, history: str | None, edit: dict[str, object]) -> Path:
    """Counts of three layouts a process, with ``edit[name](values)`` applied to each run."""
    document = json.loads(LAYOUTS.read_text(encoding="utf-8"))
    document["metadata"]["suite_run_id"] = folder.name
    if history is not None:
        document["metadata"]["count_history_imports"] = history
    for benchmark in document["benchmarks"]:
        name = benchmark.get("metadata", {}).get("name") or document["metadata"].get("name")
        for run in benchmark["runs"]:
            if name in edit and run.get("values"):
                run["values"] = edit[name](run["values"])  # type: ignore[operator]
    folder.mkdir(parents=True)
    (folder / "asyncio.instructions.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


@pytest.mark.skipif(
    not LAYOUTS.exists(), reason="the published layout counts are not in this checkout"
)
def test_a_shift_is_read_from_the_minimum_of_a_processs_layouts(tmp_path: Path) -> None:
    """A collision in one layout that is not the process's minimum moves nothing the gate sees
    (``compare`` takes the minimum); work added to every layout shifts the minimum by as much.
    The mean of the layouts would report +2% for the first."""

    def collide(values: list[float]) -> list[float]:
        worst = values.index(max(values))
        return [v * 1.06 if i == worst else v for i, v in enumerate(values)]

    def add(values: list[float]) -> list[float]:
        return [v * 1.01 for v in values]

    base = layouts_variant(tmp_path / "base", None, {})
    moved = layouts_variant(
        tmp_path / "moved", "decimal", {COUNTED_IN_LAYOUTS: collide, ADDED_TO_ALL: add}
    )
    out = tmp_path / "shift.json"
    assert history_shift.main([str(base), str(moved), "--json", str(out)]) == 0
    rows = {row["benchmark"]: row for row in json.loads(out.read_text())["benchmarks"]}
    assert rows[COUNTED_IN_LAYOUTS]["largest_shift"] == pytest.approx(0.0, abs=1e-12)
    assert rows[ADDED_TO_ALL]["largest_shift"] == pytest.approx(0.01, rel=1e-9)
