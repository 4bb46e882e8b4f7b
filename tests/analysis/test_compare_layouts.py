"""compare refuses instruction counts made with different --count-layouts, in one line."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.views import regression
from tests.conftest import REPO_ROOT


def side(layouts: list[Any] | None, metric: str = "instructions") -> Any:
    frame = pd.DataFrame({"metric": [metric] * 2, "value": [1.0, 1.0]})
    if layouts is not None:
        frame["count_layouts"] = layouts
    return SimpleNamespace(values=frame)


def test_counts_of_different_layouts_are_refused() -> None:
    with pytest.raises(AnalysisError, match="different --count-layouts"):
        regression.check_same_layouts(side([1, 1]), side([3, 3]))


def test_counts_made_before_layouts_existed_count_as_one_layout() -> None:
    regression.check_same_layouts(side(None), side([1, 1]))
    regression.check_same_layouts(side([float("nan"), 1]), side([1, 1]))
    with pytest.raises(AnalysisError):
        regression.check_same_layouts(side(None), side([3, 3]))


def test_wall_times_have_no_layouts() -> None:
    regression.check_same_layouts(side(None, "time"), side([3, 3]))


def test_the_command_line_says_it_in_one_line_with_exit_2() -> None:
    folder = REPO_ROOT / "results" / "layouts-cost-2026-12-03"
    if not (folder / "k1").is_dir():
        pytest.skip("the published counts of results/layouts-cost-2026-12-03 are not here")
    completed = subprocess.run(
        [sys.executable, "-m", "analysis", "compare", str(folder / "k1"), str(folder / "k3")],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 2
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "different --count-layouts" in lines[0]
    assert "Traceback" not in completed.stderr
