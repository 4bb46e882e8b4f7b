"""No tracked text file holds a merge-conflict marker (a bad merge committed as is)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

OPENING = "<<<<<<< "
SEPARATOR = "======="
CLOSING = ">>>>>>> "


def conflict_lines(text: str) -> list[int]:
    """Numbers (from 1) of the lines that open, split or close a conflict."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.startswith((OPENING, CLOSING)) or line == SEPARATOR
    ]


def tracked_files(root: Path) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout
    return [root / name for name in listed.decode("utf-8").split("\0") if name]


def test_conflict_lines_finds_each_kind_of_marker_and_nothing_else() -> None:
    text = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> main\n======== \n ======= \n<<<<<<<x\n"
    assert conflict_lines(text) == [2, 4, 6]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")
@pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="not a git checkout")
def test_no_tracked_text_file_holds_a_conflict_marker() -> None:
    found = []
    for path in tracked_files(REPO_ROOT):
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        data = path.read_bytes()
        if b"\0" in data:  # binary (PNG, parquet)
            continue
        lines = conflict_lines(data.decode("utf-8", errors="replace"))
        found += [f"{path.relative_to(REPO_ROOT)}:{n}" for n in lines]
    assert not found, "merge-conflict markers: " + ", ".join(found)
