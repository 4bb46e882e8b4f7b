"""The pieces of ``ab``: SPEC grammar, settings, merging worker files."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pyperf
import pytest

from benchmarks.platform.environments import (
    Spec,
    SpecError,
    parse_spec,
    resolve_commit,
    resolve_python,
)
from benchmarks.running import blocks, interleave
from tests.conftest import REPO_ROOT


def test_bare_word_is_a_ref_and_defaults_are_the_working_tree() -> None:
    assert parse_spec("main") == Spec("main", ref="main")
    assert parse_spec(".") == Spec(".", ref=".")
    default = parse_spec("pip=anyio==4.15.0")
    assert default.ref == "." and default.pip == ("anyio==4.15.0",)


def test_full_spec() -> None:
    spec = parse_spec("ref=v1, python=3.12, pip=anyio==4.15.0, pip=/src/trio, slowdown=0.05")
    assert spec.ref == "v1"
    assert spec.python == "3.12"
    assert spec.pip == ("anyio==4.15.0", "/src/trio")
    assert spec.slowdown == 0.05


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour=red", "unknown SPEC key 'colour'.*valid keys: ref, python, pip, slowdown"),
        ("main,dev", "'ref' given twice"),
        ("ref=", "has no value"),
        ("main,,pip=x", "empty item"),
        ("slowdown=-1", "slowdown"),
    ],
)
def test_bad_specs_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_spec(text)


def test_with_slowdown_keeps_the_environment() -> None:
    spec = parse_spec("HEAD,pip=anyio==4.15.0").with_slowdown(0.1)
    assert (spec.ref, spec.pip, spec.slowdown) == ("HEAD", ("anyio==4.15.0",), 0.1)


def test_unknown_ref_and_python_are_refused() -> None:
    with pytest.raises(SpecError, match="not a commit"):
        resolve_commit(REPO_ROOT, "no-such-ref-anywhere")
    with pytest.raises(SpecError, match=r"no python2\.1 on PATH"):
        resolve_python("2.1")
    with pytest.raises(SpecError, match="not an executable"):
        resolve_python("/no/such/python")


def namespace(**given: object) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    interleave.add_settings_arguments(parser)
    args = parser.parse_args([])
    for key, value in given.items():
        setattr(args, key, value)
    return args


def test_settings_fast_halves_processes_and_bad_values_are_refused() -> None:
    assert interleave.settings_from(namespace(fast=True)).processes == max(
        3, interleave.runner.PROCESSES // 2
    )
    assert interleave.settings_from(namespace(processes=2)).processes == 2
    with pytest.raises(ValueError, match="--values"):
        interleave.settings_from(namespace(values=0))


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"processes": 0}, "--processes must be at least 1, not 0"),
        ({"processes": -3}, "--processes must be at least 1"),
        ({"min_time": float("nan")}, "--min-time must be a number of seconds above 0, not nan"),
        ({"min_time": float("inf")}, "--min-time must be a number"),
        ({"min_time": -1.0}, "--min-time must be"),
        ({"loops": 0}, "--loops must be at least 1"),
        ({"warmups": -1}, "--warmups must be at least 0"),
    ],
)
def test_settings_no_worker_can_run_with_are_bad_input(
    given: dict[str, object], message: str
) -> None:
    """Issue 16, item 9: ``ab -p 0`` ran 12 processes, ``--min-time nan`` calibrated to 1."""
    with pytest.raises(ValueError, match=re.escape(message)):
        interleave.settings_from(namespace(**given))


def test_worker_files_of_a_side_merge_into_one_benchmark(tmp_path: Path) -> None:
    files = []
    for index in range(3):
        run = pyperf.Run(
            [1e-6 + index * 1e-9, 1.1e-6],
            warmups=[(8, 1e-6)],
            metadata={"name": "b", "loops": 8, "unit": "second"},
            collect_metadata=False,
        )
        path = tmp_path / f"w{index}.json"
        pyperf.Benchmark([run]).dump(str(path))
        files.append(path)
    merged = blocks.merged_benchmark(files)
    assert merged.get_nrun() == 3
    assert len(merged.get_values()) == 6
