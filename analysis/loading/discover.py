"""Find the pyperf JSON files and run manifests named on the command line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

MANIFEST_NAME = "manifest.json"
#: Plain JSON a run folder may hold besides its pyperf files (see results/FORMAT.md).
TIMER_ACCURACY_NAME = "timer_accuracy.json"
AUXILIARY_NAMES: frozenset[str] = frozenset({MANIFEST_NAME, TIMER_ACCURACY_NAME})
#: Plain JSON the suite's other commands write into a results tree (``ab``: compare.json,
#: ``calibrate``: calibration.json): not pyperf files, skipped in a folder with a note.
OTHER_OUTPUT_NAMES: frozenset[str] = frozenset({"compare.json", "calibration.json"})
SUITE_SUFFIXES: tuple[str, ...] = (".json", ".json.gz")


@dataclass(frozen=True)
class Inputs:
    """The files one analysis reads."""

    suites: tuple[Path, ...]
    manifests: tuple[Path, ...]
    timer_accuracy: tuple[Path, ...] = ()
    #: Files of the suite's other commands found in the folders and skipped.
    skipped: tuple[Path, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        if not self.skipped:
            return ()
        names = ", ".join(sorted({p.name for p in self.skipped}))
        return (f"skipped {len(self.skipped)} file(s) that are not pyperf results ({names})",)


def _is_suite_name(path: Path) -> bool:
    return (
        path.name not in AUXILIARY_NAMES
        and path.name not in OTHER_OUTPUT_NAMES
        and path.name.endswith(SUITE_SUFFIXES)
    )


def _hidden(path: Path, root: Path) -> bool:
    """Whether a file lies in a hidden folder (``.nox``, ``.fixture-cache``) below ``root``."""
    return any(part.startswith(".") for part in path.relative_to(root).parts[:-1])


def _walk(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not _hidden(path, folder):
            yield path


def discover(paths: Sequence[str | Path]) -> Inputs:
    """Expand files and folders (searched recursively) into suite files and manifests.

    A folder contributes every ``*.json`` / ``*.json.gz`` below it (each must be a pyperf
    suite) and every ``manifest.json``. A manifest next to an explicitly named suite file is
    read too, so the n/a cells of that run are not lost.
    """
    if not paths:
        raise AnalysisError("no results given: name pyperf JSON files or folders of them")
    suites: list[Path] = []
    manifests: list[Path] = []
    timers: list[Path] = []
    skipped: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise AnalysisError(f"{path}: no such file or folder")
        if path.is_dir():
            found = [p for p in _walk(path) if _is_suite_name(p)]
            if not found:
                raise AnalysisError(f"{path}: no pyperf JSON files in this folder")
            suites.extend(found)
            manifests.extend(p for p in _walk(path) if p.name == MANIFEST_NAME)
            timers.extend(p for p in _walk(path) if p.name == TIMER_ACCURACY_NAME)
            skipped.extend(p for p in _walk(path) if p.name in OTHER_OUTPUT_NAMES)
        elif path.name in OTHER_OUTPUT_NAMES:
            raise AnalysisError(
                f"{path}: written by `ab` or `calibrate`, not pyperf results; name the run "
                "folders (or the folder above them) instead"
            )
        elif path.name == MANIFEST_NAME:
            manifests.append(path)
        elif path.name == TIMER_ACCURACY_NAME:
            timers.append(path)
        else:
            suites.append(path)
            sibling = path.parent / MANIFEST_NAME
            if sibling.is_file():
                manifests.append(sibling)
    if not suites:
        raise AnalysisError("only manifests given: name the pyperf JSON files or their folder")
    return Inputs(
        suites=_unique(suites),
        manifests=_unique(manifests),
        timer_accuracy=_unique(timers),
        skipped=_unique(skipped),
    )


def _unique(paths: Iterable[Path]) -> tuple[Path, ...]:
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(path.resolve(), path)
    return tuple(seen.values())
