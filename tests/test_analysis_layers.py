"""analysis/ is layered: loading, statistics, rendering, views; no module imports upward.

The order is the real one: the views (report, compare, history, versions) build documents, so
rendering sits below them; rendering shows the statistics core's results, so the core sits
below rendering. The formatting and error helpers every layer uses are the bottom layer.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.import_layers import Layer, unassigned, upward_imports

#: From the bottom up.
ANALYSIS_LAYERS = (
    Layer("shared helpers", ("errors", "staging", "fmt", "table_model")),
    Layer("loading", ("loading",)),
    Layer("statistics core", ("statistics",)),
    Layer("rendering", ("rendering",)),
    Layer("views", ("views",)),
    Layer("entry points", ("cli", "__main__", "__init__")),
)


def test_no_analysis_module_imports_from_a_higher_layer() -> None:
    assert upward_imports(REPO_ROOT, "analysis", ANALYSIS_LAYERS) == []


def test_every_analysis_module_belongs_to_a_layer() -> None:
    assert unassigned(REPO_ROOT, "analysis", ANALYSIS_LAYERS) == []


def test_every_layer_names_something_that_exists() -> None:
    present = {path.stem for path in (REPO_ROOT / "analysis").glob("*.py")}
    present |= {path.parent.name for path in (REPO_ROOT / "analysis").glob("*/__init__.py")}
    for layer in ANALYSIS_LAYERS:
        assert set(layer.members) <= present, layer


def write(root: Path, relative: str, text: str = "") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def synthetic_package(root: Path, loading_source: str) -> None:
    """A small analysis/ of the real shape whose loading module has ``loading_source``."""
    write(root, "analysis/__init__.py", "from analysis.errors import AnalysisError\n")
    write(root, "analysis/errors.py", "class AnalysisError(Exception): ...\n")
    for layer in ("loading", "statistics", "rendering", "views"):
        write(root, f"analysis/{layer}/__init__.py", '"""A layer."""\n')
    write(root, "analysis/loading/load.py", loading_source)
    write(root, "analysis/statistics/evidence.py", "from analysis.loading import load\n")
    write(root, "analysis/rendering/document.py", "from analysis.statistics import evidence\n")
    write(root, "analysis/views/report.py", "from analysis.rendering.document import x\n")


def test_the_synthetic_package_without_upward_imports_passes(tmp_path: Path) -> None:
    synthetic_package(tmp_path, "from analysis.errors import AnalysisError\n")
    assert upward_imports(tmp_path, "analysis", ANALYSIS_LAYERS) == []


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    synthetic_package(tmp_path, "import json\nfrom analysis.views import report\n")
    found = upward_imports(tmp_path, "analysis", ANALYSIS_LAYERS)
    assert found == [
        "analysis/loading/load.py:2: analysis.loading.load (loading) imports "
        "analysis.views.report (views), a higher layer"
    ]


def test_deferred_and_relative_upward_imports_are_found(tmp_path: Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ..rendering.document import Document\n"
        "def later():\n"
        "    import analysis.statistics.evidence\n"
    )
    synthetic_package(tmp_path, source)
    found = upward_imports(tmp_path, "analysis", ANALYSIS_LAYERS)
    assert [line.split(": ")[0] for line in found] == [
        "analysis/loading/load.py:3",
        "analysis/loading/load.py:5",
    ]


def test_a_module_outside_every_layer_is_reported(tmp_path: Path) -> None:
    synthetic_package(tmp_path, "")
    write(tmp_path, "analysis/newcomer.py")
    assert unassigned(tmp_path, "analysis", ANALYSIS_LAYERS) == ["analysis.newcomer"]
