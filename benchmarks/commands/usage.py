"""Usage errors of every command: one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

USAGE_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as a single line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        fail(message)


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(USAGE_ERROR)


def output_folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name; name the results folder")
    return Path(text)


def add_existing_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--resume`` and ``--force``: what to do with the ``what`` already in ``-o DIR``."""
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument(
        "--resume",
        action="store_true",
        help=f"continue the interrupted {what} in -o DIR: measure only what its manifest lacks",
    )
    existing.add_argument(
        "--force", action="store_true", help=f"replace the {what} already in -o DIR"
    )
