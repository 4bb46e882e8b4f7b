"""The workload x runtime matrix that ``python -m benchmarks list`` prints, as lines of text."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from benchmarks.measured.catalog import BenchmarkSpec
from benchmarks.platform.runtimes import DEFAULT_RUNTIMES

#: (kind, reason) when a benchmark cannot run on a runtime here, else None.
NaReason = Callable[[BenchmarkSpec, str], "tuple[str, str] | None"]


def matrix_lines(
    specs: Sequence[BenchmarkSpec],
    runtimes: Sequence[str],
    na_reason: NaReason,
    *,
    runtimes_named: bool,
) -> Iterator[str]:
    """One row per benchmark with ``ok`` or a numbered ``n/a`` per runtime, the reasons, and a
    summary; ``*`` marks the workloads the default run leaves to ``--ladder``. Unless the
    runtimes were named, a last line lists those measured only when named. Each line is given
    as soon as it is made (the availability checks between them take seconds)."""
    width = max(len(spec.name) for spec in specs)
    cols = [max(9, len(r)) for r in runtimes]
    unit_width = max(4, *(len(spec.workload.item_unit) for spec in specs))
    header = "  ".join(f"{r:<{c}}" for r, c in zip(runtimes, cols, strict=True))
    yield f"{'benchmark':<{width}}  {'unit':<{unit_width}}  " + header
    reasons: dict[str, int] = {}
    for spec in specs:
        cells = []
        for runtime, col in zip(runtimes, cols, strict=True):
            na = na_reason(spec, runtime)
            if na is None:
                cells.append(f"{'ok':<{col}}")
            else:
                number = reasons.setdefault(na[1], len(reasons) + 1)
                cells.append(f"{f'n/a [{number}]':<{col}}")
        unit = spec.workload.item_unit
        mark = " " if spec.workload.in_default_run else "*"
        yield f"{spec.name:<{width}}{mark} {unit:<{unit_width}}  " + "  ".join(cells)
    for reason, number in reasons.items():
        yield f"[{number}] {reason}"
    in_default = sum(1 for spec in specs if spec.workload.in_default_run)
    yield (
        f"{len(specs)} benchmarks x {len(runtimes)} runtimes ({in_default} benchmarks in the "
        "default run; * only with --ladder or --workload); values are seconds per unit"
    )
    extra = [r for r in runtimes if r not in DEFAULT_RUNTIMES]
    if extra and not runtimes_named:
        yield f"measured only when named with --runtime: {', '.join(extra)}"
