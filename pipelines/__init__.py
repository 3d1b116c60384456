"""Polars indicator pipelines: statements (DuckDB, via Arrow) -> indicator marts."""
