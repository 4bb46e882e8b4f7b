"""``nox -s calibrate`` (benchmarks.sensitivity): the figures, and one tiny real pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import sensitivity
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
        },
    )
    assert "| A/A | 1 of 4 | 25% | false-alarm rate |" in text
    assert "| 5% | 2 of 3 | 67% | detection rate of a 5% slowdown |" in text


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
def test_one_tiny_pass_writes_the_figures(tmp_path: Path, ab_cache: Path) -> None:
    out = tmp_path / "calibration"
    completed = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.sensitivity",
            "--pairs", "1", "--slowdowns", "1",
            "--spec", "HEAD", "--cache", str(ab_cache),
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
