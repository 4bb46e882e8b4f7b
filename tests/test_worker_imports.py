"""A worker process imports only what it measures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

MEASURE_AND_LIST_MODULES = """
import json, sys
from benchmarks.running import runner  # what a pyperf worker imports
from benchmarks.measured.catalog import load_workload
from benchmarks.running.harness import time_batch
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.measured.workload import Case
workload = load_workload("protocol.async_generator")
case = Case({"mode": "checkpoint", "api": sys.argv[2], "items": 10})
time_batch(2, RUNTIMES[sys.argv[1]], workload, case)
print(json.dumps(sorted(sys.modules)))
"""

NEVER_IN_A_WORKER = {"pandas", "matplotlib", "numpy", "scipy", "analysis", "aiofiles", "zipstream"}
OTHER_RUNTIME_MODULES = {"asyncio": {"trio", "uvloop"}, "uvloop": {"trio"}, "trio": {"uvloop"}}
#: The native adapter module of each runtime (imported only for ``api=native``).
ADAPTERS = {"asyncio": "_asyncio", "uvloop": "_asyncio", "trio": "_trio"}


@pytest.mark.parametrize("api", ["anyio", "native"])
@pytest.mark.parametrize("runtime", ["asyncio", "uvloop", "trio"])
def test_worker_imports_only_its_runtime_and_workload(runtime: str, api: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE_AND_LIST_MODULES, runtime, api],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = set(json.loads(completed.stdout))
    top_level = {name.split(".")[0] for name in modules}
    assert not top_level & NEVER_IN_A_WORKER
    assert not top_level & OTHER_RUNTIME_MODULES[runtime]
    workloads = {
        m for m in modules if m.startswith("benchmarks.measured.workloads.") and m.count(".") >= 4
    }
    assert workloads == {
        "benchmarks.measured.workloads.protocol.async_generator",
        "benchmarks.measured.workloads.protocol._common",
    }
    adapters = {m.rsplit(".", 1)[1] for m in modules if m.startswith("benchmarks.platform.native.")}
    # The layer the case measures, and never another runtime's adapter.
    assert adapters == ({ADAPTERS[runtime]} if api == "native" else {"_anyio"})
