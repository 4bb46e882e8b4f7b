"""Per-shard time of the PR gate on instructions: the action's measure mode, one shard per
family, each with a fresh environment cache (a fresh runner), then compare mode once."""
import json, os, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, "/work/count")
from tests.test_action_acceptance import anyio_copy
from tests.action_support import action_environ

root = Path(sys.argv[1]); root.mkdir(parents=True)
main, slower = anyio_copy(root / "anyio-main", False), anyio_copy(root / "anyio-slower", True)
workspace = root / "workspace"; workspace.mkdir()
shards = ["protocol.*", "generators.*", "io.*", "concurrency.*", "streams.*"]
times = {}
for shard in shards:
    name = shard.split(".")[0]
    inputs = {"baseline": f"pip={main}", "candidate": f"pip={slower}", "workloads": shard,
              "measure": "instructions", "mode": "measure", "shard": name, "results": "out",
              "cache": "false", "cache-dir": str(root / f"cache-{name}")}
    env = action_environ(inputs)
    env["PYTHONPATH"] = "/work/count"
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "benchmarks.running.action"], cwd=workspace, env=env,
                          capture_output=True, text=True)
    times[shard] = time.monotonic() - start
    (root / f"{name}.log").write_text(done.stdout + done.stderr)
    print(shard, "exit", done.returncode, f"{times[shard]:.0f} s", flush=True)
env = action_environ({"mode": "compare", "results": "out", "measure": "instructions"})
env["PYTHONPATH"] = "/work/count"
start = time.monotonic()
done = subprocess.run([sys.executable, "-m", "benchmarks.running.action"], cwd=workspace, env=env,
                      capture_output=True, text=True)
(root / "compare.log").write_text(done.stdout + done.stderr)
print("compare exit", done.returncode, f"{time.monotonic() - start:.0f} s")
(root / "times.json").write_text(json.dumps(times, indent=1))
