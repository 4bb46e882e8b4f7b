"""The GitHub Action and the workflows: actionlint, GitHub's schemas, official actions only, the
shape of the A/B gate, the history's data branch, and the examples a maintainer copies."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from benchmarks.measured import catalog
from benchmarks.platform.runtimes import RUNTIMES
from benchmarks.running import action, counting
from tests.conftest import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
EXAMPLES = REPO_ROOT / "examples" / "workflows"
ACTION = REPO_ROOT / "action.yml"
OFFICIAL = re.compile(
    r"^actions/(checkout|setup-python|upload-artifact|download-artifact|cache(/restore|/save)?"
    r"|configure-pages|upload-pages-artifact|deploy-pages)@v\d+$"
)
#: This repository's action and reusable workflow, as the examples name them.
PUBLISHED = re.compile(r"^OWNER/async-iteration-bench(/\.github/workflows/ab-shards\.yml)?@v\d+$")
#: This repository's own action and workflow, from a checkout of it.
LOCAL = ("./.aiter-bench/suite", "./.github/workflows/ab-shards.yml")


def script(name: str) -> str | None:
    """A console script of this interpreter's environment, or from PATH."""
    local = Path(sysconfig.get_path("scripts")) / name
    return str(local) if local.exists() else shutil.which(name)


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yml"))


def steps_of(document: Any) -> list[dict[str, Any]]:
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def uses_of(document: Any) -> list[str]:
    jobs = document.get("jobs", {}).values()
    return [s["uses"] for s in steps_of(document) if "uses" in s] + [
        job["uses"] for job in jobs if "uses" in job
    ]


def job_step(path: Path, job: str, name: str) -> dict[str, Any]:
    steps = load(path)["jobs"][job]["steps"]
    return next(step for step in steps if step.get("name") == name)


# --- lint and schemas --------------------------------------------------------------------------


def test_actionlint_finds_nothing() -> None:
    binary = script("actionlint")
    if binary is None:
        pytest.skip(
            "actionlint is not installed (the workflows extra has no wheel for this platform)"
        )
    files = [str(p) for p in workflow_files() + example_files()]
    assert len(files) == 7  # bench, tests, ab-shards; trio, anyio, uvloop, cpython
    completed = subprocess.run([binary, *files], capture_output=True, text=True, cwd=REPO_ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.github-actions", lambda: [ACTION]),
        ("vendor.github-workflows", lambda: workflow_files() + example_files()),
    ],
    ids=["action", "workflows"],
)
def test_github_schemas_accept_the_files(schema: str, paths: Any) -> None:
    binary = script("check-jsonschema")
    if binary is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[workflows]')")
    files = [str(p) for p in paths()]
    completed = subprocess.run(
        [binary, "--builtin-schema", schema, *files], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    binary = script("check-jsonschema")
    if binary is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[workflows]')")
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION.read_text().replace("using: composite", "using: sorcery"))
    completed = subprocess.run(
        [binary, "--builtin-schema", "vendor.github-actions", str(broken)], capture_output=True
    )
    assert completed.returncode == 1


def test_only_official_actions_and_this_repository_are_used() -> None:
    for path in [ACTION, *workflow_files()]:
        used = uses_of(load(path))
        assert [u for u in used if not OFFICIAL.match(u) and u not in LOCAL] == [], path
    for path in example_files():
        used = uses_of(load(path))
        assert [u for u in used if not OFFICIAL.match(u) and not PUBLISHED.match(u)] == [], path
        assert any(PUBLISHED.match(u) for u in used), path


# --- the action's metadata and its entry script agree ------------------------------------------


