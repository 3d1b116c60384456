"""Pairwise comparison of a country's hubs (maturity, school-weighted), with 95% Welch intervals."""

from __future__ import annotations

import polars as pl

from pipelines.core import stable
from pipelines.core.intervals import welch
from pipelines.core.suppression import withhold_few_schools
from pipelines.rollups.maturity import CELL, with_registry

# a spread (and so an interval) needs two schools whatever LAT_MIN_SCHOOLS says
SPREAD = 2


def compare_hubs(area_state: pl.LazyFrame, schools: pl.LazyFrame, min_cell_size: int, min_schools: int) -> pl.LazyFrame:
    """maturity_hub_comparison: each pair of hubs of a country, school-weighted.

    difference = hub_a's mean of school means minus hub_b's, with a 95% Welch interval over
    the two hubs' school means (school cells with figures only). Suppressed when either hub
    has fewer than ``min_schools`` (and fewer than two) such schools.
    """
    cells = with_registry(area_state, schools, "hub", min_cell_size).filter("shown")
    school_mean = pl.col("score_sum") / pl.col("answers")
    per_hub = cells.group_by(["country", "hub", *CELL]).agg(
        pl.len().cast(pl.Int64).alias("schools"), stable.mean(school_mean).alias("mean"), stable.var(school_mean).alias("var")
    )
    a = per_hub.rename({"hub": "hub_a", "schools": "schools_a", "mean": "mean_a", "var": "var_a"})
    b = per_hub.rename({"hub": "hub_b", "schools": "schools_b", "mean": "mean_b", "var": "var_b"})
    figures = ["difference", "ci_low", "ci_high", "significant"]
    compared = (
        a.join(b, on=["country", *CELL])
        .filter(pl.col("hub_a") < pl.col("hub_b"))
        .with_columns(welch("mean_a", "var_a", "schools_a", "mean_b", "var_b", "schools_b", name="difference"))
        .with_columns(pl.min_horizontal("schools_a", "schools_b").alias("_fewer"))
    )
    published = withhold_few_schools(compared, schools="_fewer", values=figures, min_schools=max(SPREAD, min_schools))
    return published.select("country", *CELL, "hub_a", "hub_b", "schools_a", "schools_b", *figures, "suppressed", "suppressed_reason")
