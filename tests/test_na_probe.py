"""n/a cells are decided by the interpreter that would run them (a version matrix's versions)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from benchmarks.measured import catalog
from benchmarks.platform.environments import Environment, parse_spec
from benchmarks.running import na_probe
from tests.conftest import AVAILABLE_RUNTIMES, REPO_ROOT


def specs(name: str, **params: tuple[object, ...]) -> list[catalog.BenchmarkSpec]:
    return catalog.expand([catalog.load_workload(name)], overrides=params)  # type: ignore[arg-type]


def test_the_interpreter_asked_answers_for_its_runtimes_and_cells() -> None:
    here = Environment(parse_spec("."), Path(sys.executable), REPO_ROOT)
    selection = specs("streams.tcp_lines", api=("native",), lines=(1000,))
    table = na_probe.probe(here, ["asyncio", "trio", "asyncio-eager"], selection)
    if "trio" in AVAILABLE_RUNTIMES:
        kind, reason = table.reason(selection[0], "trio") or ("", "")
        assert (kind, "receive_some only" in reason) == ("unsupported", True)
    assert table.reason(selection[0], "asyncio") is None
    if sys.version_info < (3, 12):
        assert table.reason(selection[0], "asyncio-eager") == (
            "unavailable",
            table.runtimes["asyncio-eager"],
        )


def test_without_asyncio_taskgroup_native_task_groups_are_unsupported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What Python 3.10 answers: before, the matrix asked its own 3.11 and the 3.10 workers
    # failed with "module 'asyncio' has no attribute 'TaskGroup'".
    if hasattr(asyncio, "TaskGroup"):
        monkeypatch.delattr(asyncio, "TaskGroup")
    selection = specs("streams.tcp_stream", api=("native", "anyio"))
    said = na_probe.answer(na_probe.question(["asyncio", "uvloop"], selection))
    unsupported = {(name, runtime) for name, runtime, _ in said["cells"]}
    native = next(s.name for s in selection if s.params["api"] == "native")
    anyio = next(s.name for s in selection if s.params["api"] == "anyio")
    assert (native, "asyncio") in unsupported
    assert (anyio, "asyncio") not in unsupported
    assert all("TaskGroup needs Python 3.11" in why for *_, why in said["cells"])


def test_an_interpreter_that_cannot_answer_makes_its_runtimes_unavailable(tmp_path: Path) -> None:
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    broken.chmod(0o755)
    table = na_probe.probe(
        Environment(parse_spec("."), broken, REPO_ROOT),
        ["asyncio"],
        specs("protocol.sync_reference"),
    )
    assert table.runtimes["asyncio"].startswith("the runtimes cannot be listed")
