"""``python -m analysis``: see :mod:`analysis.cli`.

The stop signals are handled before anything else is imported (the analysis imports take
seconds): a Ctrl-C then ends the command with one line and exit code 130, never a traceback,
and output to a closed pipe (``... | head -1``) ends quietly.
"""

from __future__ import annotations

import signal
import sys

from benchmarks.storage.interrupt import quiet_exit, stop_during_startup

if __name__ == "__main__":
    previous = signal.signal(signal.SIGINT, stop_during_startup)
    from analysis.cli import main

    signal.signal(signal.SIGINT, previous)
    with quiet_exit():
        sys.exit(main())
