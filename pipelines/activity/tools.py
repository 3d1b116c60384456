"""Digital tools in use per school and month: distinct activity types, and completions.

Only registry schools are listed, as in ``activity_weekly``: a school id the registry does
not know names no school of the pilot (no hub, no head count, no one whose scope holds it).
"""

from __future__ import annotations

import polars as pl

from pipelines.activity.completions import completed


def monthly_types(activity: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, month and activity type (not null): completions.
    (``lat compute`` gets the same from DuckDB: :func:`pipelines.activity.family.monthly_types_sql`.)"""
    return (
        activity.filter(pl.col("activity_type").is_not_null())
        .group_by("school", pl.col("timestamp").dt.month_start().dt.date().alias("month"), "activity_type")
        .agg(completed().alias("completions"))
    )


def tools_monthly(activity: pl.LazyFrame, schools: pl.LazyFrame) -> pl.LazyFrame:
    """Per registry school and month: distinct activity types in use, and their short names."""
    return tools_from_types(monthly_types(activity), schools)


def tools_from_types(types: pl.LazyFrame, schools: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`tools_monthly` from the per-type completions of each school and month."""
    short = pl.col("activity_type").str.strip_chars_end("/").str.split("/").list.last()
    registered = schools.select(pl.col("school_id").alias("school"))
    return (
        types.join(registered, on="school", how="semi")
        .group_by("school", "month")
        .agg(
            pl.col("activity_type").n_unique().cast(pl.Int64).alias("tools"),
            short.unique().sort().str.join(", ").alias("tool_list"),
            pl.col("completions").sum().cast(pl.Int64),
        )
        .sort("school", "month")
    )
