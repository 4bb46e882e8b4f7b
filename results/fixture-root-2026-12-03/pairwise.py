"""Per cell, the largest |ratio - 1| of mean instruction counts over all pairs of run folders.

``python pairwise.py A B [C ...]``: CPU-bound cells (protocol, generators, concurrency and
``streams.memory_stream``) first, then every other cell.
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
from pathlib import Path

CPU_BOUND_FAMILIES = ("protocol", "generators", "concurrency")


def mean_counts(folder: Path) -> dict[str, float]:
    """``benchmark@runtime`` -> mean instructions per item over the folder's processes."""
    means: dict[str, float] = {}
    for path in sorted(folder.glob("*.instructions.json")):
        runtime = path.name.split(".")[0]
        document = json.loads(path.read_text(encoding="utf-8"))
        for benchmark in document["benchmarks"]:
            values = [v for run in benchmark["runs"] for v in run.get("values", [])]
            if values:
                means[f"{benchmark['metadata']['name']}@{runtime}"] = statistics.fmean(values)
    return means


def cpu_bound(cell: str) -> bool:
    return cell.split(".")[0] in CPU_BOUND_FAMILIES or cell.startswith("streams.memory_stream")


def main(arguments: list[str]) -> None:
    folders = [Path(argument) for argument in arguments]
    counts = [mean_counts(folder) for folder in folders]
    common = set.intersection(*(set(c) for c in counts))
    worst: dict[str, tuple[float, str]] = {}
    for (i, first), (j, second) in itertools.combinations(enumerate(counts), 2):
        for cell in common:
            moved = abs(second[cell] / first[cell] - 1)
            if moved > worst.get(cell, (-1.0, ""))[0]:
                worst[cell] = (moved, f"{folders[i].name}-{folders[j].name}")
    print(f"{len(common)} common cells, {sum(cpu_bound(c) for c in common)} CPU-bound")
    ranked = sorted(worst.items(), key=lambda item: -item[1][0])
    cpu = [(cell, moved, pair) for cell, (moved, pair) in ranked if cpu_bound(cell)]
    top = f"{cpu[0][1]:.4%} {cpu[0][0]} ({cpu[0][2]})" if cpu and cpu[0][1] > 0 else "0"
    print("largest CPU-bound:", top)
    for cell, moved, pair in cpu:
        if moved > 0:
            print(f"  CPU {moved:.4%} {cell} {pair}")
    for cell, (moved, pair) in ranked:
        if not cpu_bound(cell):
            print(f"  IO {moved:.4%} {cell} {pair}")


if __name__ == "__main__":
    main(sys.argv[1:])
