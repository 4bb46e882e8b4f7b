"""The results folder a ``python -m benchmarks run`` argument list names, read as ``run`` reads it.

The ``bench`` nox session measures and then reports on the same folder, so it must know which
folder ``run`` will use: ``-o D``, ``-oD``, ``--output D``, ``--output=D`` or an abbreviation
such as ``--out D``, and the last one when several are given (argparse keeps the last). This
module imports the standard library only: nox reads it before any session is installed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def output_of(args: Sequence[str]) -> str | None:
    """The ``-o`` of ``args``, or None; ValueError (one line) when ``-o`` has no value."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("-o", "--output")
    try:
        known, _ = parser.parse_known_args(list(args))
    except argparse.ArgumentError as exc:
        raise ValueError(f"-o/--output needs a folder ({exc.message})") from None
    output: str | None = known.output
    if output is not None and not output.strip():
        raise ValueError("-o/--output names an empty folder; name the results folder")
    return output
