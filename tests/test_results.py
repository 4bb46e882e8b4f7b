"""Results are written atomically, merged benchmark by benchmark, never overwritten by a new run."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pyperf
import pytest

from benchmarks.storage.results import default_run_dir, merge_benchmark, write_atomically


def one_benchmark_file(path: Path, name: str, value: float) -> Path:
    run = pyperf.Run([value] * 3, metadata={"name": name, "unit": "second"}, collect_metadata=False)
    pyperf.BenchmarkSuite([pyperf.Benchmark([run])]).dump(str(path))
    return path


def test_merge_adds_and_replaces(tmp_path: Path) -> None:
    merge_benchmark(tmp_path, "trio", one_benchmark_file(tmp_path / "a.json", "a", 1.0))
    merge_benchmark(tmp_path, "trio", one_benchmark_file(tmp_path / "b.json", "b", 2.0))
    merge_benchmark(tmp_path, "trio", one_benchmark_file(tmp_path / "a2.json", "a", 3.0))
    suite = pyperf.BenchmarkSuite.load(str(tmp_path / "trio.json"))
    assert sorted(suite.get_benchmark_names()) == ["a", "b"]
    assert suite.get_benchmark("a").get_values() == (3.0, 3.0, 3.0)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "manifest.json"
    write_atomically(target, "old")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_default_run_dir_never_reuses_a_folder(tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, 20, 15, 0)
    first = default_run_dir(tmp_path, "3.11", now)
    assert first.name.startswith("2026-11-24T201500_py3.11_")
    first.mkdir()
    second = default_run_dir(tmp_path, "3.11", now)
    assert second != first and second.name == first.name + "-2"
