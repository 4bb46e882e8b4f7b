"""Layer 2, the statistics core: evidence, intervals, decision rules, the report's comparisons."""
