"""Synthetic pyperf result folders with known shifts, written with the pyperf API."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyperf
import pytest


@dataclass
class Spec:
    """One benchmark on one runtime: its parameters and the values (or how to draw them)."""

    runtime: str
    workload: str
    params: Mapping[str, Any] = field(default_factory=dict)
    family: str | None = None
    item_unit: str = "item"
    bytes_per_item: float | None = None
    values: Sequence[Sequence[float]] | None = None  # runs x values
    median: float = 1e-6
    shift: float = 1.0
    #: Within-process noise: sd of log value around its process's level.
    noise: float = 0.01
    #: The per-process random effect: sd of each worker process's log level (hash seed,
    #: memory layout); values of one process share it, as in real pyperf runs.
    process_sd: float = 0.01
    runs: int = 6
    per_run: int = 5
    mode: str = "default"
    extra: Mapping[str, Any] = field(default_factory=dict)  # more metadata, written as given


def metadata(spec: Spec, run_id: str, hostname: str, python: str) -> dict[str, Any]:
    label = ",".join(f"{k}={v}" for k, v in spec.params.items())
    meta: dict[str, Any] = {
        "name": f"{spec.workload}[{label}]" if label else spec.workload,
        "unit": "second",
        "loops": 16,
        "inner_loops": 100,
        "runtime": spec.runtime,
        "runtime_backend": "trio" if spec.runtime == "trio" else "asyncio",
        "workload": spec.workload,
        "workload_family": spec.family or spec.workload.split(".")[0],
        "item_unit": spec.item_unit,
        "suite_run_id": run_id,
        "suite_mode": spec.mode,
        "anyio_version": "4.16.0",
        "trio_version": "0.35.0",
        "uvloop_version": "0.23.0",
        "python_build": "main, Jan 1 2026 GCC 12.2.0",
        "python_version": f"{python} (64-bit)",
        "python_implementation": "cpython",
        "hostname": hostname,
        "cpu_model_name": "Synthetic CPU @ 3.0GHz",
        "date": "2026-11-24 12:00:00.000000",
    }
    if spec.params:  # pyperf rejects empty metadata values
        meta["param_names"] = ",".join(spec.params)
    for name, value in spec.params.items():
        meta[f"param_{name}"] = value
    if spec.bytes_per_item is not None:
        meta["bytes_per_item"] = spec.bytes_per_item
    meta.update(spec.extra)
    return meta


def draw(spec: Spec, rng: np.random.Generator) -> list[list[float]]:
    if spec.values is not None:
        return [list(map(float, run)) for run in spec.values]
    center = spec.median * spec.shift
    levels = center * np.exp(rng.normal(0.0, spec.process_sd, spec.runs))
    return [list(level * np.exp(rng.normal(0.0, spec.noise, spec.per_run))) for level in levels]


def write_run(
    folder: Path,
    specs: Sequence[Spec],
    *,
    seed: int = 0,
    run_id: str | None = None,
    hostname: str = "bench-host",
    python: str = "3.11.7",
    na: Sequence[Mapping[str, Any]] = (),
    blocks: str | None = None,
) -> Path:
    """Write one run folder: ``<runtime>.json`` per runtime plus ``manifest.json``.

    ``blocks``: stamp process ``i`` of every benchmark with the interleaving block
    ``<blocks>|<benchmark>|<i>`` (two folders given the same ``blocks`` ran interleaved)."""
    rng = np.random.default_rng(seed)
    run_id = run_id or folder.name
    folder.mkdir(parents=True, exist_ok=True)
    by_runtime: dict[str, list[pyperf.Benchmark]] = {}
    for spec in specs:
        meta = metadata(spec, run_id, hostname, python)
        runs = [
            pyperf.Run(
                values,
                warmups=[(16, values[0])],
                metadata=meta
                if blocks is None
                else {**meta, "interleave_block": f"{blocks}|{meta['name']}|{index}"},
                collect_metadata=False,
            )
            for index, values in enumerate(draw(spec, rng))
        ]
        by_runtime.setdefault(spec.runtime, []).append(pyperf.Benchmark(runs))
    for runtime, benchmarks in by_runtime.items():
        pyperf.BenchmarkSuite(benchmarks).dump(str(folder / f"{runtime}.json"), replace=True)
    modes = sorted({spec.mode for spec in specs})
    manifest = {
        "format": 1,
        "run_id": run_id,
        "python": python,
        "mode": modes[0] if len(modes) == 1 else "custom",
        "command": ["python", "-m", "benchmarks", "run"],
        "runtimes": sorted(by_runtime),
        "na": list(na),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


SIZES = (10, 1000, 100000)


def standard_specs(shifts: Mapping[str, float] | None = None) -> list[Spec]:
    """A small but complete run: two families, a size ladder, three runtimes.

    ``shifts`` maps runtime -> true ratio to asyncio (default: uvloop 0.8, trio 1.1).
    """
    shifts = dict(shifts or {"asyncio": 1.0, "uvloop": 0.8, "trio": 1.1})
    specs = []
    for runtime, shift in shifts.items():
        for mode in ("nosuspend", "checkpoint"):
            for items in SIZES:
                base = 2e-7 if mode == "nosuspend" else 4e-6
                specs.append(
                    Spec(
                        runtime,
                        "protocol.async_generator",
                        {"mode": mode, "items": items},
                        median=base * (1 + 10 / items),
                        shift=shift,
                    )
                )
        for chunk in (1024, 65536):
            if runtime == "trio" and chunk == 65536:
                continue  # an n/a cell, listed in the manifest
            specs.append(
                Spec(
                    runtime,
                    "io.file_chunks",
                    {"chunk": chunk},
                    item_unit="chunk",
                    bytes_per_item=chunk,
                    median=chunk * 1e-9 + 2e-6,
                    shift=shift,
                )
            )
    return specs


STANDARD_NA = [
    {
        "runtime": "trio",
        "workload": "io.file_chunks",
        "benchmark": "io.file_chunks[chunk=65536]",
        "params": {"chunk": 65536},
        "kind": "unsupported",
        "reason": "aiofiles runs only on the asyncio family",
    }
]


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., Path]:
    """``make_run(specs, name=..., **write_run_kwargs)`` -> a run folder under tmp_path."""

    def make(specs: Sequence[Spec], name: str = "run", **kwargs: Any) -> Path:
        return write_run(tmp_path / name, specs, **kwargs)

    return make


@pytest.fixture
def standard_run(make_run: Callable[..., Path]) -> Path:
    return make_run(standard_specs(), name="2026-11-24_py3.11_bench-host", na=STANDARD_NA)


@pytest.fixture
def small_run(make_run: Callable[..., Path]) -> Path:
    """Two runtimes, one benchmark: the cheapest run a whole report (three figures) is made of,
    for tests of where and how a report is written rather than of what it says."""
    specs = [
        Spec(runtime, "protocol.class_iterator", {"items": 1000}, shift=shift)
        for runtime, shift in (("asyncio", 1.0), ("trio", 1.3))
    ]
    return make_run(specs, name="2026-11-24_py3.11_small")


@pytest.fixture(scope="module")
def shared_standard_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard run, written once per test module, for tests that only read it."""
    folder = tmp_path_factory.mktemp("shared") / "2026-11-24_py3.11_bench-host"
    return write_run(folder, standard_specs(), na=STANDARD_NA)


class Synth:
    """The helpers above, handed to tests as the ``synth`` fixture (tests never import conftest)."""

    Spec = Spec
    SIZES = SIZES
    STANDARD_NA = STANDARD_NA
    write_run = staticmethod(write_run)
    standard_specs = staticmethod(standard_specs)


@pytest.fixture(scope="session")  # stateless: module-scoped runs use it too
def synth() -> type[Synth]:
    return Synth
