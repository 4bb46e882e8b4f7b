"""mkdocs hook: publish the results the pages link to (one source: the files under results/).

Every report page (``report/report.html``, self-contained with its plots) and every A/B and
calibration summary (``compare.md``, ``calibration.md``, ``rejudged.md``) and every folder note
(``README.md``, and those of a run's sub-folders) under ``results/`` is added to the site
at the same path, so ``published.md`` links to them and the site carries the latest reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

PUBLISHED = (
    "*/report/report.html",
    "*/compare.md",
    "*/calibration.md",
    "*/rejudged.md",
    "*/README.md",
    "*/*/README.md",
)


def on_files(files: Files, config: Any) -> Files:
    root = Path(config["config_file_path"]).resolve().parent / "results"
    for pattern in PUBLISHED:
        for path in sorted(root.glob(pattern)):
            uri = path.relative_to(root.parent).as_posix()
            files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files
