"""Per-cell max |ratio-1| of mean instruction counts over all pairs of run folders."""
import itertools, json, sys, statistics
from pathlib import Path

def cells(folder: Path) -> dict[str, float]:
    out = {}
    for f in sorted(folder.glob("*.instructions.json")):
        runtime = f.name.split(".")[0]
        d = json.loads(f.read_text())
        for b in d["benchmarks"]:
            name = b.get("metadata", {}).get("name") or d["metadata"].get("name")
            vals = [v for r in b["runs"] for v in r.get("values", [])]
            if vals:
                out[f"{name}@{runtime}"] = statistics.fmean(vals)
    return out

def cpu_bound(cell: str) -> bool:
    fam = cell.split(".")[0]
    return fam in ("protocol", "generators", "concurrency") or cell.startswith("streams.memory_stream")

folders = [Path(p) for p in sys.argv[1:]]
data = [cells(f) for f in folders]
common = set.intersection(*(set(d) for d in data))
worst: dict[str, tuple[float, str]] = {}
for (i, a), (j, b) in itertools.combinations(enumerate(data), 2):
    for c in common:
        r = abs(b[c] / a[c] - 1)
        if r > worst.get(c, (-1, ""))[0]:
            worst[c] = (r, f"{folders[i].name}-{folders[j].name}")
print(f"{len(common)} common cells, {sum(cpu_bound(c) for c in common)} CPU-bound")
cpu = sorted(((v, c) for c, v in worst.items() if cpu_bound(c)), reverse=True)
print("largest CPU-bound:", f"{cpu[0][0][0]*100:.4f}% {cpu[0][1]} ({cpu[0][0][1]})" if cpu and cpu[0][0][0] > 0 else "0")
for (v, pair), c in cpu:
    if v > 0:
        print(f"  CPU {v*100:.4f}% {c} {pair}")
for c, (v, pair) in sorted(worst.items(), key=lambda kv: -kv[1][0]):
    if not cpu_bound(c):
        print(f"  IO {v*100:.4f}% {c} {pair}")