def test_every_input_reaches_the_entry_script() -> None:
    document = load(ACTION)
    step = next(s for s in document["runs"]["steps"] if s.get("id") == "ab")
    passed = {k for k in step["env"] if k.startswith("INPUT_")}
    inputs = set(document["inputs"]) - {"python-version"}  # setup-python's, not the script's
    setup = next(s for s in document["runs"]["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert passed == {"INPUT_" + name.upper().replace("-", "_") for name in inputs} | {
        "INPUT_CACHE_DIR"
    }
    for name in inputs:
        assert step["env"]["INPUT_" + name.upper().replace("-", "_")] == f"${{{{ inputs.{name} }}}}"
    assert step["run"].strip("'") == '"$SUITE_PYTHON" -m benchmarks.running.action'


def test_input_defaults_are_the_entry_scripts() -> None:
    document = load(ACTION)
    assert document["inputs"]["measure"]["default"] == "instructions"
    environ = {
        "INPUT_" + name.upper().replace("-", "_"): str(spec.get("default", ""))
        for name, spec in document["inputs"].items()
        if "${{" not in str(spec.get("default", ""))
    }
    read = action.read_inputs(environ)
    assert (read.measure, read.fail_on, read.mode, read.cache) == (
        "instructions",
        "regression",
        "ab",
        True,
    )
    assert document["inputs"]["measure"]["default"] in action.MEASURES
    assert document["inputs"]["mode"]["default"] in action.MODES
    assert document["inputs"]["fail-on"]["default"] in action.FAIL_ON


def test_outputs_are_the_ones_the_entry_script_writes() -> None:
    outputs = load(ACTION)["outputs"]
    assert set(outputs) == {
        "verdict",
        "regressions",
        "headline",
        "compare-json",
        "compare-md",
        "results",
    }
    for name, spec in outputs.items():
        assert spec["value"] == f"${{{{ steps.ab.outputs.{name} }}}}"
    for verdict in action.VERDICTS:
        assert f"`{verdict}`" in outputs["verdict"]["description"]


def test_valgrind_is_installed_only_when_instructions_are_counted() -> None:
    step = next(s for s in steps_of(load(ACTION)) if "valgrind" in s.get("run", ""))
    assert step["if"] == "inputs.mode != 'compare' && inputs.measure != 'time'"
    assert "sudo apt-get install -y -q valgrind" in step["run"]


def test_the_environments_are_cached_where_the_entry_script_builds_them() -> None:
    steps = steps_of(load(ACTION))
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    entry = next(s for s in steps if s.get("id") == "ab")
    assert cache["with"]["path"] == entry["env"]["INPUT_CACHE_DIR"]
    assert cache["with"]["key"] == "${{ steps.cache-key.outputs.key }}"
    assert cache["with"]["restore-keys"] == "${{ steps.cache-key.outputs.prefix }}-"


# --- workflows ---------------------------------------------------------------------------------


def test_tests_run_the_readme_command_on_every_supported_python() -> None:
    text = (WORKFLOWS / "tests.yml").read_text(encoding="utf-8")
    assert "python3 -m pip install nox uv && python3 -m nox -s tests" in text
    assert 'python-version: ["3.10", "3.11", "3.12", "3.13"]' in text
    assert "apt-get install -y -q valgrind" in text
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m pip install nox uv && python3 -m nox -s tests" in readme


def test_the_reusable_workflow_shards_every_family_then_compares_once() -> None:
    document = load(WORKFLOWS / "ab-shards.yml")
    assert set(document["on"]) == {"workflow_call"}
    shards = YAML(typ="safe").load(document["on"]["workflow_call"]["inputs"]["shards"]["default"])
    families = sorted({w.family for w in catalog.all_workloads()})
    assert sorted(s.removesuffix(".*") for s in shards) == families
    plan, shard, compare = (document["jobs"][j] for j in ("plan", "shard", "compare"))
    planning = next(s for s in plan["steps"] if s.get("id") == "plan")
    assert planning["run"] == "python -m benchmarks.running.shard_plan"
    assert planning["env"] == {
        "INPUT_SHARDS": "${{ inputs.shards }}",
        "INPUT_RUNTIMES": "${{ inputs.runtimes }}",
    }
    assert plan["outputs"]["matrix"] == "${{ steps.plan.outputs.matrix }}"
    assert shard["needs"] == "plan"
    assert shard["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    measure = next(s for s in shard["steps"] if s.get("uses") == "./.aiter-bench/suite")
    assert measure["with"]["mode"] == "measure"
    assert measure["with"]["workloads"] == "${{ matrix.workloads }}"
    assert measure["with"]["runtimes"] == "${{ matrix.runtime }}"  # one runtime per shard
    assert measure["with"]["shard"] == "${{ matrix.shard }}"
    upload = next(s for s in shard["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == "${{ inputs.name }}-shard-${{ matrix.shard }}"
    assert compare["needs"] == "shard"
    download = next(s for s in compare["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["merge-multiple"] is True
    modes = [s["with"]["mode"] for s in steps_of(document) if s.get("uses") in LOCAL]
    assert modes == ["measure", "compare"]


def test_pull_requests_gate_on_instructions_and_show_wall_time() -> None:
    jobs = load(WORKFLOWS / "bench.yml")["jobs"]
    calls = {
        name: job["with"]
        for name, job in jobs.items()
        if job.get("uses") == "./.github/workflows/ab-shards.yml"
    }
    assert calls["gate"]["measure"] == "instructions"
    assert calls["gate"]["fail-on"] == "regression"
    assert calls["wall-time"]["measure"] == "time"
    assert calls["wall-time"]["fail-on"] == "never"
    assert {c["name"] for c in calls.values()} == {"instructions", "time"}  # distinct artifacts
    for call in calls.values():
        assert call["suite-repository"] == "${{ github.repository }}"
        assert call["baseline"] == "ref=${{ github.event.pull_request.base.sha }}"
        assert "shards" not in call  # every family
    for name in ("gate", "wall-time"):
        assert jobs[name]["if"] == "github.event_name == 'pull_request'"


def test_the_nightly_history_counts_in_the_gates_layouts() -> None:
    """Every nightly run is another suite commit: its counts take the gate's layouts, so a
    collision in the type attribute cache of one commit is not a change point."""
    text = (WORKFLOWS / "bench.yml").read_text(encoding="utf-8")
    assert f"--measure both --count-layouts {counting.GATE_LAYOUTS}" in text


def test_the_history_lives_in_a_data_branch_not_a_cache() -> None:
    document = load(WORKFLOWS / "bench.yml")
    history = document["jobs"]["history"]
    assert history["permissions"] == {"contents": "write"}
    assert document["env"]["DATA_BRANCH"] == "bench-data"
    assert not [u for u in uses_of(document) if u.startswith("actions/cache")]
    for action_name in ("configure-pages", "upload-pages-artifact", "deploy-pages"):
        assert any(u.startswith(f"actions/{action_name}@") for u in uses_of(document))


# The two shell steps of the history job, run against a local "origin".


def sh(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of a one-commit repository whose ``origin`` is a local bare repository."""
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    sh("git", "init", "-q", "--bare", str(origin), cwd=tmp_path)
    sh("git", "clone", "-q", str(origin), str(work), cwd=tmp_path)
    (work / "README").write_text("main\n")
    ident = ["-c", "user.name=t", "-c", "user.email=t@t"]
    sh("git", "add", "README", cwd=work)
    sh("git", *ident, "commit", "-q", "-m", "main", cwd=work)
    sh("git", "push", "-q", "origin", "HEAD:refs/heads/main", cwd=work)
    return work


def history_step(name: str, clone: Path, **env: str) -> subprocess.CompletedProcess[str]:
    step = job_step(WORKFLOWS / "bench.yml", "history", name)
    environ = dict(os.environ, DATA_BRANCH="bench-data", GITHUB_SHA="0" * 40, **env)
    return sh("bash", "-e", "-c", step["run"], cwd=clone, env=environ)


RESTORE = "Restore the runs measured so far (data branch)"
KEEP = "Keep the run in the data branch (its results, not its report)"


def test_a_missing_history_fails_loudly(clone: Path) -> None:
    completed = history_step(RESTORE, clone, START_HISTORY="false")
    assert completed.returncode == 1
    assert "::error title=history missing::branch bench-data is missing" in completed.stdout
    assert not (clone / "history").exists()


def test_the_history_is_started_by_hand_then_kept_and_restored(clone: Path) -> None:
    started = history_step(RESTORE, clone, START_HISTORY="true")
    assert started.returncode == 0, started.stdout + started.stderr
    run_dir = clone / "results" / "nightly" / "2030-01-01T000000_abc"
    (run_dir / "report").mkdir(parents=True)
    (run_dir / "asyncio.json").write_text("{}")
    (run_dir / "report" / "report.html").write_text("<html>")
    (run_dir / ".lock").write_text("1")
    kept = history_step(KEEP, clone, RUN_DIR=str(run_dir.relative_to(clone)))
    assert kept.returncode == 0, kept.stdout + kept.stderr
    sh("git", "fetch", "-q", "origin", cwd=clone)
    listed = sh("git", "ls-tree", "-r", "--name-only", "origin/bench-data", cwd=clone)
    assert listed.stdout.split() == ["runs/2030-01-01T000000_abc/asyncio.json"]
    # the next night, in a fresh clone, restores it
    fresh = clone.parent / "fresh"
    sh("git", "clone", "-q", str(clone.parent / "origin.git"), str(fresh), cwd=clone.parent)
    restored = history_step(RESTORE, fresh, START_HISTORY="false")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert (fresh / "history" / "runs" / "2030-01-01T000000_abc" / "asyncio.json").exists()
    assert "restored 1 runs from bench-data" in restored.stdout


def test_a_data_branch_without_runs_fails_loudly(clone: Path) -> None:
    ident = ["-c", "user.name=t", "-c", "user.email=t@t"]
    sh("git", "checkout", "-q", "--orphan", "bench-data", cwd=clone)
    sh("git", *ident, "commit", "-q", "--allow-empty", "-m", "empty", cwd=clone)
    sh("git", "push", "-q", "origin", "bench-data", cwd=clone)
    sh("git", "checkout", "-q", "main", cwd=clone)
    completed = history_step(RESTORE, clone, START_HISTORY="false")
    assert completed.returncode == 1
    assert "branch bench-data holds no runs/" in completed.stdout


# --- the examples ------------------------------------------------------------------------------


def example_action(name: str) -> dict[str, Any]:
    steps = steps_of(load(EXAMPLES / name))
    return next(s for s in steps if PUBLISHED.match(s.get("uses", "")))


def test_trio_is_gated_on_protocol_and_streams_on_trio() -> None:
    given = example_action("trio.yml")["with"]
    assert given == {"runtimes": "trio", "workloads": "protocol.* streams.*"}
    assert action.read_inputs(
        {"INPUT_RUNTIMES": given["runtimes"], "INPUT_WORKLOADS": given["workloads"]}
    ).workloads == ("protocol.*", "streams.*")


def test_anyio_runs_every_runtime_through_the_shards() -> None:
    job = load(EXAMPLES / "anyio.yml")["jobs"]["ab"]
    assert job["uses"].startswith("OWNER/async-iteration-bench/.github/workflows/ab-shards.yml@")
    assert sorted(job["with"]["runtimes"].split()) == sorted(RUNTIMES)
    assert "shards" not in job["with"]  # every family


def test_uvloop_runs_on_uvloop_with_its_submodules() -> None:
    assert example_action("uvloop.yml")["with"] == {"runtimes": "uvloop"}
    checkout = steps_of(load(EXAMPLES / "uvloop.yml"))[0]
    assert checkout["with"]["submodules"] == "recursive"
    assert checkout["with"]["fetch-depth"] == 0


def test_cpython_compares_two_builds_through_python_specs() -> None:
    given = example_action("cpython.yml")["with"]
    assert given["baseline"] == "python=${{ runner.temp }}/py-base/bin/python3"
    assert given["candidate"] == "python=${{ runner.temp }}/py-head/bin/python3"
    branches = load(EXAMPLES / "cpython.yml")["on"]["pull_request"]["branches"]
    assert set(branches) <= {"3.10", "3.11", "3.12", "3.13"}  # the suite's supported Pythons


# --- the documentation -------------------------------------------------------------------------

DOCS = REPO_ROOT / "docs" / "github-action.md"
SNIPPET = re.compile(r'^--8<-- "([^"]+)"$', re.MULTILINE)


def test_the_docs_include_every_example_from_its_file() -> None:
    included = SNIPPET.findall(DOCS.read_text(encoding="utf-8"))
    expected = [str(p.relative_to(REPO_ROOT)) for p in example_files()]
    assert sorted(included) == expected  # included, not copied; each once
    assert all((REPO_ROOT / path).is_file() for path in included)


def test_the_docs_tables_name_every_input_and_output() -> None:
    text = DOCS.read_text(encoding="utf-8")
    document = load(ACTION)
    rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| `")}
    assert {f"`{name}`" for name in document["inputs"]} <= rows
    assert {f"`{name}`" for name in document["outputs"]} <= rows
    # the calibrated rates, linked to the calibration they come from
    assert "10 A/A pairs" in text and "(instructions.md)" in text


def test_pushes_and_nightly_deploy_the_documentation_site_to_pages() -> None:
    document = load(WORKFLOWS / "bench.yml")
    assert {"push", "schedule"} <= set(document["on"])
    assert document["on"]["push"]["branches"] == ["main"]
    steps = document["jobs"]["history"]["steps"]
    build = next(s for s in steps if "mkdocs build" in s.get("run", ""))
    assert "python3 -m mkdocs build --strict -d site" in build["run"]
    assert (
        "analysis.rendering.published_page docs/published.md" in build["run"]
    )  # the new run is listed
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert steps.index(build) < steps.index(upload)
    deploy = document["jobs"]["deploy"]
    assert deploy["needs"] == "history"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
