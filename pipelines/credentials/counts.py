"""Credentials earned per achievement and school, hub or country: earners, imported, schools."""

from __future__ import annotations

import polars as pl


def counts(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Per ``keys`` and achievement: its name, earners, imported credentials and schools."""
    return (
        frame.group_by(*keys, "achievement")
        .agg(
            pl.col("achievement_name").drop_nulls().first(),
            pl.len().cast(pl.Int64).alias("earned"),
            pl.col("imported").sum().cast(pl.Int64).alias("imported"),
            pl.col("school").drop_nulls().n_unique().cast(pl.Int64).alias("schools"),
        )
        .sort(*keys, "achievement")
    )
