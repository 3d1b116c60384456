"""Pairwise comparison of a country's hubs (maturity, school-weighted), with 95% Welch intervals."""

from __future__ import annotations

import polars as pl

from pipelines.core.intervals import welch
from pipelines.rollups.maturity import CELL, with_registry


def compare_hubs(area_state: pl.LazyFrame, schools: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_hub_comparison: each pair of hubs of a country, school-weighted.

    difference = hub_a's mean of school means minus hub_b's, with a 95% Welch interval over
    the two hubs' unsuppressed school means. Suppressed when either hub has fewer than two
    such schools (no spread to estimate).
    """
    cells = with_registry(area_state, schools, "hub").filter(pl.col("n") >= min_cell_size)
    per_hub = cells.group_by(["country", "hub", *CELL]).agg(
        pl.len().cast(pl.Int64).alias("schools"),
        (pl.col("score_sum") / pl.col("answers")).mean().alias("mean"),
        (pl.col("score_sum") / pl.col("answers")).var(ddof=1).alias("var"),
    )
    a = per_hub.rename({"hub": "hub_a", "schools": "schools_a", "mean": "mean_a", "var": "var_a"})
    b = per_hub.rename({"hub": "hub_b", "schools": "schools_b", "mean": "mean_b", "var": "var_b"})
    hidden = (pl.col("schools_a") < 2) | (pl.col("schools_b") < 2)
    figures = ["difference", "ci_low", "ci_high", "significant"]
    return (
        a.join(b, on=["country", *CELL])
        .filter(pl.col("hub_a") < pl.col("hub_b"))
        .with_columns(welch("mean_a", "var_a", "schools_a", "mean_b", "var_b", "schools_b", name="difference"))
        .with_columns(*[pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in figures], hidden.alias("suppressed"))
        .select("country", *CELL, "hub_a", "hub_b", "schools_a", "schools_b", *figures, "suppressed")
    )
