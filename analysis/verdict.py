"""The verdict of one comparison: faster, slower, no significant difference, ..."""

from __future__ import annotations

import math

FASTER = "faster"
SLOWER = "slower"
NO_DIFFERENCE = "no significant difference"
BELOW_FLOOR = "not meaningful"
TOO_FEW = "too few values"
NO_BASELINE = "no baseline value"

#: Every verdict, in the order a legend lists them.
VERDICTS: tuple[str, ...] = (FASTER, SLOWER, NO_DIFFERENCE, BELOW_FLOOR, TOO_FEW, NO_BASELINE)


def verdict(
    ratio: float, p_adjusted: float, alpha: float, floor: float, testable: bool = True
) -> str:
    """Classify ``ratio`` = time(runtime) / time(baseline).

    * ``too few values``: no test on samples this small could reach significance;
    * ``no significant difference``: the adjusted p-value is not below ``alpha``;
    * ``not meaningful``: significant, but the ratio is within ``floor`` of 1;
    * ``faster`` (ratio < 1) or ``slower`` (ratio > 1) otherwise.
    """
    if not testable:
        return TOO_FEW
    if math.isnan(p_adjusted) or p_adjusted >= alpha:
        return NO_DIFFERENCE
    if abs(ratio - 1.0) < floor:
        return BELOW_FLOOR
    return FASTER if ratio < 1.0 else SLOWER


def interval_verdict(ratio: float, low: float, high: float, floor: float) -> str:
    """Verdict for a geometric mean, from its confidence interval (no test to adjust)."""
    if low <= 1.0 <= high:
        return NO_DIFFERENCE
    if abs(ratio - 1.0) < floor:
        return BELOW_FLOOR
    return FASTER if ratio < 1.0 else SLOWER
