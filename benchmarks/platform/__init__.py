"""Where it runs: the runtime registry with its native adapters, interpreters, environments."""
