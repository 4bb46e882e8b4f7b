"""The words of a verdict, in the report (runtime against runtime) and in ``compare``.

Every verdict comes from one interval (see :mod:`analysis.statistics.evidence`). In the report,
wholly beyond the floor band is faster/slower (shown to differ by at least the floor). In
``compare``, a **regression** is an interval wholly above 1 whose upper end is above 1 + threshold
(shown to be slower, not shown to stay under the threshold). Wholly inside the band is equivalent,
anything else inconclusive; wall times measured apart with too few runs get
"not interleaved: no verdict".
"""

from __future__ import annotations

from analysis.statistics.evidence import (
    NOT_INTERLEAVED as NOT_INTERLEAVED,  # runs apart, too few runs
)
from analysis.statistics.evidence import Labels

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
VERDICTS: tuple[str, ...] = (
    FASTER, SLOWER, EQUIVALENT, INCONCLUSIVE, TOO_FEW, NOT_INTERLEAVED, NO_BASELINE
)  # fmt: skip

#: Verdicts that claim a difference.
DIFFERENT: frozenset[str] = frozenset({FASTER, SLOWER, REGRESSION, IMPROVEMENT})
