"""Read the n/a cells of a run from its ``manifest.json``, and the cells an interrupted run missed.

A run stopped before its end (``complete: false``) lists the cells it did not reach under
``missing``; they are read as n/a cells of kind ``missing``, so every table shows them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.loading.suite_file import Record

#: Columns of the n/a frame, in order.
NA_COLUMNS: tuple[str, ...] = (
    "suite_run_id",
    "python",
    "suite_mode",
    "runtime",
    "workload",
    "benchmark",
    "param_values",
    "kind",
    "reason",
    "source_file",
    "measure",
)


def _na_record(path: Path, manifest: dict[str, Any], cell: object) -> Record:
    if not isinstance(cell, dict) or "runtime" not in cell or "workload" not in cell:
        raise AnalysisError(
            f"{path}: an 'na' or 'missing' entry lacks 'runtime' or 'workload': {cell!r}"
        )
    params = cell.get("params") or {}
    if not isinstance(params, dict):
        raise AnalysisError(f"{path}: 'params' of an 'na' entry is not an object: {params!r}")
    return {
        "suite_run_id": str(manifest.get("run_id", path.parent.name)),
        "python": str(manifest.get("python", "")),
        "suite_mode": str(manifest.get("mode", "")),
        "runtime": str(cell["runtime"]),
        "workload": str(cell["workload"]),
        "benchmark": str(cell.get("benchmark", cell["workload"])),
        "param_values": params,
        "kind": str(cell.get("kind", "n/a")),
        "reason": str(cell.get("reason", "")),
        "source_file": str(path),
        "measure": str(cell.get("measure", "time")),
    }


#: The kind of the cells an interrupted run never reached.
MISSING_KIND = "missing"
MISSING_REASON = "not measured: the run stopped before its end (manifest complete: false)"


def read_manifest(path: Path) -> list[Record]:
    """The n/a cells listed in one manifest, one record each, then the cells it missed."""
    manifest = _load(path)
    cells = manifest.get("na", [])
    if not isinstance(cells, list):
        raise AnalysisError(f"{path}: 'na' is not a list")
    records = [_na_record(path, manifest, cell) for cell in cells]
    if manifest.get("complete") is False:
        missing = manifest.get("missing", [])
        if not isinstance(missing, list):
            raise AnalysisError(f"{path}: 'missing' is not a list")
        for cell in missing:
            if isinstance(cell, dict):
                cell = {**cell, "kind": MISSING_KIND, "reason": MISSING_REASON}
            records.append(_na_record(path, manifest, cell))
    return records


def incomplete_run(path: Path) -> str | None:
    """The run id of the manifest when its run stopped before the end, else None."""
    manifest = _load(path)
    if manifest.get("complete") is False:
        return str(manifest.get("run_id", path.parent.name))
    return None


def _load(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AnalysisError(
            f"{path}: not valid JSON, corrupt or truncated ({exc.msg} at line {exc.lineno})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnalysisError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(manifest, dict):
        raise AnalysisError(f"{path}: not a run manifest (expected a JSON object)")
    return manifest
