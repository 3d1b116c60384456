"""The order of self-assessment rounds: by when each started (its first answer), then label."""

from __future__ import annotations

import polars as pl


def round_state(answers: pl.LazyFrame) -> pl.LazyFrame:
    """When each school's round started (its first answer): rounds are ordered by it."""
    return answers.group_by(["school", "round"]).agg(pl.col("timestamp").min().alias("first_answer"))


def round_order(rounds: pl.LazyFrame) -> pl.LazyFrame:
    """round -> order (0, 1, ...), by the first answer of the round anywhere, then label."""
    return (
        rounds.group_by("round")
        .agg(pl.col("first_answer").min())
        .sort(["first_answer", "round"])
        .with_row_index("round_order")
        .select("round", pl.col("round_order").cast(pl.Int64))
    )
