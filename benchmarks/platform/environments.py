"""The environment of one side of an A/B run: which source, which Python, which libraries.

A **SPEC** is a comma-separated list of ``key=value`` items (no spaces needed, no commas inside
a value):

- ``ref=REF``: a git ref of this repository (branch, tag, commit, ``HEAD~3``); the suite's
  source at that commit is extracted with ``git archive`` into the cache. A bare word without
  ``=`` means the same. ``.`` (the default) is the working tree as it is, uncommitted edits
  included.
- ``python=VERSION|PATH``: the interpreter, ``3.12`` (``python3.12`` on PATH) or a path;
  by default the one running the command.
- ``pip=REQUIREMENT``: a requirement installed on top of the suite, in the same resolver call:
  ``pip=anyio==4.15.0``, ``pip=/path/to/trio`` (a local checkout). May be repeated.
- ``slowdown=FRACTION``: inject a known slowdown in the harness (``0.05`` = 5% slower per item);
  for sensitivity self-checks. It changes nothing in the environment itself.

Examples: ``main``, ``ref=v1.2,python=3.12``, ``pip=anyio==4.15.0``, ``HEAD,slowdown=0.05``.

One virtual environment is built per distinct (interpreter, source, requirements) and kept in the
cache folder, so an A/A pair or a slowdown pair builds it once: ``uv`` when it is on PATH, else
``venv`` and pip. The suite is installed editable from the side's source, and its workers run
from that source folder, so each side imports its own suite code.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.running.harness import SLOWDOWN_ENV, parse_slowdown
from benchmarks.storage import identity, interrupt

#: The keys a SPEC item may have.
SPEC_KEYS: tuple[str, ...] = ("ref", "python", "pip", "slowdown")
#: The ref meaning "the working tree as it is".
WORKING_TREE = "."
#: Default folder for extracted sources and virtual environments.
DEFAULT_CACHE = Path(".ab-cache")


class SpecError(ValueError):
    """A SPEC that cannot be parsed or built; the message is one line."""


@dataclass(frozen=True)
class Spec:
    """One side of an A/B run, as written on the command line."""

    text: str
    ref: str = WORKING_TREE
    python: str | None = None
    pip: tuple[str, ...] = ()
    slowdown: float = 0.0

    def with_slowdown(self, slowdown: float) -> Spec:
        """The same environment with another injected slowdown."""
        text = f"{self.text},slowdown={slowdown:g}" if self.text else f"slowdown={slowdown:g}"
        return Spec(text, self.ref, self.python, self.pip, slowdown)


def parse_spec(text: str) -> Spec:
    """Parse a SPEC (see the module docstring); :class:`SpecError` when it is bad."""
    values: dict[str, str] = {}
    pip: list[str] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            if text.strip():
                raise SpecError(f"empty item in SPEC {text!r}")
            continue
        key, sep, value = item.partition("=")
        if not sep:
            key, value = "ref", item
        key, value = key.strip(), value.strip()
        if key not in SPEC_KEYS:
            raise SpecError(
                f"unknown SPEC key {key!r} in {text!r}; valid keys: {', '.join(SPEC_KEYS)}"
            )
        if not value:
            raise SpecError(f"SPEC key {key!r} has no value in {text!r}")
        if key == "pip":
            pip.append(value)
        elif key in values:
            raise SpecError(f"SPEC key {key!r} given twice in {text!r}")
        else:
            values[key] = value
    try:
        slowdown = parse_slowdown(values.get("slowdown", ""))
    except ValueError as exc:
        raise SpecError(f"{exc} in SPEC {text!r}") from None
    return Spec(
        text=text,
        ref=values.get("ref", WORKING_TREE),
        python=values.get("python"),
        pip=tuple(pip),
        slowdown=slowdown,
    )


@dataclass(frozen=True)
class Environment:
    """A built side: its interpreter, the folder its workers run in, and its identity."""

    spec: Spec
    python: Path
    source: Path
    identity: dict[str, str] = field(default_factory=dict)
    python_version: str = "unknown"
    #: Variables set for this side's workers only (a calibration's injected work).
    extra_environ: dict[str, str] = field(default_factory=dict)

    def worker_environ(self) -> dict[str, str]:
        """Environment variables of this side's workers: no PYTHONPATH, its own slowdown, its
        own extra variables."""
        environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        environ[SLOWDOWN_ENV] = repr(self.spec.slowdown) if self.spec.slowdown else ""
        environ.update(self.extra_environ)
        return environ


def _run(
    command: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    """Run one step of a build in its own process group (ended, with everything it started,
    if the build is stopped: :func:`benchmarks.storage.interrupt.run_child`)."""
    try:
        completed = interrupt.run_child(command, capture_stdout=True, cwd=cwd, env=env)
    except OSError as exc:
        raise SpecError(f"{what}: {exc}") from None
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        detail = lines[-1].strip() if lines else f"exit code {completed.returncode}"
        raise SpecError(f"{what} failed: {detail}")
    return completed.stdout.strip()


def resolve_python(python: str | None) -> Path:
    """The interpreter a SPEC names: a version on PATH, a path, or the current one."""
    if python is None:
        return Path(sys.executable)
    if all(part.isdigit() for part in python.split(".")):
        found = shutil.which(f"python{python}")
        if found is None:
            raise SpecError(f"python={python}: no python{python} on PATH")
        return Path(found)
    path = Path(python).expanduser()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise SpecError(
            f"python={python}: not an executable file (give a version like 3.12 or a path)"
        )
    return path


def resolve_commit(repository: Path, ref: str) -> str:
    """The full commit a git ref names in ``repository``."""
    completed = subprocess.run(
        ["git", "-C", str(repository), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0 or not completed.stdout.strip():
        raise SpecError(f"ref={ref}: not a commit of the repository at {repository}")
    return completed.stdout.strip()


def extract_commit(repository: Path, commit: str, cache: Path) -> Path:
    """The suite's source at ``commit``, extracted once into the cache with ``git archive``."""
    target = cache / f"src-{commit[:12]}"
    if target.is_dir():
        return target
    archive = subprocess.run(
        ["git", "-C", str(repository), "archive", "--format=tar", commit], capture_output=True
    )
    if archive.returncode != 0:
        raise SpecError(f"git archive {commit[:12]} failed")
    staging = cache / f".src-{commit[:12]}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(staging, filter="data")
        else:  # Python < 3.11.4; the archive comes from our own repository
            tar.extractall(staging)
    staging.rename(target)
    return target


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def environment_key(interpreter: Path, source_key: str, pip: tuple[str, ...]) -> str:
    """The cache key of an environment; a local folder requirement counts by its content."""
    requirements = [f"{item}@{local_folder_fingerprint(Path(item))}" for item in pip]
    text = "\n".join([str(interpreter.resolve()), source_key, *requirements])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: Folders a local requirement's fingerprint leaves out (version control, caches, builds).
