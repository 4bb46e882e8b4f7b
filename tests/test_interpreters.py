"""Finding CPython 3.10-3.13: overrides, PATH, pyenv, uv; a missing version is one skip line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from benchmarks.platform import interpreters
from benchmarks.platform.interpreters import ENV_VAR, InterpreterError, discover, find, installed


def fake_python(path: Path, reports: str, exit_code: int = 0) -> Path:
    """An executable script that prints what ``reports_version`` asks for (or fails)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{reports}'\nexit {exit_code}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def empty_env(tmp_path: Path) -> dict[str, str]:
    """Nothing on PATH, an empty pyenv root and an empty uv folder."""
    (tmp_path / "bin").mkdir()
    return {
        "PATH": str(tmp_path / "bin"),
        "HOME": str(tmp_path / "home"),
        "PYENV_ROOT": str(tmp_path / "pyenv"),
        "UV_PYTHON_INSTALL_DIR": str(tmp_path / "uv"),
    }


def test_a_missing_version_is_skipped_with_one_line(empty_env: dict[str, str]) -> None:
    found = discover(["3.10", "3.13"], empty_env)
    assert [f.found for f in found] == [False, False]
    lines: list[str] = []
    assert installed(found, log=lines.append) == []
    assert len(lines) == 2
    line = lines[0]
    assert "\n" not in line
    assert line.startswith("skip Python 3.10: not installed (looked for python3.10 on PATH, ")
    assert f"{empty_env['PYENV_ROOT']}/versions/3.10.*" in line
    assert f"{empty_env['UV_PYTHON_INSTALL_DIR']}/cpython-3.10.*" in line
    assert ENV_VAR in line


def test_installed_keeps_found_versions_in_order(tmp_path: Path, empty_env: dict[str, str]) -> None:
    fake_python(tmp_path / "bin" / "python3.12", "CPython 3 12")
    lines: list[str] = []
    kept = installed(discover(["3.10", "3.12", "3.13"], empty_env), log=lines.append)
    assert kept == ["3.12"]
    assert [line.split(":")[0] for line in lines] == ["skip Python 3.10", "skip Python 3.13"]


def test_a_failing_shim_on_path_is_passed_over_for_pyenv(
    tmp_path: Path, empty_env: dict[str, str]
) -> None:
    fake_python(tmp_path / "bin" / "python3.12", "pyenv: python3.12: command not found", 127)
    root = Path(empty_env["PYENV_ROOT"]) / "versions"
    fake_python(root / "3.12.1" / "bin" / "python3.12", "CPython 3 12")
    newest = fake_python(root / "3.12.10" / "bin" / "python3.12", "CPython 3 12")
    fake_python(root / "3.13.0" / "bin" / "python3.13", "CPython 3 13")
    found = find("3.12", empty_env)
    assert found.executable == str(newest)
    assert found.looked == ("python3.12 on PATH",)


def test_a_wrong_version_is_not_taken(tmp_path: Path, empty_env: dict[str, str]) -> None:
    fake_python(tmp_path / "bin" / "python3.12", "CPython 3 11")
    assert not find("3.12", empty_env).found


def test_uv_managed_interpreters_are_found(empty_env: dict[str, str]) -> None:
    uv = Path(empty_env["UV_PYTHON_INSTALL_DIR"])
    exe = fake_python(uv / "cpython-3.13.1-linux-x86_64-gnu" / "bin" / "python3.13", "CPython 3 13")
    assert find("3.13", empty_env).executable == str(exe)


def test_the_environment_variable_comes_first(tmp_path: Path, empty_env: dict[str, str]) -> None:
    fake_python(tmp_path / "bin" / "python3.11", "CPython 3 11")
    mine = fake_python(tmp_path / "opt" / "my-python", "CPython 3 11")
    env = dict(empty_env, **{ENV_VAR: f"3.11={mine}, 3.13=/nowhere/python3.13"})
    assert find("3.11", env).executable == str(mine)
    missing = find("3.13", env)
    assert not missing.found
    assert missing.looked[0] == f"{ENV_VAR} /nowhere/python3.13"


@pytest.mark.parametrize("text", ["3.12", "python=/usr/bin/python3", "3.12="])
def test_a_bad_override_is_one_line_naming_the_format(text: str) -> None:
    with pytest.raises(InterpreterError) as caught:
        interpreters.parse_overrides(text)
    message = str(caught.value)
    assert "\n" not in message
    assert f"bad {ENV_VAR} entry" in message and "VERSION=PATH" in message


def test_this_interpreter_is_found() -> None:
    """The interpreter running the tests reports its own version (a real probe)."""
    import sys

    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    env = dict(os.environ, **{ENV_VAR: f"{version}={sys.executable}"})
    assert find(version, env).executable == sys.executable
