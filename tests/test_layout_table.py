"""The layout tables of the README and docs/architecture.md list exactly the packages present."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT


def layout_table() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "layout_table", REPO_ROOT / "docs/layout_table.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_tables_match_the_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert layout_table().main(["--check"]) == 0, capsys.readouterr().out


def test_every_subpackage_has_a_row_with_its_docstring() -> None:
    rows = layout_table().package_rows(REPO_ROOT)
    folders = {folder.strip("`") for folder, _, _ in rows}
    for top in ("benchmarks", "analysis"):
        for init in (REPO_ROOT / top).glob("*/__init__.py"):
            assert f"{init.parent.relative_to(REPO_ROOT).as_posix()}/" in folders
    what = {folder.strip("`"): text for folder, text, _ in rows}
    assert what["benchmarks/commands/"].startswith("Commands: one module per verb")


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_new_subpackage_shows_in_the_table_and_a_removed_one_goes(tmp_path: Path) -> None:
    module = layout_table()
    write(tmp_path, "benchmarks/__init__.py", '"""The suite."""\n')
    write(tmp_path, "benchmarks/cli.py", "")
    write(tmp_path, "analysis/__init__.py", '"""The analysis."""\n')
    write(tmp_path, "analysis/views/__init__.py", '"""Views: what is paired.\n\nMore."""\n')
    write(tmp_path, "analysis/views/report.py", "")
    before = module.table(tmp_path)
    assert "| `analysis/views/` | Views: what is paired. | `report` |" in before
    write(tmp_path, "analysis/loading/__init__.py", '"""Loading: the reader."""\n')
    assert "| `analysis/loading/` | Loading: the reader. | - |" in module.table(tmp_path)
    (tmp_path / "analysis/views/report.py").unlink()
    (tmp_path / "analysis/views/__init__.py").unlink()
    (tmp_path / "analysis/views").rmdir()
    assert "analysis/views/" not in module.table(tmp_path)


def test_a_page_without_markers_is_refused() -> None:
    module = layout_table()
    with pytest.raises(ValueError, match="no layout table markers"):
        module.with_table("# A page\n", "| table |", "page.md")
    page = f"intro\n{module.BEGIN}\nold\n{module.END}\nafter\n"
    assert (
        module.with_table(page, "new", "page.md")
        == f"intro\n{module.BEGIN}\nnew\n{module.END}\nafter\n"
    )
