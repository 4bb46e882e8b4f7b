"""Why a benchmark cannot run, asked of the interpreter that would run it.

Whether a cell can run depends on the interpreter: ``asyncio.TaskGroup`` needs Python 3.11, the
eager task factories 3.12, a runtime may not be installed in a version's environment. A version
matrix asks each version's own interpreter, once, for every runtime and benchmark of its
selection (``python -m benchmarks.running.na_probe``, the question as JSON on standard input),
instead of deciding in the interpreter that runs the matrix.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.measured import catalog
from benchmarks.platform.environments import Environment

UNAVAILABLE, UNSUPPORTED = "unavailable", "unsupported"
NaReason = Callable[[catalog.BenchmarkSpec, str], "tuple[str, str] | None"]


@dataclass(frozen=True)
class NaTable:
    """One interpreter's answers: unavailable runtimes and unsupported cells, with reasons."""

    runtimes: dict[str, str] = field(default_factory=dict)
    #: ``(benchmark name, runtime)`` -> reason.
    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Who answers instead when the interpreter could not (an older suite without the probe).
    fallback: NaReason | None = None

    def reason(self, spec: catalog.BenchmarkSpec, runtime: str) -> tuple[str, str] | None:
        if self.fallback is not None:
            return self.fallback(spec, runtime)
        if runtime in self.runtimes:
            return UNAVAILABLE, self.runtimes[runtime]
        why = self.cells.get((spec.name, runtime))
        return None if why is None else (UNSUPPORTED, why)


def question(runtimes: Sequence[str], specs: Sequence[catalog.BenchmarkSpec]) -> dict[str, Any]:
    return {
        "runtimes": list(runtimes),
        "benchmarks": [
            {"workload": s.workload.name, "params": [f"{k}={v}" for k, v in s.params.items()]}
            for s in specs
        ],
    }


def answer(asked: dict[str, Any]) -> dict[str, Any]:
    """What this interpreter says (run in the interpreter asked)."""
    from benchmarks.platform.runtimes import RUNTIMES
    from benchmarks.running.counted_worker import planned_case

    runtimes = {name: RUNTIMES[name].unavailable_reason() for name in asked["runtimes"]}
    cells: list[list[str]] = []
    for entry in asked["benchmarks"]:  # entries as in a counting plan: workload, params
        workload, params, case = planned_case(entry)
        name = workload.benchmark_name(params)
        for runtime in asked["runtimes"]:
            why = workload.unsupported(runtime, case)
            if why is not None:
                cells.append([name, runtime, why])
    return {"runtimes": runtimes, "cells": cells}


def probe(
    environment: Environment,
    runtimes: Sequence[str],
    specs: Sequence[catalog.BenchmarkSpec],
    fallback: NaReason | None = None,
) -> NaTable:
    """Ask ``environment``'s interpreter; when it cannot answer, ``fallback`` does (an A/B side
    of a suite commit older than the probe), else every runtime is unavailable there, with the
    reason."""
    from benchmarks.running import scheduler

    completed = subprocess.run(
        [str(environment.python), "-m", "benchmarks.running.na_probe"],
        input=json.dumps(question(runtimes, specs)),
        cwd=environment.source,
        env=environment.worker_environ(),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        reason = scheduler.failure_reason(completed.stderr, completed.returncode)
        unanswered = {name: f"the runtimes cannot be listed: {reason}" for name in runtimes}
        return NaTable(unanswered, fallback=fallback)
    said = json.loads(completed.stdout)
    return NaTable(
        {name: str(why) for name, why in said["runtimes"].items() if why is not None},
        {(name, runtime): str(why) for name, runtime, why in said["cells"]},
    )


def main() -> int:
    sys.stdout.write(json.dumps(answer(json.loads(sys.stdin.read()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
