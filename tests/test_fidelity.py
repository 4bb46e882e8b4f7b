"""The fidelity check pairs a suite worker with a hand-timed process, round by round."""

from __future__ import annotations

import pytest

from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running import fidelity

pytestmark = pytest.mark.slow


def test_each_round_gives_a_suite_and_a_hand_figure_per_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fidelity, "HAND_ITERATIONS", 20)
    monkeypatch.setattr(fidelity, "VALUES", 1)
    pairs = fidelity.round_ratios(RUNTIMES["asyncio"], rounds=2)
    assert len(pairs) == 2
    for suite, hand in pairs:
        # Per item: tens of nanoseconds to microseconds, never seconds (not per workload run).
        assert 1e-9 < suite < 1e-4 and 1e-9 < hand < 1e-4


def test_the_hand_process_prints_one_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert fidelity.main(["--hand", "asyncio"]) == 0
    assert 1e-9 < float(capsys.readouterr().out) < 1e-4
