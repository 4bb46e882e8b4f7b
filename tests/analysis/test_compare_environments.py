"""Instruction counts from two environments: the threshold is at least the drift between them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.errors import AnalysisError
from analysis.views.regression import compare_paths, load_thresholds

PUBLISHED = Path(__file__).parents[2] / "results" / "2026-12-02T060339_py3.11_vm"
COUNTED = PUBLISHED / "asyncio.instructions.json"


def counted_copy(folder: Path, *, scale: float, executable: str, run_id: str) -> Path:
    """The published asyncio counts, scaled, as if counted by ``executable``."""
    document = json.loads(COUNTED.read_text(encoding="utf-8"))
    document["metadata"]["python_executable"] = executable
    document["metadata"]["suite_run_id"] = run_id
    for benchmark in document["benchmarks"]:
        for run in benchmark["runs"]:
            run["values"] = [value * scale for value in run.get("values", [])]
            if "metadata" in run:
                run["metadata"]["python_executable"] = executable
    folder.mkdir(parents=True)
    (folder / "asyncio.instructions.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


@pytest.fixture
def sides(tmp_path):
    def make(candidate_executable: str, scale: float = 1.012):
        base = counted_copy(
            tmp_path / "base", scale=1.0, executable="/env/a/bin/python", run_id="base"
        )
        cand = counted_copy(
            tmp_path / "cand", scale=scale, executable=candidate_executable, run_id="cand"
        )
        return base, cand

    return make


needs_published = pytest.mark.skipif(
    not COUNTED.exists(), reason="the published instruction run is not in this checkout"
)


@needs_published
def test_a_one_percent_move_between_environments_of_other_path_lengths_is_no_claim(sides):
    base, cand = sides("/a/much/longer/env/bin/python")
    comparison = compare_paths([base], [cand])
    assert set(comparison.rows["verdict"]) <= {"equivalent", "inconclusive"}
    assert (comparison.rows["threshold"] >= 0.02).all()
    assert any("paths of different lengths" in note for note in comparison.notes)


@needs_published
def test_the_same_move_between_paths_of_one_length_is_a_regression(sides):
    base, cand = sides("/env/b/bin/python")  # as the two sides of one ab run
    comparison = compare_paths([base], [cand])
    protocol = comparison.rows[comparison.rows["benchmark"].str.startswith("protocol.")]
    assert set(protocol["verdict"]) == {"regression"}  # 1.2% against the 0.5% threshold
    assert not any("paths of different lengths" in note for note in comparison.notes)


@needs_published
def test_a_real_slowdown_between_environments_is_still_caught(sides):
    base, cand = sides("/a/much/longer/env/bin/python", scale=1.05)
    comparison = compare_paths([base], [cand])
    assert set(comparison.rows["verdict"]) == {"regression"}


def test_the_floor_comes_from_the_thresholds_file(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text("[instructions]\nbetween_environments = 0.03\n", encoding="utf-8")
    assert load_thresholds(path).instructions_between_environments == 0.03
    path.write_text("[instructions]\nbetween_environments = 2\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="between_environments"):
        load_thresholds(path)


@needs_published
def test_counts_from_hosts_with_other_cpu_features_carry_a_note(tmp_path: Path) -> None:
    base = counted_copy(tmp_path / "base", scale=1.0, executable="/env/a/bin/python", run_id="b")
    cand = counted_copy(tmp_path / "cand", scale=1.0, executable="/env/b/bin/python", run_id="c")
    for folder, features in ((base, "aaaaaaaaaaaa"), (cand, "bbbbbbbbbbbb")):
        path = folder / "asyncio.instructions.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        document["metadata"]["cpu_features"] = features
        path.write_text(json.dumps(document), encoding="utf-8")
    comparison = compare_paths([base], [cand])
    assert any("CPU feature flags differ" in note for note in comparison.notes), comparison.notes
    plain = counted_copy(tmp_path / "same", scale=1.0, executable="/env/b/bin/python", run_id="s")
    same = compare_paths([base], [plain])
    assert not any("CPU feature flags" in note for note in same.notes)


@needs_published
@pytest.mark.parametrize("column", ["count_fixture_root", "count_suite_folder"])
def test_a_fixture_root_of_another_length_gets_the_floor_and_a_suite_folder_not(
    tmp_path: Path, column: str
) -> None:
    """The same interpreter, but the fixtures at a path of another length: the plan the counted
    process parses holds those paths, and a fixture root 96 characters longer moved CPU-bound
    cells by up to 0.45% (results/fixture-root-2026-12-03/). Suite folders of two lengths (an
    ab of the working tree against a commit) moved protocol cells by 0.25% at most: no floor."""
    base = counted_copy(tmp_path / "base", scale=1.0, executable="/env/a/bin/python", run_id="b")
    cand = counted_copy(tmp_path / "cand", scale=1.012, executable="/env/a/bin/python", run_id="c")
    same = counted_copy(tmp_path / "same", scale=1.012, executable="/env/a/bin/python", run_id="s")
    for folder, path in ((base, "/w/.fixture-cache"), (cand, "/a/much/longer/fixture/root"),
                         (same, "/v/.fixture-cache")):  # fmt: skip
        target = folder / "asyncio.instructions.json"
        document = json.loads(target.read_text(encoding="utf-8"))
        document["metadata"][column] = path
        target.write_text(json.dumps(document), encoding="utf-8")
    other = compare_paths([base], [cand])
    floored = any("paths of different lengths" in note for note in other.notes)
    flagged = other.rows[other.rows["verdict"] == "regression"]
    if column == "count_suite_folder":
        assert not floored and (flagged["benchmark"].str.startswith("protocol.")).any()
    else:
        assert floored, other.notes
        assert (other.rows["threshold"] >= 0.02).all() and flagged.empty
    one_length = compare_paths([base], [same])
    assert not any("paths of different lengths" in note for note in one_length.notes)
    protocol = one_length.rows[one_length.rows["benchmark"].str.startswith("protocol.")]
    assert "regression" in set(protocol["verdict"])


@needs_published
def test_the_method_of_a_comparison_of_counts_names_instructions_and_the_layout_minimum(sides):
    from analysis.views import regression_doc

    base, cand = sides("/env/b/bin/python", scale=1.0)
    text = regression_doc.method(compare_paths([base], [cand]))
    assert "instructions per item" in text and "minimum of its layouts" in text
    assert "mean log time" not in text  # no wall time in this comparison


@needs_published
def test_the_suites_thresholds_file_is_named_by_its_path_in_the_suite_not_this_machines(sides):
    from analysis.views import regression_doc
    from analysis.views.regression import DEFAULT_THRESHOLDS

    base, cand = sides("/env/b/bin/python", scale=1.0)
    comparison = compare_paths([base], [cand], thresholds=load_thresholds(None))
    assert Path(comparison.thresholds.source) == DEFAULT_THRESHOLDS  # what the loader holds
    text = regression_doc.method(comparison)
    assert "analysis/views/thresholds.toml" in text
    assert str(DEFAULT_THRESHOLDS.parent) not in text
    judged = regression_doc.to_json(comparison, "regression")
    assert judged["thresholds"]["source"] == "analysis/views/thresholds.toml"
