"""Seeded simulations of history lines, where the truth is known: how often a flat line shows a
false change, and how often a step is found.

``python -m analysis.views.history_simulation`` prints the figures of ``docs/verdicts.md`` (History)
and of the history page; the tests run the same functions.

**The model of a line** (:class:`LineModel`): 30 run levels (log scale) with run noise of sd 2%,
of four kinds (:data:`NOISE_KINDS`):

- ``iid``: independent normal run noise;
- ``ar1``: AR(1) run noise with lag-1 correlation 0.5 (a machine that stays slow or fast for a
  few runs), with the same marginal sd;
- ``bad_runs``: iid noise plus single bad runs, +15%, each run bad with probability 1/15;
- ``bad_spells``: iid noise plus bad spells of +15% lasting about 2 runs (geometric lengths,
  mean 2), with the same share of bad runs, 1/15.

A flat line has no change; a stepped line is 5% slower from a position drawn uniformly among
those that leave at least :data:`EDGE` runs on each side. A step counts as found when a change
point is reported within :data:`TOLERANCE` runs of it.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from statsmodels.stats.proportion import proportion_confint

from analysis.views.history import UNCONFIRMED_L1, Method, change_points_of_lines, noise_sd

FloatArray = npt.NDArray[np.float64]

NOISE_KINDS: tuple[str, ...] = ("iid", "ar1", "bad_runs", "bad_spells")
#: Fewest runs on each side of a simulated step.
EDGE = 5
#: How far (in runs) a reported change may sit from the true step and still count as found.
TOLERANCE = 2
#: The settings the published figures use.
SEED = 2026
#: 1 000 lines per kind and case: a rate near 5% is then known to about +-1.4%.
LINES = 1000


@dataclass(frozen=True)
class LineModel:
    """The noise of one simulated history line (log scale)."""

    runs: int = 30
    run_sd: float = 0.02
    autocorrelation: float = 0.5
    bad_shift: float = math.log(1.15)
    bad_share: float = 1 / 15
    spell_runs: float = 2.0
    step: float = math.log(1.05)


def noise(rng: np.random.Generator, kind: str, count: int, model: LineModel) -> FloatArray:
    """``count x runs`` run noise of one kind (see the module docstring)."""
    shape = (count, model.runs)
    base = rng.normal(0.0, model.run_sd, shape)
    if kind == "iid":
        return base
    if kind == "ar1":
        phi = model.autocorrelation
        series = np.empty(shape)
        series[:, 0] = base[:, 0]
        for run in range(1, model.runs):
            series[:, run] = phi * series[:, run - 1] + math.sqrt(1 - phi**2) * base[:, run]
        return series
    if kind == "bad_runs":
        return base + model.bad_shift * (rng.random(shape) < model.bad_share)
    if kind == "bad_spells":
        starts = rng.random(shape) < model.bad_share / model.spell_runs
        lengths = rng.geometric(1 / model.spell_runs, shape)
        left = np.zeros(count, dtype=int)
        bad = np.zeros(shape, dtype=bool)
        for run in range(model.runs):
            left = np.where(starts[:, run], np.maximum(left, lengths[:, run]), left)
            bad[:, run] = left > 0
            left = np.maximum(left - 1, 0)
        return base + model.bad_shift * bad
    raise ValueError(f"unknown noise kind {kind!r}; valid kinds: {', '.join(NOISE_KINDS)}")


def simulate_lines(
    rng: np.random.Generator, kind: str, count: int, stepped: bool, model: LineModel
) -> tuple[FloatArray, npt.NDArray[np.int_]]:
    """Run levels ``count x runs`` and each line's step position (-1 for a flat line)."""
    levels = noise(rng, kind, count, model)
    if not stepped:
        return levels, np.full(count, -1)
    at = rng.integers(EDGE, model.runs - EDGE + 1, count)
    levels = levels + model.step * (np.arange(model.runs)[None, :] >= at[:, None])
    return levels, at


def detect(levels: FloatArray, method: Method) -> list[list[int]]:
    """Each simulated line's reported change points, as :func:`analysis.views.history.build_history`
    finds them (the noise estimate has no process-level floor here: runs are the noise)."""
    lines = list(levels)
    sigmas = [noise_sd(line, np.array([])) for line in lines]
    return change_points_of_lines(lines, sigmas, method)


@dataclass(frozen=True)
class Rate:
    """``hits`` of ``lines`` with its Clopper-Pearson 95% interval."""

    hits: int
    lines: int

    @property
    def value(self) -> float:
        return self.hits / self.lines

    def interval(self) -> tuple[float, float]:
        low, high = proportion_confint(self.hits, self.lines, alpha=0.05, method="beta")
        return float(low), float(high)

    def text(self) -> str:
        low, high = self.interval()
        return f"{self.value:.1%} ({low:.1%}-{high:.1%})"


