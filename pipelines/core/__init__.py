"""The shared core: reading the store, the small-cell rule, the catalogue of marts and
definitions, and ``lat compute`` itself."""
