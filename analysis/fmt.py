"""Number formatting shared by the Markdown and HTML reports."""

from __future__ import annotations

import math
import re

#: The multiplication sign and en dash, spelled as escapes so the source stays ASCII-lintable.
TIMES = "\u00d7"
EN_DASH = "\u2013"

_TIME_UNITS: tuple[tuple[float, str], ...] = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))
_RATE_UNITS: tuple[tuple[float, str], ...] = ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""))


def _significant(value: float, digits: int = 3) -> str:
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def seconds(value: float) -> str:
    """``1.23 µs``: a duration with an SI prefix and three significant digits."""
    if not math.isfinite(value):
        return "n/a"
    value = float(f"{value:.3g}")  # 999.9 ns -> 1 µs, not "1000 ns"
    for scale, unit in _TIME_UNITS:
        if abs(value) >= scale:
            return f"{_significant(value / scale)} {unit}"
    return f"{_significant(value / 1e-9)} ns"


def rate(value: float, unit: str) -> str:
    """``12.3M item/s``."""
    if not math.isfinite(value):
        return "n/a"
    value = float(f"{value:.3g}")
    for scale, prefix in _RATE_UNITS:
        if abs(value) >= scale:
            return f"{_significant(value / scale)}{prefix} {unit}/s"
    return f"{_significant(value)} {unit}/s"


def mib_per_second(bytes_per_second: float) -> str:
    """``812 MiB/s``."""
    if not math.isfinite(bytes_per_second):
        return "n/a"
    return f"{_significant(bytes_per_second / 2**20)} MiB/s"


def ratio(value: float) -> str:
    return f"{value:.3f}{TIMES}" if math.isfinite(value) else "n/a"


def concurrency(value: float) -> str:
    """``1.97``, ``98.4``: achieved concurrency with three significant digits."""
    return _significant(value) if math.isfinite(value) else "n/a"


def python_version(text: str) -> str:
    """``3.11.7 (64-bit)`` -> ``3.11.7``: pyperf's version without the word-size suffix."""
    return re.sub(r"\s*\((?:32|64)-bit\)\s*$", "", str(text)).strip()


def interval(low: float, high: float) -> str:
    return f"{low:.3f}{EN_DASH}{high:.3f}"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%" if math.isfinite(value) else "n/a"


def interval_seconds(low: float, high: float) -> str:
    """``1.20-1.31 µs`` (with an en dash): two durations in the unit of the larger one."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "n/a"
    top = float(f"{high:.3g}")
    scale, unit = next(((s, u) for s, u in _TIME_UNITS if abs(top) >= s), (1e-9, "ns"))
    return f"{_significant(low / scale)}{EN_DASH}{_significant(high / scale)} {unit}"


def instructions(value: float) -> str:
    """``29,011 instr``: a count of CPU instructions per item, to the whole instruction."""
    return f"{value:,.0f} instr"


def per_item(value: float, metric: str) -> str:
    """A value per item in the unit of its metric (``time`` or ``instructions``)."""
    return instructions(value) if metric == "instructions" else seconds(value)


def interval_per_item(low: float, high: float, metric: str) -> str:
    """Two values per item in the unit of their metric."""
    if metric == "instructions":
        return f"{low:,.0f}{EN_DASH}{high:,.0f} instr"
    return interval_seconds(low, high)
