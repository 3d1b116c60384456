"""Mentoring meetings per mentee school and calendar month."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.mentoring.events import MEETING, mentee_schools, mentoring_events


def meetings_monthly(statements: pl.LazyFrame, mentoring: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Distinct meetings per mentee school and calendar month, zero months included.

    Months run from the first month with mentoring (its start or its first event) to the
    month of ``as_of``.
    """
    events = mentoring_events(statements).filter(pl.col("day") <= as_of)
    meetings = (
        events.filter(pl.col("kind") == MEETING)
        .group_by("school", pl.col("day").dt.month_start().alias("month"))
        .agg(pl.col("object_id").drop_nulls().n_unique().cast(pl.Int64).alias("meetings"))
    )
    first_event = events.group_by("school").agg(pl.col("day").min().alias("first_event"))
    spans = (
        mentee_schools(mentoring, as_of)
        .join(first_event, on="school", how="left")
        .select("school", pl.min_horizontal("mentoring_start", "first_event").fill_null(as_of).dt.month_start().alias("first"))
    )
    grid = spans.with_columns(pl.date_ranges("first", pl.lit(as_of).dt.month_start(), "1mo").alias("month")).explode("month").select("school", "month")
    return grid.join(meetings, on=["school", "month"], how="left").with_columns(pl.col("meetings").fill_null(0)).sort("school", "month")
