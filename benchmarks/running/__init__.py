"""How it is run: the harness, the worker, the scheduler, its blocks and measures, the callers."""
