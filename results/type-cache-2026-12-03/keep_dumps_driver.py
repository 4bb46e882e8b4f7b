"""Run one A/A' (shlex) pair on uvloop as calibrate does, keeping every callgrind dump and report."""
import json, shutil, sys, types
from pathlib import Path
from benchmarks.running import counting, sensitivity

KEEP = Path("/work/shlex/keep")
orig_report_counts = counting.report_counts
def report_counts(report, folder):
    dest = KEEP / folder.name
    n = 0
    while (KEEP / f"{folder.name}.{n}").exists():
        n += 1
    dest = KEEP / f"{folder.name}.{n}"
    shutil.copytree(folder, dest)
    (dest / "report.json").write_text(json.dumps(report))
    return orig_report_counts(report, folder)
counting.report_counts = report_counts
sensitivity.HISTORY_MODULES = ("shlex",) * 10
sys.exit(sensitivity.main(sys.argv[1:]))
