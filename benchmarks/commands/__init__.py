"""Commands: one module per verb of ``python -m benchmarks``, holding argument handling only."""
