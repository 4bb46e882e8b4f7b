"""Writing results: one pyperf suite per runtime, plus the run manifest, always atomically.

Each benchmark is merged into ``DIR/<runtime>.json`` as soon as it finishes, by writing a
temporary file next to it and renaming it over the old one. An interrupted run keeps every
benchmark it finished, and a reader never sees a half-written file.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pyperf

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
DEFAULT_RESULTS_ROOT = Path("results")


def default_run_dir(root: Path, python_version: str, now: datetime | None = None) -> Path:
    """A new folder named by date, Python version and machine; never an existing one."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%dT%H%M%S")
    host = socket.gethostname().split(".")[0] or "host"
    base = root / f"{stamp}_py{python_version}_{host}"
    candidate, suffix = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{suffix}")
        suffix += 1
    return candidate


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def suite_path(run_dir: Path, runtime: str) -> Path:
    return run_dir / f"{runtime}.json"


def merge_benchmark(run_dir: Path, runtime: str, measured_file: Path) -> None:
    """Add (or replace) the benchmark(s) in ``measured_file`` in the runtime's suite file."""
    measured = pyperf.BenchmarkSuite.load(str(measured_file))
    target = suite_path(run_dir, runtime)
    replaced = set(measured.get_benchmark_names())
    kept: list[pyperf.Benchmark] = []
    if target.exists():
        existing = pyperf.BenchmarkSuite.load(str(target))
        kept = [b for b in existing.get_benchmarks() if b.get_name() not in replaced]
    suite = pyperf.BenchmarkSuite(kept + measured.get_benchmarks())
    with tempfile.TemporaryDirectory(dir=run_dir) as scratch:
        staged = Path(scratch) / target.name
        suite.dump(str(staged))
        os.replace(staged, target)


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    write_atomically(run_dir / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