def false_change_rate(
    method: Method, kind: str, lines: int = LINES, seed: int = SEED, model: LineModel | None = None
) -> Rate:
    """Flat lines with at least one reported change."""
    model = model or LineModel()
    rng = np.random.default_rng([seed, NOISE_KINDS.index(kind), 0])
    levels, _ = simulate_lines(rng, kind, lines, False, model)
    return Rate(sum(bool(points) for points in detect(levels, method)), lines)


def detection_rate(
    method: Method, kind: str, lines: int = LINES, seed: int = SEED, model: LineModel | None = None
) -> Rate:
    """Stepped lines with a reported change within :data:`TOLERANCE` runs of the step."""
    model = model or LineModel()
    rng = np.random.default_rng([seed, NOISE_KINDS.index(kind), 1])
    levels, at = simulate_lines(rng, kind, lines, True, model)
    found = detect(levels, method)
    return Rate(
        sum(any(abs(p - a) <= TOLERANCE for p in ps) for ps, a in zip(found, at, strict=True)),
        lines,
    )


@dataclass(frozen=True)
class KindFigures:
    kind: str
    false_change: Rate
    detection: Rate


def figures(method: Method, lines: int = LINES, seed: int = SEED) -> list[KindFigures]:
    """Both rates for every noise kind."""
    return [
        KindFigures(
            kind,
            false_change_rate(method, kind, lines, seed),
            detection_rate(method, kind, lines, seed),
        )
        for kind in NOISE_KINDS
    ]


def gls_step_statistics(
    levels: FloatArray, autocorrelation: float, sd: float, min_size: int = 4
) -> tuple[FloatArray, npt.NDArray[np.int_]]:
    """Per line, the largest |t| of a step over every split that leaves ``min_size`` runs on each
    side, and where it is: generalised least squares for a level and a step under AR(1) noise of
    known ``autocorrelation`` and marginal ``sd`` (the data prewhitened, as Prais-Winsten). The
    oracle of :func:`oracle_detection_rate`: nothing is estimated from the line."""
    count, runs = levels.shape
    phi = autocorrelation
    head = math.sqrt(1 - phi**2)
    whitened = np.concatenate([head * levels[:, :1], levels[:, 1:] - phi * levels[:, :-1]], 1)
    intercept = np.concatenate([[head], np.full(runs - 1, 1 - phi)])
    innovation_sd = sd * head
    best = np.full(count, -np.inf)
    where = np.zeros(count, dtype=int)
    for split in range(min_size, runs - min_size + 1):
        step = (np.arange(runs) >= split).astype(float)
        step_whitened = np.concatenate([[head * step[0]], step[1:] - phi * step[:-1]])
        design = np.stack([intercept, step_whitened], axis=1)
        coefficients = np.linalg.lstsq(design, whitened.T, rcond=None)[0]
        step_sd = innovation_sd * math.sqrt(np.linalg.inv(design.T @ design)[1, 1])
        t = np.abs(coefficients[1]) / step_sd
        better = t > best
        best = np.where(better, t, best)
        where = np.where(better, split, where)
    return best, where


def oracle_detection_rate(
    kind: str = "ar1",
    lines: int = 4000,
    seed: int = SEED,
    false_rate: float = 0.05,
    model: LineModel | None = None,
) -> Rate:
    """An upper bound for any method: steps found by :func:`gls_step_statistics`, which is told
    the true autocorrelation and run noise, with its threshold set so that ``false_rate`` of flat
    lines (simulated alike) show a change. Under ``ar1`` noise it bounds what a method that must
    estimate both from a line's 30 runs can find."""
    model = model or LineModel()
    phi = model.autocorrelation if kind == "ar1" else 0.0
    rng = np.random.default_rng([seed, NOISE_KINDS.index(kind), 2])
    flat, _ = simulate_lines(rng, kind, lines, False, model)
    stepped, at = simulate_lines(rng, kind, lines, True, model)
    null_statistics, _ = gls_step_statistics(flat, phi, model.run_sd)
    threshold = float(np.quantile(null_statistics, 1 - false_rate))
    statistics, where = gls_step_statistics(stepped, phi, model.run_sd)
    found = (statistics > threshold) & (np.abs(where - at) <= TOLERANCE)
    return Rate(int(found.sum()), lines)


KIND_LABELS = {
    "iid": "iid",
    "ar1": "AR(1), correlation 0.5",
    "bad_runs": "single bad runs of +15% (1 in 15)",
    "bad_spells": "bad spells of +15% lasting about 2 runs",
}


