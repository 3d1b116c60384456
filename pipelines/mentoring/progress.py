"""Mentoring progress per mentee school, as of any date (see docs/indicators.md, "Mentoring progress").

Pure functions: LazyFrames in (the statements and the registry tables), a LazyFrame out.
Dates are UTC calendar days; a statement counts for ``as_of`` when its timestamp falls on
or before that day.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.mentoring.events import PHASE_INDEX, event_counts, mentee_schools, mentoring_events, teachers_mapped, teachers_reached

_COUNTS = ("meetings", "meetings_this_month", "goals_set", "goals_achieved", "steps_planned", "steps_completed", "observations")


def progress(
    statements: pl.LazyFrame,
    schools: pl.LazyFrame,
    people: pl.LazyFrame,
    mentoring: pl.LazyFrame,
    as_of: dt.date,
) -> pl.LazyFrame:
    """The progress of every mentee school as of ``as_of`` (see docs/indicators.md)."""
    events = mentoring_events(statements)
    registered = schools.select(
        pl.col("school_id").alias("school"), pl.col("name").alias("school_name"), pl.col("hub"), pl.col("teachers").cast(pl.Int64).alias("teachers_registered")
    )
    frame = (
        mentee_schools(mentoring, as_of)
        .join(registered, on="school", how="left")
        .join(event_counts(events, as_of), on="school", how="left")
        .join(teachers_mapped(people), on="school", how="left")
        .join(teachers_reached(events, people, as_of), on="school", how="left")
        .with_columns(
            *(pl.col(c).fill_null(0).cast(pl.Int64) for c in _COUNTS),
            pl.col("teachers_mapped").fill_null(0),
            pl.col("teachers_reached").fill_null(0),
        )
    )
    return (
        frame.with_columns(
            pl.lit(as_of).alias("as_of"),
            _share("teachers_reached", "teachers_registered", when=pl.col("teachers_mapped") > 0).alias("teacher_share"),
            _share("steps_completed", "steps_planned").alias("steps_share"),
            (pl.lit(as_of) - pl.col("last_contact")).dt.total_days().cast(pl.Int64).alias("days_since_contact"),
            (pl.lit(as_of) - pl.col("mentoring_start")).dt.total_days().cast(pl.Int64).alias("days_in_mentoring"),
            pl.col("phase_index").replace_strict({v: k for k, v in PHASE_INDEX.items()}, default=None, return_dtype=pl.String).alias("phase_reached"),
        )
        .select(PROGRESS_COLUMNS)
        .sort("school")
    )


def _share(numerator: str, denominator: str, when: pl.Expr | None = None) -> pl.Expr:
    """numerator / denominator, null when the denominator is 0 or missing (or ``when`` fails)."""
    ok = pl.col(denominator).fill_null(0) > 0
    if when is not None:
        ok = ok & when
    return pl.when(ok).then(pl.col(numerator) / pl.col(denominator)).otherwise(None)


PROGRESS_COLUMNS = [
    "as_of", "school", "school_name", "hub", "mentors", "mentoring_start", "mentoring_end", "days_in_mentoring",
    "meetings", "meetings_this_month", "teachers_registered", "teachers_mapped", "teachers_reached", "teacher_share",
    "goals_set", "goals_achieved", "steps_planned", "steps_completed", "steps_share", "observations",
    "last_contact", "days_since_contact", "phase_index", "phase_reached",
]  # fmt: skip
