"""Finding the installed CPython interpreters the suite measures (3.10-3.13).

Looked for in this order, the first that runs and reports the right version wins:

1. ``BENCH_PYTHONS``: ``3.12=/opt/python3.12/bin/python3.12,3.13=/usr/bin/python3.13``
   (the user's own interpreters, comma or whitespace separated);
2. ``python3.X`` on ``PATH`` (a pyenv shim that is not active for 3.X fails the check and is
   passed over, as nox and uv pass it over);
3. pyenv's versions folder: ``$PYENV_ROOT/versions/3.X.*/bin/python3.X`` (``~/.pyenv``
   when ``PYENV_ROOT`` is unset), newest patch release first;
4. uv's managed interpreters: ``$UV_PYTHON_INSTALL_DIR/cpython-3.X.*/bin/python3.X``
   (``~/.local/share/uv/python`` when unset).

Every candidate is checked by running it, so a broken shim or a stale link is never chosen.
Standard library only: the noxfile imports this module before anything is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The CPython versions the suite supports, oldest first.
VERSIONS: tuple[str, ...] = ("3.10", "3.11", "3.12", "3.13")
#: Environment variable naming the user's own interpreters.
ENV_VAR = "BENCH_PYTHONS"

_VERSION = re.compile(r"^3\.\d+$")


class InterpreterError(ValueError):
    """A malformed ``BENCH_PYTHONS`` entry (the message is one line)."""


@dataclass(frozen=True)
class Interpreter:
    """One version looked for: the executable found, or every place that was looked in."""

    version: str
    executable: str | None
    looked: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.executable is not None

    def skip_line(self) -> str:
        """One line saying that this version is skipped, and where it was looked for."""
        places = ", ".join(self.looked) or "nowhere"
        return f"skip Python {self.version}: not installed (looked for {places}; see {ENV_VAR})"


def parse_overrides(text: str) -> dict[str, str]:
    """``"3.12=/path/a, 3.13=/path/b"`` -> ``{"3.12": "/path/a", "3.13": "/path/b"}``."""
    overrides: dict[str, str] = {}
    for entry in re.split(r"[,\s]+", text.strip()):
        if not entry:
            continue
        version, sep, path = entry.partition("=")
        if not sep or not _VERSION.match(version) or not path:
            raise InterpreterError(
                f"bad {ENV_VAR} entry {entry!r}; expected VERSION=PATH with VERSION one of "
                f"{', '.join(VERSIONS)}, e.g. 3.12=/usr/bin/python3.12"
            )
        overrides[version] = path
    return overrides


def _patch_key(path: Path) -> tuple[int, ...]:
    """Sort key of ``.../versions/3.12.10/bin/python3.12``: newest patch release first."""
    folder = path.parent.parent.name
    numbers = re.findall(r"\d+", folder.split("-", 1)[-1] if "-" in folder else folder)
    return tuple(-int(n) for n in numbers)


def _managed(root: Path, pattern: str, version: str) -> list[Path]:
    found = [p for p in root.glob(pattern) if re.search(rf"{re.escape(version)}\.\d+", str(p))]
    return sorted(found, key=_patch_key)


def pyenv_root(env: Mapping[str, str]) -> Path:
    """``$PYENV_ROOT``, else ``~/.pyenv``."""
    return Path(env.get("PYENV_ROOT") or Path(env.get("HOME", "~")) / ".pyenv").expanduser()


def uv_root(env: Mapping[str, str]) -> Path:
    """``$UV_PYTHON_INSTALL_DIR``, else ``~/.local/share/uv/python``."""
    default = Path(env.get("HOME", "~")) / ".local/share/uv/python"
    return Path(env.get("UV_PYTHON_INSTALL_DIR") or default).expanduser()


def candidates(version: str, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(where, executable) pairs to try for ``version``, in order of preference."""
    found: list[tuple[str, str]] = []
    override = parse_overrides(env.get(ENV_VAR, "")).get(version)
    if override is not None:
        found.append((f"{ENV_VAR} {override}", override))
    name = f"python{version}"
    on_path = shutil.which(name, path=env.get("PATH"))
    found.append((f"{name} on PATH", on_path or ""))
    pyenv = pyenv_root(env) / "versions"
    for exe in _managed(pyenv, f"{version}.*/bin/{name}", version):
        found.append((str(pyenv), str(exe)))
    if not any(where == str(pyenv) for where, _ in found):
        found.append((f"{pyenv}/{version}.*", ""))
    uv = uv_root(env)
    for exe in _managed(uv, f"cpython-{version}.*/bin/{name}", version):
        found.append((str(uv), str(exe)))
    if not any(where == str(uv) for where, _ in found):
        found.append((f"{uv}/cpython-{version}.*", ""))
    return found


def reports_version(executable: str, version: str) -> bool:
    """Whether ``executable`` runs and is CPython ``version``."""
    code = "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])"
    try:
        completed = subprocess.run(
            [executable, "-c", code], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    major, _, minor = version.partition(".")
    return completed.returncode == 0 and completed.stdout.split() == ["CPython", major, minor]


def find(
    version: str,
    env: Mapping[str, str] | None = None,
    check: Callable[[str, str], bool] = reports_version,
) -> Interpreter:
    """The first working candidate for ``version`` (see the module docstring)."""
    env = os.environ if env is None else env
    looked: list[str] = []
    for where, executable in candidates(version, env):
        if executable and check(executable, version):
            return Interpreter(version, executable, tuple(looked))
        if where not in looked:
            looked.append(where)
    return Interpreter(version, None, tuple(looked))


def discover(
    versions: Iterable[str] = VERSIONS,
    env: Mapping[str, str] | None = None,
    check: Callable[[str, str], bool] = reports_version,
) -> list[Interpreter]:
    """Every version in ``versions``, found or not, in the order given."""
    return [find(version, env, check) for version in versions]


def installed(found: Sequence[Interpreter], log: Callable[[str], object] = print) -> list[str]:
    """The versions that were found; one skip line through ``log`` for each that was not."""
    kept = []
    for interpreter in found:
        if interpreter.found:
            kept.append(interpreter.version)
        else:
            log(interpreter.skip_line())
    return kept
