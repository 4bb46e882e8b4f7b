"""Mann-Whitney U tests and multiple-comparison control (Holm, Benjamini-Hochberg)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]

CORRECTIONS: tuple[str, ...] = ("holm", "bh", "none")


def mann_whitney_p(values: FloatArray, baseline: FloatArray) -> float:
    """Two-sided Mann-Whitney U p-value; 1.0 when every value is identical."""
    if np.ptp(np.concatenate([values, baseline])) == 0:
        return 1.0
    return float(stats.mannwhitneyu(values, baseline, alternative="two-sided").pvalue)


def smallest_attainable_p(n: int, m: int) -> float:
    """The smallest two-sided p-value an exact Mann-Whitney test can give for sizes n and m.

    When it exceeds the significance level, no data could make the comparison significant:
    the honest verdict is "too few values", not "no significant difference".
    """
    if n < 1 or m < 1:
        return 1.0
    return min(1.0, 2.0 / math.comb(n + m, n))


def holm(p_values: FloatArray) -> FloatArray:
    """Holm step-down adjusted p-values (family-wise error rate). NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    finite = np.flatnonzero(~np.isnan(p))
    m = len(finite)
    order = finite[np.argsort(p[finite], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def benjamini_hochberg(p_values: FloatArray) -> FloatArray:
    """Benjamini-Hochberg step-up adjusted p-values (false discovery rate). NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    finite = np.flatnonzero(~np.isnan(p))
    m = len(finite)
    order = finite[np.argsort(p[finite], kind="stable")]
    running = 1.0
    for rank in range(m - 1, -1, -1):
        index = order[rank]
        running = min(running, m * p[index] / (rank + 1))
        adjusted[index] = running
    return adjusted


def adjust(p_values: FloatArray, method: str) -> FloatArray:
    """Adjust p-values across one table with ``holm``, ``bh`` or ``none``."""
    if method == "holm":
        return holm(p_values)
    if method == "bh":
        return benjamini_hochberg(p_values)
    if method == "none":
        return np.asarray(p_values, dtype=float).copy()
    raise ValueError(f"unknown correction {method!r}; choose one of {', '.join(CORRECTIONS)}")
