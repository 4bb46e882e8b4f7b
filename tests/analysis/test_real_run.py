"""The report of a tiny real run made by the harness (``python -m benchmarks run``)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import Settings, build_report, load_results

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("benchmarks") is None:
        pytest.skip("the benchmarks harness is not importable")
    out = tmp_path_factory.mktemp("tiny-run")
    command = [
        sys.executable, "-m", "benchmarks", "run",
        "--workload", "protocol.async_generator*",
        "--param", "items=10",
        "-o", str(out),
        "--debug-single-value",
    ]  # fmt: skip
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{command} failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_report_of_a_tiny_real_run(tiny_run: Path, tmp_path: Path) -> None:
    report = build_report([tiny_run], tmp_path / "report", Settings())
    markdown = report.markdown.read_text(encoding="utf-8")
    page = report.html.read_text(encoding="utf-8")
    values = load_results([tiny_run]).values
    assert not values.empty
    assert set(values["workload"]) >= {"protocol.async_generator"}
    for workload, params in (
        values[["workload", "params"]].drop_duplicates().itertuples(index=False)
    ):
        assert f"| {workload} | {params} |" in markdown, (workload, params)
        assert params in page
    for runtime in set(values["runtime"]):
        assert runtime in markdown
    for manifest in tiny_run.rglob("manifest.json"):
        for cell in json.loads(manifest.read_text(encoding="utf-8")).get("na", []):
            assert cell["reason"] in markdown, cell
            assert f"n/a: {cell['kind']}" in markdown, cell
    assert "debug-single-value" in markdown
    assert report.plots, "no plots were drawn"


PUBLISHED_COUNTS = REPO / "results" / "2026-12-02T060339_py3.11_vm"
PUBLISHED_TIMES = REPO / "results" / "2026-12-01T222241_py3.11_vm"


@pytest.mark.skipif(
    not (PUBLISHED_COUNTS.exists() and PUBLISHED_TIMES.exists()),
    reason="the published runs are not in this checkout",
)
def test_throughput_is_shown_for_wall_time_only() -> None:
    """Bytes per instruction is not a throughput: an instruction run has no MiB/s table; a
    wall-time run has one."""
    from analysis.rendering.tables import throughput_table
    from analysis.statistics.stats import compare

    for folder, shown in ((PUBLISHED_COUNTS, False), (PUBLISHED_TIMES, True)):
        comparison = compare(load_results([folder]))
        contexts = set(comparison.absolute["context"])
        tables = [throughput_table(comparison, context) for context in contexts]
        assert any(table is not None for table in tables) is shown, folder.name
