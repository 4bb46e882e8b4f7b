"""The generators family (asend/athrow, aclose, cancellation mid-iteration) and the other new
workloads: verified on every runtime, documented, one default size each."""

from __future__ import annotations

import pytest

from benchmarks.measured import catalog
from benchmarks.measured.workload import Case, WrongResult
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running.harness import time_batch

GENERATORS = catalog.select_workloads(["generators.*"])
SMALL_SPECS = [
    spec
    for spec in catalog.expand(GENERATORS, ladder=True)
    if int(spec.params.get("items", spec.params.get("generators", 0))) <= 1_000
]
NEW_WORKLOADS = {
    "generators.asend_athrow": {"op": ("asend",), "items": (1_000,)},
    "generators.aclose": {"cleanup": ("checkpoint",), "generators": (1_000,)},
    "generators.cancel_mid_iteration": {"items": (10,)},
    "concurrency.fan_in": {"sources": (16,)},
    "streams.tcp_lines": {"api": ("anyio", "native"), "lines": (10_000,)},
}


def test_the_family_is_discovered_with_docs() -> None:
    assert {w.name for w in GENERATORS} == {n for n in NEW_WORKLOADS if n.startswith("gen")}
    for workload in catalog.select_workloads(list(NEW_WORKLOADS)):
        for part in ("Measures:", "Unit:", "Checked:", "Why:"):
            assert part in workload.description, f"{workload.name} docstring lacks {part}"


@pytest.mark.parametrize("name", sorted(NEW_WORKLOADS))
def test_new_workloads_join_the_default_matrix_at_one_size(name: str) -> None:
    workload = catalog.load_workload(name)
    axes: dict[str, set[object]] = {param: set() for param in workload.params}
    for params in workload.cases():
        for param, value in params.items():
            axes[param].add(value)
    assert axes == {param: set(values) for param, values in NEW_WORKLOADS[name].items()}
    ladder = workload.cases(ladder=True)
    assert len(ladder) > len(workload.cases()), "the rest of the ladder is on --ladder"


@pytest.mark.parametrize("spec", SMALL_SPECS, ids=lambda spec: spec.name)
def test_generator_workload_gives_verified_result(
    spec: catalog.BenchmarkSpec, runtime_name: str
) -> None:
    time_batch(3, RUNTIMES[runtime_name], spec.workload, Case(spec.params))


def test_fan_in_ladder_spans_2_to_256_sources() -> None:
    workload = catalog.load_workload("concurrency.fan_in")
    assert workload.params["sources"] == (2, 16, 256)


def test_fan_in_check_sees_items_out_of_order(runtime_name: str) -> None:
    """A source whose items arrive out of order is caught, though the sum is unchanged."""
    module = pytest.importorskip("benchmarks.measured.workloads.concurrency.fan_in")

    async def swapped(source: int, sources: int, count: int):  # type: ignore[no-untyped-def]
        order = list(range(count))
        if source == 0:
            order[0], order[1] = order[1], order[0]
        for position in order:
            yield position * sources + source

    workload = module.WORKLOAD
    original = module.numbers
    try:
        module.numbers = swapped
        with pytest.raises(WrongResult, match=r"returned \(4096, [1-9]\d*, 8386560\)"):
            time_batch(1, RUNTIMES[runtime_name], workload, Case({"sources": 2}))
    finally:
        module.numbers = original


def test_cancel_check_requires_the_generator_finally(runtime_name: str) -> None:
    """A generator that swallows the cancellation's cleanup (no ``finally``) fails the check."""
    module = pytest.importorskip("benchmarks.measured.workloads.generators.cancel_mid_iteration")

    async def no_finally(finalized):  # type: ignore[no-untyped-def]
        position = 0
        while True:
            await module.checkpoint()
            yield position
            position += 1

    original = module.ticker
    try:
        module.ticker = no_finally
        with pytest.raises(WrongResult, match=r"expected \(10, 330, 1, True\)"):
            time_batch(1, RUNTIMES[runtime_name], module.WORKLOAD, Case({"items": 10}))
    finally:
        module.ticker = original


@pytest.mark.parametrize("op", ["asend", "athrow"])
def test_asend_athrow_check_sees_a_lost_value(
    op: str, runtime_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An accumulator that drops the first value it receives fails the check."""
    module = pytest.importorskip("benchmarks.measured.workloads.generators.asend_athrow")
    genuine = module.accumulator

    async def drops_first(finalized):  # type: ignore[no-untyped-def]
        inner = genuine(finalized)
        total = await anext(inner)
        first = True
        try:
            while True:
                try:
                    value = yield total
                except module.Bump as bump:
                    value = bump.args[0]
                if first:
                    first = False
                    continue
                total = await inner.asend(value)
        finally:
            await inner.aclose()

    monkeypatch.setattr(module, "accumulator", drops_first)
    with pytest.raises(WrongResult, match=r"expected \(10, 330, 1\)"):
        time_batch(1, RUNTIMES[runtime_name], module.WORKLOAD, Case({"op": op, "items": 10}))
