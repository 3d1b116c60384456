"""Credentials earned: one per earner and achievement (the first earned statement), whether it
was imported from another provider, and who issued it."""

from __future__ import annotations

import polars as pl

IMPORT_PREFIX = "credential import: "
AWARD_SOURCE = "lat credentials award"  # lat.credentials.award.SOURCE


def earned(statements: pl.LazyFrame) -> pl.LazyFrame:
    """One row per earner and achievement: the first earned statement (earliest timestamp, ties
    the earlier stored), with the school and hub the statements are attributed to. Earning the
    same badge again changes nothing: it is one credential, held since the first time."""
    return (
        statements.sort("timestamp", "stored", maintain_order=True)
        .group_by("actor_key", "object_id")
        .agg(pl.col("school").drop_nulls().first(), pl.col("hub").drop_nulls().first(), pl.col("timestamp").first(), pl.col("source").first())
        .with_columns(pl.col("source").fill_null("").str.starts_with(IMPORT_PREFIX).alias("imported"))
        .rename({"object_id": "achievement"})
    )


def issued_by() -> pl.Expr:
    """'this hub' for awards, the issuer id for imports, 'xAPI source' for badges other tools reported."""
    return (
        pl.when(pl.col("source") == AWARD_SOURCE)
        .then(pl.lit("this hub"))
        .when(pl.col("imported"))
        .then(pl.col("source").str.strip_prefix(IMPORT_PREFIX))
        .otherwise(pl.lit("xAPI source"))
    )
