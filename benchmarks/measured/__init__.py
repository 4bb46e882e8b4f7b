"""What is measured: the workloads, the workload model, the catalog and the input data."""
