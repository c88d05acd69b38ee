"""marathon: the shared core of the aggregator (model, config, store, errors, CLI, demo network)."""

__version__ = "0.1.0"
