"""Bootstrap confidence intervals: ratio of medians, and the geometric mean of ratios."""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def rng_for(seed: int, key: str) -> np.random.Generator:
    """A generator that depends only on ``seed`` and ``key``: each row of a report is
    reproducible on its own, whatever else is in the report."""
    return np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])


def bootstrap_medians(values: FloatArray, n_resamples: int, rng: np.random.Generator) -> FloatArray:
    """Medians of ``n_resamples`` resamples (with replacement) of ``values``."""
    indices = rng.integers(0, len(values), size=(n_resamples, len(values)))
    return np.median(values[indices], axis=1)


def log_ratio_replicates(
    values: FloatArray, baseline: FloatArray, n_resamples: int, rng: np.random.Generator
) -> FloatArray:
    """Bootstrap replicates of ``log(median(values) / median(baseline))``.

    The two samples are resampled independently (they are independent measurements).
    """
    return np.log(bootstrap_medians(values, n_resamples, rng)) - np.log(
        bootstrap_medians(baseline, n_resamples, rng)
    )


def percentile_interval(replicates: FloatArray, confidence: float) -> tuple[float, float]:
    """The equal-tailed percentile interval of ``replicates``."""
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(replicates, [tail, 1.0 - tail])
    return float(low), float(high)


def geometric_mean(ratios: FloatArray) -> float:
    """``exp(mean(log(ratios)))``."""
    return float(np.exp(np.mean(np.log(ratios))))


def geometric_mean_interval(log_replicates: FloatArray, confidence: float) -> tuple[float, float]:
    """CI of the geometric mean from per-benchmark log-ratio replicates (rows: benchmarks).

    Replicate ``b`` of the geometric mean is ``exp(mean_j log_replicates[j, b])``: the
    measurement uncertainty of every benchmark propagates; the benchmark set is fixed.
    """
    low, high = percentile_interval(log_replicates.mean(axis=0), confidence)
    return float(np.exp(low)), float(np.exp(high))
