"""Layer 1, loading: the only reader of results files, into one tidy frame."""
