"""Issue 16, the analysis half: each defect a hostile user found, as a test that failed before.

In-process calls of ``python -m analysis`` on tiny synthetic runs (see conftest.py).
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis import staging
from analysis.cli import main


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def small_run(synth: Any, folder: Path, *, runs: int = 4, **kwargs: Any) -> Path:
    extra = kwargs.pop("extra", {})
    specs = [
        synth.Spec(runtime, "protocol.async_generator", {"items": 10}, runs=runs, per_run=3)
        for runtime in ("asyncio", "trio")
    ]
    for spec in specs:
        spec.extra = {**spec.extra, **extra}
    return Path(synth.write_run(folder, specs, **kwargs))


def set_blocks(folder: Path, label: Callable[[int], str]) -> None:
    """Stamp run i of every benchmark with the interleaving block ``label(i)``."""
    for path in folder.glob("*.json"):
        if path.name == "manifest.json":
            continue
        data = json.loads(path.read_text())
        for benchmark in data["benchmarks"]:
            for index, run in enumerate(benchmark["runs"]):
                run.setdefault("metadata", {})["interleave_block"] = label(index)
        path.write_text(json.dumps(data))


def set_value(folder: Path, value: object) -> None:
    path = folder / "asyncio.json"
    text = path.read_text()
    data = json.loads(text)
    data["benchmarks"][0]["runs"][1]["values"][0] = value
    path.write_text(json.dumps(data))  # json writes NaN / Infinity literally, as pyperf would


# -- item 2: a report is replaced whole or not at all -----------------------------------------


def test_a_report_whose_one_file_cannot_be_replaced_keeps_the_old_report(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    standard_run: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "OUT"
    assert run_main(capsys, "report", str(standard_run), "-o", str(out))[0] == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "report.md").write_text("the old report")  # to tell old from new
    before[Path("report.md")] = b"the old report"
    replace = os.replace

    def immutable(source: object, destination: object) -> None:  # as chattr +i results.parquet
        if "results.parquet" in str(source) and str(source).startswith(str(out)):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(source))
        replace(source, destination)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", immutable)
    code, _, err = run_main(capsys, "report", str(standard_run), "-o", str(out))
    assert "Operation not permitted" in one_error_line(code, err)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # nothing new beside the old parquet, nothing lost
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- items 3, 19: history is checked first and written all or nothing ---------------------------


def test_history_on_a_full_disk_keeps_the_old_history(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    synth: Any,
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    for index in range(3):
        small_run(synth, runs / f"r{index}", seed=index, run_id=f"id-{index}")
    out = tmp_path / "history"
    out.mkdir()
    (out / "history.md").write_text("old")
    import matplotlib.figure

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full)
    code, _, err = run_main(capsys, "history", str(runs), "-o", str(out))
    assert "No space left on device" in one_error_line(code, err)
    assert sorted(p.name for p in out.iterdir()) == ["history.md"]
    assert (out / "history.md").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("target", ["file", "file/sub", "readonly/history"])
def test_history_refuses_a_bad_output_before_loading(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    target: str,
) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "readonly").mkdir()
    real_mkdtemp = staging.tempfile.mkdtemp

    def read_only(*args: Any, **kwargs: Any) -> str:
        if str(kwargs.get("dir", "")).startswith(str(tmp_path / "readonly")):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(staging.tempfile, "mkdtemp", read_only)
    # the input does not exist: a check after loading would report that instead
    code, _, err = run_main(
        capsys, "history", str(tmp_path / "nothing"), "-o", str(tmp_path / target)
    )
    line = one_error_line(code, err)
    assert "is a file, not a folder" in line or "Read-only file system" in line


# -- item 5: pairing needs proof that the blocks belong together ---------------------------------


def test_two_runs_that_share_a_folder_name_are_not_paired(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    base = small_run(synth, tmp_path / "a" / "base", runs=6, seed=1)
    other = small_run(synth, tmp_path / "b" / "base", runs=6, seed=2)
    for folder in (base, other):  # old-style ids: the folder name, in the labels too
        set_blocks(folder, lambda i: f"base|protocol.async_generator|{i}")
    json_out = tmp_path / "c.json"
    code, _, err = run_main(capsys, "compare", str(base), str(other), "--json", str(json_out))
    assert code in (0, 1), err
    rows = json.loads(json_out.read_text())["rows"]
    assert rows and not any(row["paired"] for row in rows)
    assert "cannot be shown to belong together" in err


def test_the_two_sides_of_one_interleaved_experiment_are_paired(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    base = small_run(synth, tmp_path / "x" / "baseline", runs=6, seed=1, run_id="E1-baseline")
    cand = small_run(synth, tmp_path / "x" / "candidate", runs=6, seed=2, run_id="E1-candidate")
    for folder in (base, cand):
        set_blocks(folder, lambda i: f"E1|protocol.async_generator|{i}")
    json_out = tmp_path / "c.json"
    code, _, err = run_main(capsys, "compare", str(base), str(cand), "--json", str(json_out))
    assert code in (0, 1), err
    assert all(row["paired"] for row in json.loads(json_out.read_text())["rows"])


# -- item 6: compare X X ---------------------------------------------------------------------


def test_comparing_a_run_with_itself_is_bad_input(
    capsys: pytest.CaptureFixture[str], standard_run: Path
) -> None:
    code, _, err = run_main(capsys, "compare", str(standard_run), str(standard_run))
    assert "the same measurements" in one_error_line(code, err)


# -- item 7: the suite's machine identity, not pyperf's host name --------------------------------


def test_compare_checks_the_suite_machine_not_the_host_name(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    one = small_run(synth, tmp_path / "one", seed=1, extra={"machine": "m1"}, hostname="h")
    two = small_run(synth, tmp_path / "two", seed=2, extra={"machine": "m2"}, hostname="h")
    code, _, err = run_main(capsys, "compare", str(one), str(two))
    assert "different machines (baseline: m1; candidate: m2)" in one_error_line(code, err)
    ci = small_run(synth, tmp_path / "ci", seed=3, extra={"machine": "m1"}, hostname="runner-7")
    code, _, err = run_main(capsys, "compare", str(one), str(ci))
    assert code == 0, err


# -- item 8: NaN, infinite, zero and negative values are bad input at loading ---------------------


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 0.0, -1e-6])
@pytest.mark.parametrize("command", ["report", "compare"])
def test_a_value_that_is_no_time_is_bad_input(
    capsys: pytest.CaptureFixture[str],
    synth: Any,
    tmp_path: Path,
    value: float,
    command: str,
) -> None:
    bad = small_run(synth, tmp_path / "bad", seed=1)
    set_value(bad, value)
    args = [str(bad), "-o", str(tmp_path / "out")] if command == "report" else [
        str(small_run(synth, tmp_path / "good", seed=2)), str(bad)
    ]  # fmt: skip
    code, _, err = run_main(capsys, command, *args)
    line = one_error_line(code, err)  # pyperf itself refuses NaN, 0 and negatives; not inf
    assert "must be a finite positive number" in line or "number > 0.0" in line
    assert not (tmp_path / "out").exists()


# -- item 12: --fail-on inconclusive counts "too few processes" ----------------------------------


def test_fail_on_inconclusive_fails_when_nothing_could_be_decided(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    one = small_run(synth, tmp_path / "one", runs=1, seed=1)
    two = small_run(synth, tmp_path / "two", runs=1, seed=2)
    code, out, err = run_main(capsys, "compare", str(one), str(two), "--fail-on", "inconclusive")
    assert "too few processes" in out or "no verdict" in out
    assert code == 3, out + err


# -- items 14, 27: compare's outputs are checked first and written together -----------------------


def test_an_unwritable_step_summary_is_one_line_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    synth: Any,
    tmp_path: Path,
) -> None:
    one = small_run(synth, tmp_path / "one", seed=1)
    two = small_run(synth, tmp_path / "two", seed=2)
    (tmp_path / "summary").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary"))
    json_out = tmp_path / "c.json"
    code, _, err = run_main(capsys, "compare", str(one), str(two), "--json", str(json_out))
    assert "is a folder, not a file" in one_error_line(code, err)
    assert not json_out.exists()


def test_a_failed_json_output_writes_no_markdown(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    one = small_run(synth, tmp_path / "one", seed=1)
    two = small_run(synth, tmp_path / "two", seed=2)
    (tmp_path / "taken").mkdir()
    markdown = tmp_path / "c.md"
    args = ["--json", str(tmp_path / "taken"), "--markdown", str(markdown)]
    code, _, err = run_main(capsys, "compare", str(one), str(two), *args)
    one_error_line(code, err)
    assert not markdown.exists()


# -- item 15: a binary thresholds file ---------------------------------------------------------


def test_a_binary_thresholds_file_is_one_line(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    one = small_run(synth, tmp_path / "one", seed=1)
    two = small_run(synth, tmp_path / "two", seed=2)
    binary = tmp_path / "t.toml"
    binary.write_bytes(b"\xff\xfe\x00\x81binary")
    code, _, err = run_main(capsys, "compare", str(one), str(two), "--thresholds", str(binary))
    assert "not a text file" in one_error_line(code, err)


# -- item 20: the suite's own results tree, with ab and calibrate outputs in it --------------------


def test_report_and_history_skip_the_outputs_of_ab_and_calibrate(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    tree = tmp_path / "results"
    small_run(synth, tree / "run-1", seed=1, run_id="r1")
    small_run(synth, tree / "run-2", seed=2, run_id="r2")
    (tree / "ab-x").mkdir()
    (tree / "ab-x" / "compare.json").write_text('{"comparisons": []}')
    (tree / "cal").mkdir()
    (tree / "cal" / "calibration.json").write_text('{"pairs": []}')
    for command in ("report", "history"):
        code, _, err = run_main(capsys, command, str(tree), "-o", str(tmp_path / command))
        assert code == 0, err
        assert "skipped 2 file(s) that are not pyperf results" in err
    code, _, err = run_main(capsys, "report", str(tree / "ab-x" / "compare.json"))
    assert "not pyperf results" in one_error_line(code, err)


# -- found in the second hostile pass (docs/hostile-pass.md) -----------------------------------


def test_json_and_markdown_at_one_path_is_bad_input(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    one = small_run(synth, tmp_path / "one", seed=1)
    two = small_run(synth, tmp_path / "two", seed=2)
    same = str(tmp_path / "out")
    code, _, err = run_main(
        capsys, "compare", str(one), str(two), "--json", same, "--markdown", same
    )
    assert "name the same file" in one_error_line(code, err)
    assert not (tmp_path / "out").exists()


def test_a_step_summary_in_a_missing_folder_is_refused_first(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    synth: Any,
    tmp_path: Path,
) -> None:
    one = small_run(synth, tmp_path / "one", seed=1)
    two = small_run(synth, tmp_path / "two", seed=2)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "gone" / "summary.md"))
    json_out = tmp_path / "c.json"
    code, _, err = run_main(capsys, "compare", str(one), str(two), "--json", str(json_out))
    assert "its folder does not exist" in one_error_line(code, err)
    assert not json_out.exists()


# -- item 28: Markdown from metadata is literal text in report.md and the step summary ----------

#: Markdown that would render as emphasis, a link, an image, math, a heading or a cell break.
MARKDOWN_BAIT = "*em* **b** [l](http://x.invalid) ![i](http://x.invalid/i.png) $m$ _u_ |c ~~s~~"


def test_the_markdown_escape_keeps_text_literal() -> None:
    import html as html_module

    import markdown as python_markdown

    from analysis.rendering.markup import literal, unescape_to_html

    for text in (MARKDOWN_BAIT, "# heading", "`code`", "a\\*b", "protocol.async_generator"):
        rendered = python_markdown.markdown(literal(text))
        inner = rendered.removeprefix("<p>").removesuffix("</p>")
        assert "<" not in inner, rendered  # no element: no em, a, img, code, h1
        assert unescape_to_html(literal(text)) == html_module.escape(text, quote=False) or (
            html_module.unescape(unescape_to_html(literal(text))) == text
        )
    assert literal("protocol.async_generator") == "protocol.async_generator"  # stays readable
    assert "\n" not in literal("a\n# b")


def test_markdown_from_metadata_is_escaped_in_report_md(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    specs = [
        synth.Spec(runtime, "w.x", {"tag": MARKDOWN_BAIT}, extra={"cpu_model_name": "[cpu](x)"})
        for runtime in ("asyncio", "trio")
    ]
    folder = Path(synth.write_run(tmp_path / "run", specs, hostname="*host*"))
    out = tmp_path / "out"
    code, _, err = run_main(capsys, "report", str(folder), "-o", str(out))
    assert code == 0, err
    markdown = (out / "report.md").read_text()
    for raw in ("[l](http://x.invalid)", "![i]", "*em*", "$m$", "[cpu](x)", "*host*"):
        assert raw not in markdown, raw
    assert "\\|c" in markdown and " |c" not in markdown  # no cell break inside a cell
    assert "\\[l\\](http://x.invalid)" in markdown and "\\*host\\*" in markdown
    page = (out / "report.html").read_text()
    assert "*host*" in page and "[cpu](x)" in page  # the HTML shows the same text, unescaped
    assert 'href="http://x.invalid"' not in page


def test_markdown_from_metadata_is_escaped_in_the_step_summary(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    synth: Any,
    tmp_path: Path,
) -> None:
    def side(name: str, seed: int) -> Path:
        specs = [
            synth.Spec(rt, "w.x", {"tag": MARKDOWN_BAIT}, runs=4, per_run=3)
            for rt in ("asyncio", "trio")
        ]
        return Path(synth.write_run(tmp_path / name, specs, seed=seed))

    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, _, err = run_main(capsys, "compare", str(side("one", 1)), str(side("two", 2)))
    assert code in (0, 1), err
    text = summary.read_text()
    assert "tag=" in text
    for raw in ("[l](http://x.invalid)", "![i]", "*em*", "$m$"):
        assert raw not in text, raw


# -- item 28: results.csv grows with the data, not with values x metadata ------------------------


def test_the_csv_stays_proportional_to_the_input(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    # Many values per process and long metadata: written once per value, the CSV was ~18 times
    # its input (a 50 MB input gave 600 MB); split per value / per process, it is ~2 times.
    long = {"python_build": "x" * 400, "cpu_model_name": "y" * 400}
    specs = [
        synth.Spec(rt, "w.x", {"items": 10}, runs=4, per_run=2000, extra=long)
        for rt in ("asyncio", "trio")
    ]
    folder = Path(synth.write_run(tmp_path / "run", specs))
    inputs = sum(p.stat().st_size for p in folder.glob("*.json"))
    out = tmp_path / "out"
    code, _, err = run_main(capsys, "report", str(folder), "-o", str(out))
    assert code == 0, err
    csv = sum((out / name).stat().st_size for name in ("results.csv", "processes.csv"))
    assert csv < 3 * inputs, (csv, inputs)
    import pandas as pd

    joined = pd.read_csv(out / "results.csv").merge(
        pd.read_csv(out / "processes.csv"), on="process_id", how="left"
    )
    assert len(joined) == 2 * 4 * 2000 and joined["cpu_model_name"].eq("y" * 400).all()


# -- found in the third hostile pass (docs/hostile-pass.md) ------------------------------------


def test_an_interval_that_overflows_is_one_line(
    capsys: pytest.CaptureFixture[str], synth: Any, tmp_path: Path
) -> None:
    # Finite but absurd values (1e300 and 1e-300 per item) make an interval bound overflow;
    # before, an OverflowError traceback (exit 1, which compare uses for "regression").
    folder = small_run(synth, tmp_path / "run")
    path = folder / "asyncio.json"
    data = json.loads(path.read_text())
    runs = data["benchmarks"][0]["runs"]
    runs[1]["values"] = [1e300] * 3  # per-process log means 690 apart: exp() of the bound
    runs[2]["values"] = [1e-300] * 3  # overflows
    path.write_text(json.dumps(data))
    out = tmp_path / "out"
    with np.errstate(all="ignore"):
        code, _, err = run_main(capsys, "report", str(folder), "-o", str(out))
    assert "too far apart for finite intervals" in one_error_line(code, err)
    assert not out.exists()


def test_an_infinite_interval_bound_stays_off_the_plot_axis() -> None:
    # An instructions cell with one value of 1e300 gave an infinite bound through numpy, and
    # matplotlib raised "Axis limits cannot be NaN or Inf" (a traceback, exit 1).
    import matplotlib.pyplot as plt
    import pandas as pd

    from analysis.rendering.plots import _ratio_ticks

    figure, axis = plt.subplots()
    axis.set_xscale("log")
    ratios = pd.DataFrame({"ci_low": [0.0, 0.9], "ratio": [1.2, 1.0], "ci_high": [np.inf, 1.1]})
    _ratio_ticks(axis, ratios)
    low, high = axis.get_xlim()
    assert np.isfinite([low, high]).all() and low < 0.9 and high > 1.2
    plt.close(figure)