UNFINGERPRINTED = frozenset({".git", "__pycache__", ".nox", ".tox", ".venv", "build", "dist"})


def local_folder_fingerprint(folder: Path) -> str:
    """A hash of the files of a local folder requirement (``pip=/path/to/trio``), so that an
    edited checkout gets a new environment instead of the stale copy pip installed before;
    ``-`` for a requirement that is not a folder. In a git checkout, the files git does not
    ignore (so that what a build writes into the tree, such as Cython's output, does not
    count), less untracked files in :data:`UNFINGERPRINTED` or ``*.egg-info`` folders (what
    installing the folder writes into a checkout without a ``.gitignore`` for them: counted, it
    made the environment built first stale to the next build); elsewhere, every file but
    :data:`UNFINGERPRINTED` folders."""
    if not folder.is_dir():
        return "-"
    digest = hashlib.sha256()
    tracked = _git_files(folder, "--cached")
    untracked = _git_files(folder, "--others", "--exclude-standard")
    if tracked is not None and untracked is not None:
        names = sorted({*tracked, *(n for n in untracked if not _build_output(Path(n)))})
        submodules = subprocess.run(
            ["git", "-C", str(folder), "submodule", "status", "--recursive"], capture_output=True
        )
        digest.update(submodules.stdout)
    else:
        names = []
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(
                d for d in dirs if d not in UNFINGERPRINTED and not d.endswith(".egg-info")
            )
            names.extend(str((Path(root) / f).relative_to(folder)) for f in sorted(files))
    for name in names:
        digest.update(Path(name).as_posix().encode() + b"\0")
        try:
            digest.update((folder / name).read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()[:16]


def _git_files(folder: Path, *which: str) -> list[str] | None:
    """``git ls-files`` of ``folder`` (None when it is not a git checkout)."""
    listed = subprocess.run(
        ["git", "-C", str(folder), "ls-files", "-z", *which], capture_output=True
    )
    if listed.returncode != 0:
        return None
    return [name.decode() for name in listed.stdout.split(b"\0") if name]


#: Top-level folders of a checkout that a build writes (``build/``, ``dist/``).
BUILD_FOLDERS = frozenset({"build", "dist"})


def _build_output(relative: Path) -> bool:
    """Whether an untracked file lies in a folder that builds and tools write: ``build/`` or
    ``dist/`` at the top, a cache or virtualenv (:data:`UNFINGERPRINTED`), or ``*.egg-info``."""
    folders = relative.parts[:-1]
    if folders and folders[0] in BUILD_FOLDERS:
        return True
    return any(
        (part in UNFINGERPRINTED and part not in BUILD_FOLDERS) or part.endswith(".egg-info")
        for part in folders
    )


def create_venv(interpreter: Path, venv: Path, source: Path, pip: tuple[str, ...]) -> None:
    """A virtual environment with the suite (editable, from ``source``) and the overrides."""
    uv = shutil.which("uv")
    python = venv_python(venv)
    env: dict[str, str] | None = None
    if uv is not None:
        # uv keeps cross-process lock files in its temporary folder: that folder is the
        # cache's own, so TMPDIR holds nothing of a build afterwards.
        uv_temp = venv.parent / ".uv-tmp"
        uv_temp.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(uv_temp)}
        _run([uv, "venv", "--quiet", "--python", str(interpreter), str(venv)], "uv venv", env=env)
        install = [uv, "pip", "install", "--quiet", "--python", str(python)]
    else:
        _run([str(interpreter), "-m", "venv", str(venv)], f"{interpreter} -m venv")
        install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*install, "-e", str(source), *pip], f"installing the suite from {source} and {pip}",
         env=env)  # fmt: skip


