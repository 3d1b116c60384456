"""The mentoring log as events: which statements are mentoring events, and what they add up to.

The event table (verb and object activity type -> event kind) is in the docstring of
:mod:`pipelines.mentoring.family`. The mentee school of an event is the statement's
``school`` column. Shared by the progress rules and the stall model.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from lat.xapi import vocab

MEETING = "meeting"
GOAL_SET = "goal_set"
GOAL_ACHIEVED = "goal_achieved"
STEP_PLANNED = "step_planned"
STEP_COMPLETED = "step_completed"
OBSERVATION = "observation"

# (verb, object activity type) -> event kind
EVENT_KINDS: dict[tuple[str, str], str] = {
    (vocab.ATTENDED, vocab.MEETING): MEETING,
    (vocab.SET, vocab.GOAL): GOAL_SET,
    (vocab.ACHIEVED, vocab.GOAL): GOAL_ACHIEVED,
    (vocab.SET, vocab.OBJECTIVE): STEP_PLANNED,
    (vocab.COMPLETED, vocab.OBJECTIVE): STEP_COMPLETED,
    (vocab.OBSERVED, vocab.LESSON): OBSERVATION,
}
PHASE_INDEX: dict[str, int] = {phase: i + 1 for i, phase in enumerate(vocab.PHASES)}


def live(statements: pl.LazyFrame) -> pl.LazyFrame:
    """Statements that count: voided ones dropped (when the frame still carries ``voided``)."""
    if "voided" in statements.collect_schema().names():
        return statements.filter(~pl.col("voided").fill_null(False))
    return statements


def _kind_expr() -> pl.Expr:
    chain: Then | ChainedThen | None = None  # pl.when(...).then(...).when(...).then(...)...
    for (verb, activity_type), kind in EVENT_KINDS.items():
        condition = (pl.col("verb") == verb) & (pl.col("activity_type") == activity_type)
        chain = (pl.when(condition) if chain is None else chain.when(condition)).then(pl.lit(kind))
    assert chain is not None  # EVENT_KINDS is not empty
    return chain.otherwise(None)


def mentoring_events(statements: pl.LazyFrame) -> pl.LazyFrame:
    """One row per live mentoring statement: school, kind, object_id, actor_key, phase, day."""
    return (
        live(statements)
        .with_columns(kind=_kind_expr())
        .filter(pl.col("kind").is_not_null() & pl.col("school").is_not_null())
        .select(
            "school",
            "kind",
            "object_id",
            "actor_key",
            "phase",
            pl.col("timestamp").dt.date().alias("day"),
        )
    )


def mentee_schools(mentoring: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Mentee schools whose mentoring has started by ``as_of`` (one row even with several mentors)."""
    return (
        mentoring.filter(pl.col("start").is_null() | (pl.col("start") <= as_of))
        .group_by(pl.col("mentee_school").alias("school"))
        .agg(
            pl.col("mentor").unique().sort().str.join(", ").alias("mentors"),
            pl.col("start").min().alias("mentoring_start"),
            pl.col("end").max().alias("mentoring_end"),
        )
    )


def _distinct(kind: str, column: str = "object_id") -> pl.Expr:
    return pl.col(column).filter((pl.col("kind") == kind) & pl.col(column).is_not_null()).n_unique()


def event_counts(events: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Counts per school of everything logged up to ``as_of``; the last contact and phase reached."""
    month_start = as_of.replace(day=1)
    return (
        events.filter(pl.col("day") <= as_of)
        .group_by("school")
        .agg(
            _distinct(MEETING).alias("meetings"),
            pl.col("object_id").filter((pl.col("kind") == MEETING) & (pl.col("day") >= month_start)).drop_nulls().n_unique().alias("meetings_this_month"),
            _distinct(GOAL_SET).alias("goals_set"),
            _distinct(GOAL_ACHIEVED).alias("goals_achieved"),
            # a step done without having been announced was still a step of the plan
            pl.col("object_id").filter(pl.col("kind").is_in([STEP_PLANNED, STEP_COMPLETED])).drop_nulls().n_unique().alias("steps_planned"),
            _distinct(STEP_COMPLETED).alias("steps_completed"),
            _distinct(OBSERVATION).alias("observations"),
            pl.col("day").max().alias("last_contact"),
            pl.col("phase").replace_strict(PHASE_INDEX, default=None, return_dtype=pl.Int32).max().alias("phase_index"),
        )
    )


def teachers_reached(events: pl.LazyFrame, people: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Distinct registered teachers of each school who attended at least one of its meetings."""
    teachers = people.filter(pl.col("role") == "teacher").select(pl.col("actor").alias("actor_key"), pl.col("school"))
    attended = events.filter((pl.col("kind") == MEETING) & (pl.col("day") <= as_of)).select("school", "actor_key").unique()
    return attended.join(teachers, on=["school", "actor_key"], how="inner").group_by("school").agg(pl.len().cast(pl.Int64).alias("teachers_reached"))


def teachers_mapped(people: pl.LazyFrame) -> pl.LazyFrame:
    """How many teachers the people registry maps to each school (0 means we cannot tell who took part)."""
    return (
        people.filter((pl.col("role") == "teacher") & pl.col("actor").is_not_null())
        .group_by(pl.col("school"))
        .agg(pl.col("actor").n_unique().cast(pl.Int64).alias("teachers_mapped"))
    )
