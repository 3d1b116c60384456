"""Weekly activity per school: active teachers and students, their shares of the registered
head count, completions and the 4-week trends; student figures of small weeks withheld."""

from __future__ import annotations

import polars as pl

from pipelines.activity.completions import completed

TREND_WEEKS = 4


def with_roles(activity: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """Activity with the actor's registry role (null when the registry does not know the actor)."""
    roles = people.filter(pl.col("actor").is_not_null()).group_by(pl.col("actor").alias("actor_key")).agg(pl.col("role").min())
    return activity.join(roles, on="actor_key", how="left")


def _active(role: str) -> pl.Expr:
    return pl.col("actor_key").filter(pl.col("role") == role).drop_nulls().n_unique().cast(pl.Int64)


def weekly_counts(activity: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """Per school and week with activity: active teachers, active students, completions.
    (``lat compute`` gets the same from DuckDB: :func:`pipelines.activity.family.weekly_counts_sql`.)"""
    dated = with_roles(activity, people).with_columns(pl.col("timestamp").dt.truncate("1w").dt.date().alias("week"))
    return dated.group_by("school", "week").agg(
        _active("teacher").alias("active_teachers"), _active("student").alias("active_students"), completed().alias("completions")
    )


def weekly(activity: pl.LazyFrame, people: pl.LazyFrame, schools: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """Per school and week: active teachers/students, shares, completions, 4-week changes."""
    return weekly_from_counts(weekly_counts(activity, people), schools, min_cell_size)


def weekly_from_counts(counts: pl.LazyFrame, schools: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """:func:`weekly` from the per-week counts: every registered school, every week from the
    first to the last week with activity (zeros where none), shares, suppression, trends."""
    bounds = counts.select(pl.col("week").min().alias("first"), pl.col("week").max().alias("last"))
    weeks = bounds.select(pl.date_ranges("first", "last", "1w").alias("week")).explode("week").drop_nulls()
    registered = schools.select(pl.col("school_id").alias("school"), "hub", pl.col("teachers").cast(pl.Int64), pl.col("students").cast(pl.Int64))
    grid = registered.join(weeks, how="cross").join(counts, on=["school", "week"], how="left")
    return _trends(_suppress(_shares(grid.with_columns(pl.col("active_teachers", "active_students", "completions").fill_null(0))), min_cell_size))


def _shares(frame: pl.LazyFrame) -> pl.LazyFrame:
    def share(n: str, d: str) -> pl.Expr:
        return pl.when(pl.col(d) > 0).then(pl.col(n) / pl.col(d))

    return frame.with_columns(share("active_teachers", "teachers").alias("teacher_share"), share("active_students", "students").alias("student_share"))


def _suppress(frame: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    small = pl.col("active_students").is_between(1, min_cell_size - 1)
    return frame.with_columns(
        small.alias("students_suppressed"),
        pl.when(small).then(None).otherwise(pl.col("active_students")).alias("active_students"),
        pl.when(small).then(None).otherwise(pl.col("student_share")).alias("student_share"),
    )


def _trends(frame: pl.LazyFrame) -> pl.LazyFrame:
    ordered = frame.sort("school", "week")
    return ordered.with_columns(
        (pl.col(c) - pl.col(c).shift(TREND_WEEKS).over("school")).alias(f"{c}_change_4w") for c in ("teacher_share", "student_share")
    ).select(WEEKLY_COLUMNS)


WEEKLY_COLUMNS = [
    "school", "hub", "week", "active_teachers", "teachers", "teacher_share", "active_students", "students",
    "student_share", "students_suppressed", "completions", "teacher_share_change_4w", "student_share_change_4w",
]  # fmt: skip
