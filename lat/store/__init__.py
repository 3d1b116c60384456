"""The DuckDB store: its schema, the one writer, known ids, voiding, the row rule, published
marts and what the store holds (status)."""
