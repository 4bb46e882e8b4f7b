"""Workload modules, one per workload, grouped by family (one sub-package per family).

A module ``benchmarks.measured.workloads.<family>.<workload>`` defines ``WORKLOAD``, whose ``name``
is ``<family>.<workload>``. Modules import only what they measure (anyio and the standard library,
plus the third-party library a variant exists to measure).
"""
