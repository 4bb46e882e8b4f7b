"""The job matrix of the sharded gate (``.github/workflows/ab-shards.yml``): one shard per
workload pattern x runtime.

The gate counts every benchmark in three layouts (``ab --count-layouts``, docs/instructions.md,
"Layouts"), three times the counting of one, so a shard holds one family on one runtime to stay
under ten minutes on a runner's core. Runtimes are the action's ``runtimes`` input (spaces or
commas between the names; empty, the registry's default runtimes); patterns are the ``shards``
input, a JSON list. Run in the workflow's plan job, before anything is installed: this module and
the registry it reads import nothing outside the standard library.

``python -m benchmarks.running.shard_plan`` reads ``INPUT_SHARDS`` and ``INPUT_RUNTIMES`` and
writes ``matrix=<JSON>`` (``{"include": [{"workloads": ..., "runtime": ..., "shard": ...}]}``) to
``$GITHUB_OUTPUT``, or to standard output outside Actions. Bad input is one line and exit 2.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence

from benchmarks.platform.runtimes import DEFAULT_RUNTIMES, RUNTIMES

#: What a shard's folder (and artifact) name may hold.
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class PlanError(Exception):
    """The inputs cannot make a matrix; the message is one line."""


def runtimes_of(text: str) -> tuple[str, ...]:
    """The runtimes named in ``text`` (spaces, commas or newlines between them), in order and
    without repeats; the registry's default runtimes when ``text`` is empty."""
    names = tuple(dict.fromkeys(word for word in re.split(r"[\s,]+", text) if word))
    check_runtimes(names)
    return names or DEFAULT_RUNTIMES


def check_runtimes(names: Sequence[str]) -> None:
    """Refuse a name the registry does not know (the action's ``runtimes`` input, too)."""
    for name in names:
        if name not in RUNTIMES:
            raise PlanError(f"runtimes: unknown runtime {name!r}; valid: {', '.join(RUNTIMES)}")


def patterns_of(text: str) -> tuple[str, ...]:
    """The workload patterns of the ``shards`` input: a non-empty JSON list of distinct strings."""
    try:
        patterns = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"shards: not JSON ({exc.msg}); give a list such as "
                        '["protocol.*", "streams.*"]') from None  # fmt: skip
    if not isinstance(patterns, list) or not patterns:
        raise PlanError('shards: give a non-empty JSON list of workload patterns, e.g. ["io.*"]')
    if not all(isinstance(p, str) and p.strip() for p in patterns):
        raise PlanError("shards: every entry must be a non-empty workload pattern (a string)")
    if len(set(patterns)) != len(patterns):
        raise PlanError("shards: a pattern is listed twice; each shard must be distinct")
    return tuple(patterns)


def shard_name(pattern: str, runtime: str) -> str:
    """The folder and artifact name of one shard: ``protocol_trio`` for ``protocol.*`` on trio."""
    family = UNSAFE.sub("_", pattern.removesuffix(".*")).strip("._-") or "all"
    return f"{family}_{runtime}"


def matrix(patterns: Sequence[str], runtimes: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    """One entry per pattern x runtime, patterns outermost; names are unique."""
    include = [
        {"workloads": pattern, "runtime": runtime, "shard": shard_name(pattern, runtime)}
        for pattern in patterns
        for runtime in runtimes
    ]
    names = [entry["shard"] for entry in include]
    if len(set(names)) != len(names):
        raise PlanError("shards: two patterns give the same shard name; make them differ in "
                        "letters or digits")  # fmt: skip
    return {"include": include}


def main(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        plan = matrix(
            patterns_of(environ.get("INPUT_SHARDS", "")),
            runtimes_of(environ.get("INPUT_RUNTIMES", "")),
        )
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    line = "matrix=" + json.dumps(plan, separators=(",", ":"))
    output = environ.get("GITHUB_OUTPUT", "")
    if output:
        try:
            with open(output, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            print(f"error: cannot write GITHUB_OUTPUT {output}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
