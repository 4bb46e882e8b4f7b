"""Where results go: run folders, the suite's identity, clean stops, scratch folders."""