def settings_text(lines: int = LINES, seed: int = SEED) -> str:
    model = LineModel()
    return (
        f"{lines} simulated lines per noise kind and case (flat, stepped), {model.runs} runs "
        f"each, run noise {model.run_sd:.0%} (log scale), a {math.expm1(model.step):.0%} step at "
        f"a uniform position with at least {EDGE} runs on each side, found when a change is "
        f"reported within {TOLERANCE} runs of it; seed {seed} "
        "(`python -m analysis.views.history_simulation`); 95% Clopper-Pearson intervals"
    )


def table_rows(rows: Sequence[KindFigures]) -> list[list[str]]:
    return [[KIND_LABELS[r.kind], r.false_change.text(), r.detection.text()] for r in rows]


def markdown_table(rows: Sequence[KindFigures]) -> str:
    lines = [
        "| run noise | flat lines with a false change | 5% steps found |",
        "| --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rows)]
    return "\n".join(lines)


#: The default method's figures at :data:`SEED` and :data:`LINES`, read by the history page
#: (written by ``--write``; ``tests/analysis/test_history_simulation.py`` re-runs them).
FIGURES_FILE = Path(__file__).with_name("history_figures.json")
#: The generated part of docs/verdicts.md's History section lies between these lines.
DOC_FILE = Path(__file__).resolve().parents[2] / "docs" / "verdicts.md"
DOC_START = (
    "<!-- history figures: generated by python -m analysis.views.history_simulation --write -->"
)
DOC_END = "<!-- end of history figures -->"


def figures_record(rows: Sequence[KindFigures], lines: int = LINES, seed: int = SEED) -> dict:
    """What the history page states: rows of text, the settings and the raw counts."""
    return {
        "seed": seed,
        "lines": lines,
        "method": Method().describe(),
        "settings": settings_text(lines, seed),
        "rows": table_rows(rows),
        "counts": {
            r.kind: {
                "false_changes": r.false_change.hits,
                "steps_found": r.detection.hits,
                "lines": r.false_change.lines,
            }
            for r in rows
        },
    }


def stored_figures() -> dict | None:
    """The stored figures of the default method, or None when they were never written."""
    if not FIGURES_FILE.is_file():
        return None
    return json.loads(FIGURES_FILE.read_text("utf-8"))


def doc_section(rows: Sequence[KindFigures], lines: int = LINES, seed: int = SEED) -> str:
    """The generated lines of docs/verdicts.md's History section (between the markers)."""
    return "\n".join(
        [DOC_START, "", markdown_table(rows), "", f"Settings: {settings_text(lines, seed)}.", "",
         DOC_END]
    )  # fmt: skip


def write_figures(rows: Sequence[KindFigures]) -> None:
    """Store the figures for the page and replace the generated part of the doc."""
    FIGURES_FILE.write_text(json.dumps(figures_record(rows), indent=2) + "\n", "utf-8")
    text = DOC_FILE.read_text("utf-8")
    start, end = text.index(DOC_START), text.index(DOC_END) + len(DOC_END)
    DOC_FILE.write_text(text[:start] + doc_section(rows) + text[end:], "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.views.history_simulation")
    parser.add_argument("--lines", type=int, default=LINES, help="lines per kind and case")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--write", action="store_true", help="store the default figures for the page and the doc"
    )
    parser.add_argument(
        "--before", action="store_true", help="also measure the method before (L1, slow)"
    )
    parser.add_argument(
        "--oracle",
        action="store_true",
        help="also the upper bound: steps found knowing the noise model (5%% false changes)",
    )
    args = parser.parse_args(argv)
    if args.lines < 1:
        parser.error(f"--lines must be at least 1, not {args.lines}")
    if args.write and (args.lines, args.seed) != (LINES, SEED):
        parser.error(f"--write stores the published settings only: --lines {LINES} --seed {SEED}")
    rows = figures(Method(), args.lines, args.seed)
    print(f"now: {Method().describe()}\n")
    print(markdown_table(rows) + "\n")
    if args.before:
        print(f"before: {UNCONFIRMED_L1.describe()}\n")
        print(markdown_table(figures(UNCONFIRMED_L1, args.lines, args.seed)) + "\n")
    if args.oracle:
        for kind in ("iid", "ar1"):
            bound = oracle_detection_rate(kind, seed=args.seed)
            print(f"oracle ({KIND_LABELS[kind]}, noise model known, 5% false changes): "
                  f"{bound.text()} of 5% steps found, {bound.lines} lines")  # fmt: skip
    print(settings_text(args.lines, args.seed))
    if args.write:
        write_figures(rows)
        print(f"wrote {FIGURES_FILE} and the History figures of {DOC_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
