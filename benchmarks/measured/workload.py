"""What a workload is: runtime-neutral code, its parameter ladder and its self-check.

A workload module defines one ``WORKLOAD = Workload(...)``. The harness opens the workload's
session inside the running event loop (set-up, untimed), awaits the session's ``run_once``
``loops`` times between two clock reads, leaves the session (tear-down, untimed) and checks the
last result against ``expected``. A wrong result raises :class:`WrongResult`.

Parameters follow asv's ``params``/``param_names`` convention: every parameter has a ladder of
values; the default run takes ``defaults[name]`` (one value, or a tuple of values) for the
parameters listed there and every value of the others (for example both suspension modes, at the
default size only). ``applies`` leaves out combinations that mean nothing (a ``nosuspend`` case
calls no primitive, so it has no ``api=native`` twin): they are never generated.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.platform.runtimes import Runtime

ParamValue = int | str
DefaultValue = ParamValue | tuple[ParamValue, ...]
RunOnce = Callable[[], Awaitable[object]]

#: The two flavours of the iteration-protocol workloads.
NO_SUSPENSION = "nosuspend"
CHECKPOINT = "checkpoint"
SUSPENSION_MODES: tuple[str, ...] = (NO_SUSPENSION, CHECKPOINT)


class WrongResult(AssertionError):
    """A workload returned something other than its expected count or checksum."""


@dataclass(frozen=True)
class Case:
    """One point of a workload's parameter ladder, plus the fixture folder it may read and the
    runtime it runs on (set by the harness; ``api=native`` workloads take their primitives from
    it, see :func:`benchmarks.platform.native.primitives`)."""

    params: Mapping[str, ParamValue]
    fixture_dir: Path | None = None
    runtime: Runtime | None = field(default=None, compare=False)

    def __getitem__(self, name: str) -> ParamValue:
        return self.params[name]

    def int(self, name: str) -> int:
        value = self.params[name]
        if not isinstance(value, int):
            raise TypeError(f"parameter {name!r} is {value!r}, not an int")
        return value


@dataclass(frozen=True)
class Fixture:
    """Deterministic input data a workload reads, built once per run outside any timed region.

    ``build(folder)`` writes into an empty folder and must give the same bytes every time.
    ``key`` names the data (content, size and seed): cases with the same key share one copy.
    """

    key: str
    build: Callable[[Path], None]


def _no_reason(runtime: str, case: Case) -> str | None:
    return None


def _not_timer_bound(case: Case) -> bool:
    return False


@dataclass(frozen=True)
class Workload:
    """A runtime-neutral workload, its parameter ladder and its self-check."""

    #: ``family.workload``; the module is ``benchmarks.measured.workloads.<family>.<workload>``.
    name: str
    #: What it measures, its unit and why it matters (the module docstring).
    description: str
    #: What one value is per: ``item``, ``row``, ``chunk``, ``MiB``...
    item_unit: str
    #: Parameter ladders, in display order.
    params: Mapping[str, tuple[ParamValue, ...]]
    #: Items measured by one ``run_once`` (pyperf ``inner_loops``).
    inner_loops: Callable[[Case], int]
    #: The result ``run_once`` must return (count or checksum)...
    expected: Callable[[Case], object] | None = None
    #: ...or a check of the result that raises :class:`WrongResult` (for results that must be
    #: inspected, such as an archive on disk). Give exactly one of the two.
    verify: Callable[[Case, object], None] | None = None
    #: Returns ``run_once`` for a case when the workload needs no async set-up.
    prepare: Callable[[Case], RunOnce] | None = None
    #: An async context manager yielding ``run_once``, for workloads with set-up and tear-down
    #: (servers, open files). Entered and left outside the timed region.
    session: Callable[[Case], AbstractAsyncContextManager[RunOnce]] | None = None
    #: Values for the default run; parameters not listed run every value of their ladder.
    defaults: Mapping[str, DefaultValue] = field(default_factory=dict)
    #: Why a case cannot run on a runtime (``None`` when it can).
    unsupported: Callable[[str, Case], str | None] = _no_reason
    #: Bytes per item, for workloads that have a throughput.
    bytes_per_item: Callable[[Case], float] | None = None
    #: The input data a case reads, if any.
    fixture: Callable[[Case], Fixture] | None = None
    #: Further figures of a case for the pyperf metadata (for example the sleep a latency
    #: workload requests per item, from which analysis derives the achieved concurrency).
    extra_metadata: Callable[[Case], Mapping[str, int | float | str]] | None = None
    #: Which parameter combinations exist (all when None); the others are never generated.
    applies: Callable[[Mapping[str, ParamValue]], bool] | None = None
    #: Whether the default run (no ``--workload``, no ``--ladder``) measures it. Workloads left
    #: out still run at their defaults when selected by name, and on ``--ladder``.
    in_default_run: bool = True
    #: The workload hands work to threads: the harness starts them before the clock.
    uses_threads: bool = False
    #: A case's value is set by the timer (requested sleeps), not by speed: recorded as
    #: ``timer_bound`` so the analysis keeps it out of speed summaries.
    timer_bound: Callable[[Case], bool] = _not_timer_bound

    def __post_init__(self) -> None:
        if (self.prepare is None) == (self.session is None):
            raise ValueError(f"{self.name}: give exactly one of prepare or session")
        if (self.expected is None) == (self.verify is None):
            raise ValueError(f"{self.name}: give exactly one of expected or verify")
        unknown = set(self.defaults) - set(self.params)
        if unknown:
            raise ValueError(f"{self.name}: defaults for unknown parameters {sorted(unknown)}")
        for name in self.defaults:
            for value in self.default_values(name):
                if value not in self.params[name]:
                    raise ValueError(f"{self.name}: default {name}={value!r} is not on its ladder")

    def default_values(self, name: str) -> tuple[ParamValue, ...]:
        """The values of parameter ``name`` in the default run."""
        if name not in self.defaults:
            return self.params[name]
        value = self.defaults[name]
        return value if isinstance(value, tuple) else (value,)

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def module(self) -> str:
        return f"benchmarks.measured.workloads.{self.name}"

    def cases(
        self,
        *,
        ladder: bool = False,
        overrides: Mapping[str, tuple[ParamValue, ...]] | None = None,
    ) -> list[dict[str, ParamValue]]:
        """The parameter combinations to run: defaults, the whole ladder, or overridden values."""
        overrides = overrides or {}
        axes: list[tuple[ParamValue, ...]] = []
        for name, values in self.params.items():
            if name in overrides:
                axes.append(tuple(v for v in overrides[name] if v in values))
            elif not ladder:
                axes.append(self.default_values(name))
            else:
                axes.append(values)
        combos = [dict(zip(self.params, combo, strict=True)) for combo in itertools.product(*axes)]
        return [combo for combo in combos if self.applies is None or self.applies(combo)]

    def benchmark_name(self, params: Mapping[str, ParamValue]) -> str:
        inner = ",".join(f"{name}={params[name]}" for name in self.params)
        return f"{self.name}[{inner}]" if inner else self.name

    @asynccontextmanager
    async def open(self, case: Case) -> AsyncIterator[RunOnce]:
        """Set up a case inside the running loop and yield its ``run_once``."""
        if self.session is not None:
            async with self.session(case) as run_once:
                yield run_once
        else:
            assert self.prepare is not None
            yield self.prepare(case)

    def check(self, case: Case, result: object) -> None:
        if self.verify is not None:
            self.verify(case, result)
            return
        assert self.expected is not None
        expected = self.expected(case)
        if result != expected:
            raise WrongResult(
                f"{self.benchmark_name(case.params)} returned {_short(result)}, "
                f"expected {_short(expected)}"
            )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def range_checksum(items: int) -> int:
    """Sum of ``range(items)``: what every range-shaped workload returns."""
    return items * (items - 1) // 2
