"""The action's entry script end to end, outside Actions, on the wall-time channel: an A/A run
in ``ab`` mode, and two ``measure`` shards merged by one ``compare``, as the reusable workflow
runs them. Verdicts on time are not asserted (timing claims stay out of the tests): what is
asserted is what the action writes and its exit code for an A/A pair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.action_support import read_outputs, run_action

pytestmark = [pytest.mark.slow, pytest.mark.acceptance]

TINY = "--param items=10 -p 2 -n 2 -w 1 --min-time 0.002"


def tiny_inputs(cache: Path, **values: str) -> dict[str, str]:
    return {
        "baseline": "HEAD",
        "candidate": "HEAD",
        "runtimes": "asyncio",
        "measure": "time",
        "ab-options": TINY,
        "cache": "false",  # the session's cache is shared: nothing in it is pruned
        "cache-dir": str(cache),
        **values,
    }


def test_ab_mode_writes_outputs_summary_and_comparison(tmp_path: Path, ab_cache: Path) -> None:
    output, summary = tmp_path / "github_output", tmp_path / "summary.md"
    completed = run_action(
        tiny_inputs(ab_cache, workloads="protocol.sync_reference", results="out"),
        tmp_path,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    outputs = read_outputs(output)
    results = tmp_path.resolve() / "out"
    assert outputs["results"] == str(results)
    assert outputs["compare-json"] == str(results / "compare.json")
    assert outputs["compare-md"] == str(results / "compare.md")
    assert outputs["verdict"] in ("pass", "inconclusive")
    assert outputs["regressions"] == "0"
    compared = json.loads((results / "compare.json").read_text())
    assert compared["headline"] == outputs["headline"]
    assert [row["benchmark"] for row in compared["rows"]] == ["protocol.sync_reference[items=10]"]
    text = summary.read_text()
    assert text.startswith("## async-iteration-bench: ab\n")
    assert "| baseline | `HEAD` |" in text
    assert "measure: time · runtimes: asyncio · workloads: protocol.sync_reference" in text
    assert "## Benchmark comparison" in text  # compare's own summary follows the header


def test_shards_merge_into_one_comparison(tmp_path: Path, ab_cache: Path) -> None:
    for workload in ("protocol.sync_reference", "protocol.class_iterator"):
        completed = run_action(
            tiny_inputs(ab_cache, mode="measure", workloads=workload, results="merged"), tmp_path
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr
    merged = tmp_path / "merged"
    for side in ("baseline", "candidate"):
        shards = sorted(p.name for p in (merged / side).iterdir())
        assert shards == ["protocol.class_iterator", "protocol.sync_reference"]
    assert not list(merged.glob(".*.partial"))
    # the same shard again would overwrite measured results: refused
    again = run_action(
        tiny_inputs(
            ab_cache, mode="measure", workloads="protocol.sync_reference", results="merged"
        ),
        tmp_path,
    )
    assert again.returncode == 2
    assert "already holds results; name a new folder" in again.stderr
    output = tmp_path / "github_output"
    compared = run_action(
        {"mode": "compare", "results": "merged"}, tmp_path, GITHUB_OUTPUT=str(output)
    )
    assert compared.returncode == 0, compared.stdout + compared.stderr
    rows = json.loads((merged / "compare.json").read_text())["rows"]
    assert {row["workload"] for row in rows} == {
        "protocol.sync_reference",
        "protocol.class_iterator",
    }
    assert read_outputs(output)["verdict"] in ("pass", "inconclusive")
    twice = run_action({"mode": "compare", "results": "merged"}, tmp_path)
    assert twice.returncode == 2
    assert "compare once per folder" in twice.stderr
