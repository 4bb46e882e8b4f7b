"""Read one pyperf JSON file into plain records, one per measured value.

Every problem with a file becomes an :class:`AnalysisError` naming the file and what is
wrong, never a traceback.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pyperf

from analysis.errors import AnalysisError

#: Metadata every benchmark must carry (see results/FORMAT.md).
REQUIRED_KEYS: tuple[str, ...] = ("runtime", "workload")
PARAM_PREFIX = "param_"

Record = dict[str, Any]


def _read_json(path: Path) -> object:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                return json.load(stream)
        with path.open(encoding="utf-8") as stream:
            return json.load(stream)
    except json.JSONDecodeError as exc:
        raise AnalysisError(
            f"{path}: not valid JSON, corrupt or truncated ({exc.msg} at line {exc.lineno} "
            f"column {exc.colno})"
        ) from None
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise AnalysisError(f"{path}: cannot be read ({exc})") from None


def _check_shape(path: Path, data: object) -> None:
    if not isinstance(data, dict) or "benchmarks" not in data:
        raise AnalysisError(f"{path}: not a pyperf benchmark suite (no 'benchmarks' list)")
    if "version" not in data:
        raise AnalysisError(f"{path}: not a pyperf file (no format 'version')")


def _load_suite(path: Path) -> pyperf.BenchmarkSuite:
    _check_shape(path, _read_json(path))
    try:
        return pyperf.BenchmarkSuite.load(str(path))
    except Exception as exc:  # pyperf raises ValueError, KeyError, TypeError, ...
        reason = str(exc) or type(exc).__name__
        raise AnalysisError(f"{path}: not a valid pyperf suite ({reason})") from None


def param_names(metadata: dict[str, Any]) -> list[str]:
    """Parameter names in the workload's order: ``param_names``, else every ``param_*`` key."""
    declared = metadata.get("param_names")
    if isinstance(declared, str) and declared.strip():
        return [name.strip() for name in declared.split(",") if name.strip()]
    return sorted(key[len(PARAM_PREFIX) :] for key in metadata if key.startswith(PARAM_PREFIX))


def params_label(names: list[str], values: dict[str, Any]) -> str:
    """``mode=checkpoint, items=1000``: the parameters of one benchmark, in workload order."""
    return ", ".join(f"{name}={values[name]}" for name in names if values.get(name) is not None)


def process_id(benchmark_name: str, run_index: int, run: pyperf.Run) -> str:
    """An identity for one worker process's run: the same run read twice (a copied file, a
    folder given twice) has the same id, so it counts once."""
    metadata = run.get_metadata()
    fingerprint = json.dumps(
        [
            benchmark_name,
            run_index,
            str(metadata.get("date", "")),
            str(metadata.get("suite_run_id", "")),
            [float(v) for v in run.values],
            [[float(w) for w in pair] for pair in run.warmups or ()],
        ]
    )
    return hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()[:16]


def _measured(path: Path, record: Record, value: object) -> float:
    """A measured value as a float; NaN, infinite, zero or negative values are bad input (a
    time per item or a memory peak is always finite and positive)."""
    number = float(value)  # type: ignore[arg-type]
    if not (math.isfinite(number) and number > 0):
        raise AnalysisError(
            f"{path}: benchmark {record['benchmark']!r} (run {record['run']}) holds the value "
            f"{value!r}; a measured value must be a finite positive number (the file is "
            "corrupt or was edited)"
        )
    return number


def read_suite_file(path: Path) -> list[Record]:
    """One record per run (worker process) of every benchmark in ``path``; its measured values
    are the list ``values`` (:func:`analysis.loading.load.values_frame` makes one row of each)."""
    suite = _load_suite(path)
    records: list[Record] = []
    for benchmark in suite.get_benchmarks():
        for run_index, run in enumerate(benchmark.get_runs()):
            metadata = dict(run.get_metadata())
            missing = [key for key in REQUIRED_KEYS if key not in metadata]
            if missing:
                raise AnalysisError(
                    f"{path}: benchmark {benchmark.get_name()!r} lacks metadata "
                    f"{', '.join(missing)} (not written by this suite?)"
                )
            names = param_names(metadata)
            params = {name: metadata.get(PARAM_PREFIX + name) for name in names}
            base: Record = {
                **metadata,
                "source_file": str(path),
                "benchmark": benchmark.get_name(),
                "param_names": ",".join(names),
                "params": params_label(names, params),
                "run": run_index,
                "process_id": process_id(benchmark.get_name(), run_index, run),
            }
            base["values"] = [_measured(path, base, value) for value in run.values]
            records.append(base)
    return records
