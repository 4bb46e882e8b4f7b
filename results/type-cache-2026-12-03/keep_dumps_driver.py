"""Run one A/A' (shlex) pair on uvloop as calibrate does, keeping every dump and report.

Run from the suite's folder with PYTHONPATH set to it:
``PYTHONPATH=. python keep_dumps_driver.py --measure instructions --pairs 1 --kinds "A/A'" ...``
"""

import json
import shutil
import sys
from pathlib import Path

from benchmarks.running import counting, sensitivity

KEEP = Path("/work/shlex/keep")
original_report_counts = counting.report_counts


def report_counts(report, folder):
    """Copy the process's callgrind files and report aside before they are read and removed."""
    n = 0
    while (KEEP / f"{folder.name}.{n}").exists():
        n += 1
    dest = KEEP / f"{folder.name}.{n}"
    shutil.copytree(folder, dest)
    (dest / "report.json").write_text(json.dumps(report))
    return original_report_counts(report, folder)


counting.report_counts = report_counts
sensitivity.HISTORY_MODULES = ("shlex",) * 10
sys.exit(sensitivity.main(sys.argv[1:]))
