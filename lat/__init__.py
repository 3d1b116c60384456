"""Learning Analytics Toolbox: the core library (xAPI model, store, ingest, registry, export)."""

__version__ = "0.1.0"
