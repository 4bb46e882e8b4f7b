"""Finding workloads and expanding them into named benchmarks.

The parent process discovers every workload module (:func:`all_workloads`). A worker process
imports exactly one (:func:`load_workload`), so it imports only what it measures.
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from benchmarks.measured.workload import ParamValue, Workload

WORKLOADS_PACKAGE = "benchmarks.measured.workloads"


class UnknownWorkload(LookupError):
    """A workload name or pattern matched nothing."""


def load_workload(name: str) -> Workload:
    """Import the one module that defines workload ``name``."""
    try:
        module = importlib.import_module(f"{WORKLOADS_PACKAGE}.{name}")
    except ModuleNotFoundError as exc:
        raise UnknownWorkload(f"unknown workload {name!r}") from exc
    workload = getattr(module, "WORKLOAD", None)
    if not isinstance(workload, Workload) or workload.name != name:
        raise UnknownWorkload(f"module {module.__name__} does not define WORKLOAD {name!r}")
    return workload


def workload_names() -> list[str]:
    """Every workload name, found by walking the workloads package (imports no workload)."""
    package = importlib.import_module(WORKLOADS_PACKAGE)
    names = []
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{WORKLOADS_PACKAGE}."):
        if not info.ispkg and not info.name.rsplit(".", 1)[1].startswith("_"):
            names.append(info.name.removeprefix(f"{WORKLOADS_PACKAGE}."))
    return sorted(names)


def all_workloads() -> list[Workload]:
    return [load_workload(name) for name in workload_names()]


def select_workloads(
    patterns: Sequence[str] | None, *, default_run: bool = False
) -> list[Workload]:
    """Workloads whose names match any glob pattern; with no pattern, all of them, or with
    ``default_run`` those of the default run (see ``Workload.in_default_run``)."""
    names = workload_names()
    if not patterns:
        every = [load_workload(name) for name in names]
        return [w for w in every if w.in_default_run] if default_run else every
    selected: list[str] = []
    for pattern in patterns:
        matches = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not matches:
            raise UnknownWorkload(
                f"no workload matches {pattern!r}; valid workloads: {', '.join(names)}"
            )
        selected.extend(m for m in matches if m not in selected)
    return [load_workload(name) for name in sorted(selected)]


def parse_param(workload: Workload, text: str) -> tuple[str, ParamValue]:
    """``name=value`` typed by the workload's ladder (the ladder holds the valid values)."""
    name, _, raw = text.partition("=")
    ladder = workload.params.get(name)
    if ladder is None:
        raise SystemExit(f"error: {workload.name} has no parameter {name!r}")
    for value in ladder:
        if str(value) == raw:
            return name, value
    raise SystemExit(f"error: {name}={raw} is not on the ladder of {workload.name}: {ladder}")


@dataclass(frozen=True)
class BenchmarkSpec:
    """One workload at one point of its ladder: the unit pyperf measures on each runtime."""

    workload: Workload
    params: Mapping[str, ParamValue]

    @property
    def name(self) -> str:
        return self.workload.benchmark_name(self.params)


def expand(
    workloads: Iterable[Workload],
    *,
    ladder: bool = False,
    overrides: Mapping[str, tuple[ParamValue, ...]] | None = None,
) -> list[BenchmarkSpec]:
    return [
        BenchmarkSpec(workload, params)
        for workload in workloads
        for params in workload.cases(ladder=ladder, overrides=overrides)
    ]
