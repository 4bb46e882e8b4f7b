"""The words of a verdict, in the report (runtime against runtime) and in ``compare``.

Every verdict comes from one interval (see :mod:`analysis.evidence`): wholly beyond the floor
band is faster/slower, wholly inside it equivalent, anything else inconclusive.
"""

from __future__ import annotations

from analysis.evidence import Labels

FASTER = "faster"
SLOWER = "slower"
EQUIVALENT = "equivalent"
INCONCLUSIVE = "inconclusive"
TOO_FEW = "too few processes"
NO_BASELINE = "no baseline value"

#: The report's words: time on a runtime against time on the baseline runtime.
RUNTIME_LABELS = Labels(worse=SLOWER, better=FASTER, equivalent=EQUIVALENT,
                        inconclusive=INCONCLUSIVE, too_few=TOO_FEW)  # fmt: skip

REGRESSION = "regression"
IMPROVEMENT = "improvement"

#: ``compare``'s words: the candidate version against the baseline version.
VERSION_LABELS = Labels(worse=REGRESSION, better=IMPROVEMENT, equivalent=EQUIVALENT,
                        inconclusive=INCONCLUSIVE, too_few=TOO_FEW)  # fmt: skip

#: Every verdict of the report, in the order a legend lists them.
VERDICTS: tuple[str, ...] = (FASTER, SLOWER, EQUIVALENT, INCONCLUSIVE, TOO_FEW, NO_BASELINE)

#: Verdicts that claim a difference.
DIFFERENT: frozenset[str] = frozenset({FASTER, SLOWER, REGRESSION, IMPROVEMENT})
