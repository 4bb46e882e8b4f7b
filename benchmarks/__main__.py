"""``python -m benchmarks``: see :mod:`benchmarks.cli`.

SIGINT is handled before anything else is imported
(:func:`benchmarks.storage.interrupt.stop_during_startup`): a Ctrl-C during the start-up imports
ends the command with one line and exit code 130, never a traceback. Output to a closed pipe
(``list | head -1``) ends quietly.
"""

import signal
import sys

from benchmarks.storage.interrupt import quiet_exit, stop_during_startup

previous = signal.signal(signal.SIGINT, stop_during_startup)
from benchmarks.cli import main  # noqa: E402 (after the handler, on purpose)

signal.signal(signal.SIGINT, previous)
with quiet_exit():
    sys.exit(main())