def build_environment(
    spec: Spec,
    repository: Path,
    cache: Path,
    log: Callable[[str], None] = print,
) -> Environment:
    """Make (or reuse from ``cache``) the environment a SPEC names."""
    interpreter = resolve_python(spec.python)
    cache = cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    if spec.ref == WORKING_TREE:
        source = repository.resolve()
        suite_identity = identity.checkout_identity(source)
        pyproject = source / "pyproject.toml"
        source_key = f"worktree:{source}:" + hashlib.sha256(pyproject.read_bytes()).hexdigest()
    else:
        commit = resolve_commit(repository, spec.ref)
        source = extract_commit(repository, commit, cache)
        suite_identity = identity.commit_identity(repository, commit)
        source_key = f"commit:{commit}"
    venv = cache / f"venv-{environment_key(interpreter, source_key, spec.pip)}"
    ready = venv / ".ab-ready"
    if ready.exists():
        log(f"reusing {venv.name} for {spec.text or 'the working tree'}")
    else:
        log(f"building {venv.name} for {spec.text or 'the working tree'} with {interpreter}")
        shutil.rmtree(venv, ignore_errors=True)
        try:
            create_venv(interpreter, venv, source, spec.pip)
            ready.write_text(spec.text + "\n", encoding="utf-8")
        except BaseException:  # a stopped or failed build leaves no half-built environment
            shutil.rmtree(venv, ignore_errors=True)
            raise
    python = venv_python(venv)
    version = _run(
        [str(python), "-c", "import platform; print(platform.python_version())"], "python"
    )
    return Environment(spec, python, source, suite_identity, version)
