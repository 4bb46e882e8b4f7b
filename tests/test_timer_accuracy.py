"""Timer accuracy: requested against achieved sleeps per runtime, written as plain JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.running import timer_accuracy
from tests.conftest import AVAILABLE_RUNTIMES


def test_rows_cover_every_requested_sleep(runtime_name: str) -> None:
    rows = timer_accuracy.measure_runtime(runtime_name, samples=3)
    assert [row["requested_s"] for row in rows] == list(timer_accuracy.REQUESTED_SECONDS)
    for row in rows:
        assert row["min_s"] <= row["median_s"] <= row["max_s"]
        assert 0 <= row["early_fraction"] <= 1


def test_write_puts_one_json_document_in_the_run_folder(tmp_path: Path) -> None:
    path = timer_accuracy.write(tmp_path / "run", AVAILABLE_RUNTIMES, samples=2)
    assert path == tmp_path / "run" / "timer_accuracy.json"
    document = json.loads(path.read_text())
    assert document["format"] == timer_accuracy.FORMAT and document["samples"] == 2
    assert sorted(document["runtimes"]) == sorted(AVAILABLE_RUNTIMES)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["timer_accuracy.json"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--runtime", "curio"], "unknown runtime 'curio'; valid runtimes: asyncio, uvloop, trio"),
        (["--samples", "0"], "--samples must be at least 1"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert timer_accuracy.main(["-o", str(tmp_path), *argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
