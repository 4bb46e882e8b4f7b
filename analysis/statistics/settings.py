"""How the report's comparison is computed: baseline runtime, confidence and practical floor.

Apart from :mod:`analysis.statistics.stats` (which imports pandas and scipy) so that the command
line can show the defaults in its help without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.errors import AnalysisError


@dataclass(frozen=True)
class Settings:
    """How the comparison is computed."""

    baseline: str = "asyncio"
    confidence: float = 0.95
    floor: float = 0.02

    def __post_init__(self) -> None:
        if not 0.5 <= self.confidence < 1.0:
            raise AnalysisError(f"confidence must be in [0.5, 1), got {self.confidence}")
        if not 0.0 <= self.floor < 1.0:
            raise AnalysisError(f"floor must be in [0, 1), got {self.floor}")

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence
