"""Identity of the suite in every result, and the harness's injected slowdown."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from benchmarks.measured.workload import Case, Workload
from benchmarks.platform.runtimes import Runtime
from benchmarks.running import harness
from benchmarks.running.harness import parse_slowdown, time_batch
from benchmarks.storage import identity


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "t@example.com")
    git(folder, "config", "user.name", "t")
    (folder / "a.txt").write_text("one\n")
    git(folder, "add", "a.txt")
    git(folder, "commit", "-qm", "one")
    return folder


def test_checkout_identity_has_commit_date_and_dirty_flag(repository: Path) -> None:
    head = git(repository, "rev-parse", "HEAD")
    clean = identity.checkout_identity(repository)
    assert clean["suite_commit"] == head
    assert clean["suite_dirty"] == "false"
    assert clean["suite_commit_date"].startswith(git(repository, "show", "-s", "--format=%cI")[:10])
    (repository / "a.txt").write_text("two\n")
    assert identity.checkout_identity(repository)["suite_dirty"] == "true"


def test_not_a_checkout_is_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    found = identity.checkout_identity(tmp_path)
    assert {found[k] for k in ("suite_commit", "suite_commit_date", "suite_dirty")} == {"unknown"}


def test_machine_name_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(identity.MACHINE_ENV, "ci-runner")
    assert identity.machine() == "ci-runner"
    assert identity.unknown_identity()["machine"] == "ci-runner"


def test_identity_round_trips_through_the_command_line() -> None:
    given = {"suite_commit": "abc", "suite_commit_date": "d", "suite_dirty": "true", "x": "y"}
    decoded = identity.decode(identity.encode(given))
    assert decoded == {
        "suite_commit": "abc",
        "suite_commit_date": "d",
        "suite_dirty": "true",
        "machine": "unknown",
    }


@pytest.mark.parametrize(("text", "value"), [("", 0.0), ("0", 0.0), ("0.05", 0.05), (" 0.1 ", 0.1)])
def test_slowdown_values(text: str, value: float) -> None:
    assert parse_slowdown(text) == value


@pytest.mark.parametrize("text", ["-0.1", "5%", "fast", "11"])
def test_bad_slowdown_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="slowdown"):
        parse_slowdown(text)


class FakeClock:
    """perf_counter that advances by ``tick`` per read, plus whatever the workload spends."""

    def __init__(self, tick: float = 1e-4) -> None:
        self.now = 100.0
        self.tick = tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def counting_workload(clock: FakeClock, seconds_per_run: float) -> Workload:
    async def run_once() -> int:
        clock.now += seconds_per_run  # the workload "takes" this long on the fake clock
        return 1

    return Workload(
        name="test.fake",
        description="fake",
        item_unit="item",
        params={},
        inner_loops=lambda case: 1,
        expected=lambda case: 1,
        prepare=lambda case: run_once,
    )


@pytest.mark.parametrize("slowdown", [0.0, 0.02, 0.05, 0.10])
def test_injected_slowdown_stretches_the_timed_batch(
    slowdown: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a fake clock the measured time is exactly (1 + s) x the workload's own time."""
    monkeypatch.setattr(harness, "injected_slowdown", lambda: slowdown)
    clock = FakeClock()
    monkeypatch.setattr(time, "perf_counter", clock)
    measured = time_batch(
        50, Runtime("asyncio", "asyncio"), counting_workload(clock, 1.0), Case({})
    )
    assert measured == pytest.approx(50 * (1 + slowdown), abs=1e-3)


def test_slowdown_is_read_from_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    harness.injected_slowdown.cache_clear()
    monkeypatch.setenv(harness.SLOWDOWN_ENV, "0.07")
    try:
        assert harness.injected_slowdown() == 0.07
        monkeypatch.setenv(harness.SLOWDOWN_ENV, "0.5")
        assert harness.injected_slowdown() == 0.07  # cached for the process
    finally:
        harness.injected_slowdown.cache_clear()


def test_runner_records_identity_and_slowdown(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.measured.catalog import load_workload
    from benchmarks.running.runner import benchmark_metadata

    monkeypatch.setattr("benchmarks.running.runner.injected_slowdown", lambda: 0.05)
    workload = load_workload("protocol.sync_reference")
    given = identity.decode(json.dumps({"suite_commit": "abc", "suite_dirty": "false"}))
    metadata = benchmark_metadata("asyncio", workload, Case({"items": 10}), "r", "fast", given)
    assert metadata["suite_commit"] == "abc"
    assert metadata["suite_dirty"] == "false"
    assert metadata["injected_slowdown"] == 0.05
    bare = benchmark_metadata("asyncio", workload, Case({"items": 10}), "r", "fast")
    assert "suite_commit" not in bare  # ab stamps it; analysis reads "unknown" otherwise


@pytest.mark.slow
def test_run_records_identity_and_passes_the_slowdown_to_pyperf_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real command: pyperf gives workers a minimal environment, yet the slowdown
    reaches them, and the identity computed once by ``run`` is in the metadata and manifest."""
    import pyperf

    from tests.conftest import REPO_ROOT, run_cli

    monkeypatch.setenv(harness.SLOWDOWN_ENV, "0.5")
    monkeypatch.setenv(identity.MACHINE_ENV, "named-machine")
    out = tmp_path / "run"
    completed = run_cli(
        "run", "--workload", "protocol.sync_reference", "--param", "items=10",
        "--runtime", "asyncio", "--debug-single-value", "-o", str(out),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    suite = pyperf.BenchmarkSuite.load(str(out / "asyncio.json"))
    metadata = suite.get_benchmarks()[0].get_metadata()
    expected = identity.checkout_identity(REPO_ROOT)
    assert metadata["suite_commit"] == expected["suite_commit"] != "unknown"
    assert metadata["machine"] == "named-machine"
    assert metadata["injected_slowdown"] == 0.5
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["identity"]["suite_commit"] == expected["suite_commit"]
    assert manifest["identity"]["machine"] == "named-machine"
