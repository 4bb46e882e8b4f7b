"""The one exception type the command line turns into ``error: ...`` and exit code 2."""

from __future__ import annotations


class AnalysisError(Exception):
    """Bad input or an impossible comparison, described in one line for the user."""
